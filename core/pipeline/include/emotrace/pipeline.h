// The live pipeline: a capture thread reads the source into a LatestFrameSlot; an inference
// worker detects faces, classifies them in one batch and hands a FrameResult to the sink.
// Both threads are std::jthreads that stop within one frame when the pipeline is destroyed.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "emotrace/emotion_classifier.h"
#include "emotrace/face_detector.h"
#include "emotrace/face_tracks.h"
#include "emotrace/frame_source.h"
#include "emotrace/latest_frame_slot.h"
#include "emotrace/preprocess.h"

namespace emotrace {

// Detection + crop + classification of one frame, shared by the live pipeline, the analysis
// command and the benchmark. The classifier may be null: faces then carry no probabilities.
class FrameAnalyzer {
  public:
    FrameAnalyzer(std::unique_ptr<FaceDetector> detector,
                  std::unique_ptr<EmotionClassifier> classifier, CropOptions crop = {});
    std::vector<FaceResult> analyze(const cv::Mat& bgr);
    const EmotionClassifier* classifier() const { return classifier_.get(); }
    const FaceDetector& detector() const { return *detector_; }

  private:
    std::unique_ptr<FaceDetector> detector_;
    std::unique_ptr<EmotionClassifier> classifier_;
    CropOptions crop_;
};

struct PipelineCallbacks {
    // Called on the worker thread for every processed frame.
    std::function<void(FrameResult)> on_result;
    // Called once on the worker thread when the stream ends: error is empty at a normal end
    // (end of file, stop) and holds the message when the source or the model failed.
    std::function<void(const std::string& error)> on_finished;
};

class Pipeline {
  public:
    // Each result's faces leave the worker linked into tracks by one FaceTracker with `tracks`:
    // everything downstream (overlay, moments, the store) names a person by that id.
    Pipeline(std::unique_ptr<FrameSource> source, std::unique_ptr<FrameAnalyzer> analyzer,
             PipelineCallbacks callbacks, SlotPolicy policy = SlotPolicy::LatestWins,
             const FaceTrackerOptions& tracks = {});
    ~Pipeline();  // requests stop and joins both threads
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    void start();
    void stop();
    SourceInfo sourceInfo() const { return source_info_; }
    std::int64_t droppedFrames() const { return slot_.dropped(); }
    // Why the source sends no frames now (a minimised call window); empty while they flow.
    std::string sourcePausedBecause() const { return source_->pausedBecause(); }

  private:
    void captureLoop(std::stop_token stop);
    void inferenceLoop(std::stop_token stop);

    std::unique_ptr<FrameSource> source_;
    std::unique_ptr<FrameAnalyzer> analyzer_;
    PipelineCallbacks callbacks_;
    FaceTracker tracker_;  // the worker's alone
    SourceInfo source_info_;
    LatestFrameSlot slot_;
    std::string capture_error_;      // written by the capture thread before it closes the slot
    std::stop_source capture_stop_;  // a copy the worker may signal without touching capture_
    std::jthread capture_;
    std::jthread worker_;
};

}  // namespace emotrace
