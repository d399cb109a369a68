// Helpers for the UI tests: hand-made pipeline values and waiting on the event loop.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>

#include "emotrace/emotion_classifier.h"
#include "emotrace/face_detector.h"
#include "emotrace/types.h"

namespace emotrace::test {

// Processes events until done() or the limit passes; the limit only keeps a broken test from
// hanging, it is not a timing assertion. Returns done().
inline bool waitUntil(const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    QElapsedTimer timer;
    timer.start();
    while (!done() && timer.elapsed() < limit.count()) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
        QThread::msleep(1);
    }
    return done();
}

// One face at the same place in every frame.
class FixedFaceDetector : public FaceDetector {
  public:
    std::vector<Detection> detect(const cv::Mat&) override { return {{{8, 8, 24, 24}, 0.9f}}; }
    std::string name() const override { return "fixed"; }
};

// Every face 80 % happy, 20 % sad.
class FixedClassifier : public EmotionClassifier {
  public:
    FixedClassifier() { info_.labels = {"happy", "sad"}; }
    const ModelInfo& info() const override { return info_; }
    std::vector<std::vector<float>> classify(std::span<const cv::Mat> faces) override {
        return std::vector<std::vector<float>>(faces.size(), {0.8f, 0.2f});
    }

  private:
    ModelInfo info_;
};

inline FaceResult face(cv::Rect2f box, std::vector<float> probabilities) {
    FaceResult result;
    result.box = box;
    result.detection_confidence = 0.9f;
    result.probabilities = std::move(probabilities);
    return result;
}

inline FrameResult frameResult(double timestamp_ms, std::vector<FaceResult> faces,
                               cv::Size size = {64, 48}) {
    FrameResult result;
    result.timestamp_ms = timestamp_ms;
    result.frame_index = static_cast<std::int64_t>(timestamp_ms);
    result.image = cv::Mat(size, CV_8UC3, cv::Scalar::all(0));
    result.faces = std::move(faces);
    return result;
}

}  // namespace emotrace::test
