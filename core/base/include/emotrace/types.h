// Value types that cross threads: a captured frame and what the pipeline found in it.
// Every value carries the capture timestamp so results can be placed on the session clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace emotrace {

using SteadyClock = std::chrono::steady_clock;

struct Frame {
    cv::Mat image;              // BGR, 8-bit; never written to after capture
    std::int64_t index = 0;     // 0-based position in the source
    double timestamp_ms = 0.0;  // session time: media time for files, capture time for live
    SteadyClock::time_point captured_at;  // when the frame left the source, for latency
};

struct Detection {
    cv::Rect2f box;      // pixels, in the frame's coordinates
    float score = 0.0f;  // detector confidence in [0,1]
    // What the face and its surroundings look like (faceAppearance), so a tracker can tell
    // people apart when they change places; empty: not measured.
    std::vector<float> appearance{};
    // The five facial landmarks in frame pixels, in YuNet's order (FaceLandmark): the eye on the
    // image's left, the eye on its right, the nose tip, the mouth corner on the left, on the
    // right. Empty when the detector gives none (Haar).
    std::vector<cv::Point2f> landmarks{};
};

// Indices into Detection::landmarks.
enum FaceLandmark : std::size_t {
    kLeftEyeInImage = 0,
    kRightEyeInImage = 1,
    kNoseTip = 2,
    kLeftMouthCornerInImage = 3,
    kRightMouthCornerInImage = 4,
    kLandmarkCount = 5,
};

struct FaceResult {
    cv::Rect2f box;
    float detection_confidence = 0.0f;
    std::vector<float> probabilities;  // one per class of the model, in the model's label order;
                                       // empty when no classifier is loaded
    int track_id = -1;                 // the person across frames, once linked; -1: not yet
    std::vector<float> appearance{};   // faceAppearance of the face; empty: not measured
};

struct FrameResult {
    std::int64_t frame_index = 0;
    double timestamp_ms = 0.0;
    cv::Mat image;  // the frame the faces were found in, so overlays stay in sync
    std::vector<FaceResult> faces;
    std::chrono::microseconds latency{0};  // capture to result
    std::int64_t dropped_frames = 0;       // frames the worker never saw, since the start
};

// One face in one frame. track_id is stable across the session for the same person.
struct TrackedFace {
    int track_id = 0;
    cv::Rect2f box;
    float detection_confidence = 0.0f;
    bool detected = true;              // false: box carried by the tracker between detections
    std::vector<float> probabilities;  // in the model's label order; empty without a model
};

// Every analysed frame has a record; a frame without a face has no faces.
struct FrameRecord {
    std::int64_t frame_index = 0;
    double timestamp_ms = 0.0;
    std::vector<TrackedFace> faces;
};

}  // namespace emotrace
