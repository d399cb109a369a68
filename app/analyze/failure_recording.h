// The pipeline reports a failure as a message only, but the exit code depends on what failed
// (a broken video is 7, a model that fails mid-run 4, ...). These wrappers keep the first
// exception thrown by the source, the detector or the classifier, with its type, and rethrow it
// so the pipeline still ends the run.
#pragma once

#include <exception>
#include <memory>
#include <mutex>
#include <utility>

#include "emotrace/emotion_classifier.h"
#include "emotrace/face_detector.h"
#include "emotrace/frame_source.h"

namespace emotrace::analyze {

// Shared by the capture and the inference thread.
class FirstFailure {
  public:
    template <typename Action>
    auto run(Action&& action) -> decltype(action()) {
        try {
            return action();
        } catch (...) {
            record(std::current_exception());
            throw;
        }
    }
    void record(std::exception_ptr failure) {
        std::lock_guard lock(mutex_);
        if (!first_)
            first_ = std::move(failure);
    }
    std::exception_ptr get() const {
        std::lock_guard lock(mutex_);
        return first_;
    }

  private:
    mutable std::mutex mutex_;
    std::exception_ptr first_;
};

class RecordingFrameSource : public FrameSource {
  public:
    RecordingFrameSource(std::unique_ptr<FrameSource> inner, FirstFailure& failure)
        : inner_(std::move(inner)), failure_(failure) {}
    std::optional<Frame> next(std::stop_token stop) override {
        return failure_.run([&] { return inner_->next(stop); });
    }
    SourceInfo info() const override { return inner_->info(); }

  private:
    std::unique_ptr<FrameSource> inner_;
    FirstFailure& failure_;
};

class RecordingFaceDetector : public FaceDetector {
  public:
    RecordingFaceDetector(std::unique_ptr<FaceDetector> inner, FirstFailure& failure)
        : inner_(std::move(inner)), failure_(failure) {}
    std::vector<Detection> detect(const cv::Mat& bgr) override {
        return failure_.run([&] { return inner_->detect(bgr); });
    }
    std::string name() const override { return inner_->name(); }

  private:
    std::unique_ptr<FaceDetector> inner_;
    FirstFailure& failure_;
};

class RecordingEmotionClassifier : public EmotionClassifier {
  public:
    RecordingEmotionClassifier(std::unique_ptr<EmotionClassifier> inner, FirstFailure& failure)
        : inner_(std::move(inner)), failure_(failure) {}
    const ModelInfo& info() const override { return inner_->info(); }
    std::vector<std::vector<float>> classify(std::span<const cv::Mat> faces) override {
        return failure_.run([&] { return inner_->classify(faces); });
    }
    bool readsTiltedFacesApart() const override { return inner_->readsTiltedFacesApart(); }
    std::vector<std::vector<float>> classifyTilted(std::span<const cv::Mat> faces) override {
        return failure_.run([&] { return inner_->classifyTilted(faces); });
    }

  private:
    std::unique_ptr<EmotionClassifier> inner_;
    FirstFailure& failure_;
};

}  // namespace emotrace::analyze
