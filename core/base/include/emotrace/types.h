// Value types that cross threads: a captured frame and what the pipeline found in it.
// Every value carries the capture timestamp so results can be placed on the session clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
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

// Degrees. Roll: the eye line's tilt in the image, positive when the face leans clockwise as
// seen (the eye on the image's right lower). Yaw: positive when the face turns towards the
// image's right (its nose moves right of the eyes' middle). Pitch: positive when the face tilts
// up (the nose tip moves towards the eye line).
struct HeadPose {
    double roll = 0.0;
    double yaw = 0.0;
    double pitch = 0.0;
};

// How far one face's reading can be trusted (assessReading in face_quality.h; the rule is in
// docs/quality.md).
struct ReadingQuality {
    std::optional<HeadPose> pose{};  // none without landmarks
    double face_size_px = 0.0;       // the shorter side of the face box
    double sharpness = 0.0;          // variance of the Laplacian of the 64x64 grey face
    double brightness = 0.0;         // mean grey level of the face, 0..255
    double clipped = 0.0;            // share of the face's pixels at <= 5 or >= 250
    double quality = 0.0;            // [0,1]: the product of the rule's factors
    // The factor that lowers quality most, for a person: "small face", "blurred", "too dark",
    // "too bright", "turned away", "tilted", "no landmarks"; empty when nothing lowers it much.
    std::string limited_by{};
};

// Below this a reading is shown as low quality (dimmed box, greyed timeline) and can be left
// out of the statistics.
inline constexpr double kLowQuality = 0.5;

struct FaceResult {
    cv::Rect2f box;
    float detection_confidence = 0.0f;
    std::vector<float> probabilities;  // one per class of the model, in the model's label order;
                                       // empty when no classifier is loaded
    int track_id = -1;                 // the person across frames, once linked; -1: not yet
    std::vector<float> appearance{};   // faceAppearance of the face; empty: not measured
    std::optional<ReadingQuality> quality{};  // none: not measured
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
    std::optional<ReadingQuality> quality{};  // none: not measured (stores before quality)
    // The detector's landmarks (Detection::landmarks), interpolated between keyframes, for
    // measuring quality; the store keeps the quality, not these.
    std::vector<cv::Point2f> landmarks{};
};

// Every analysed frame has a record; a frame without a face has no faces.
struct FrameRecord {
    std::int64_t frame_index = 0;
    double timestamp_ms = 0.0;
    std::vector<TrackedFace> faces;
};

}  // namespace emotrace
