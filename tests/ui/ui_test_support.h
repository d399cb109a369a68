// Helpers for the UI tests: hand-made pipeline values and waiting on the event loop.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>

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
