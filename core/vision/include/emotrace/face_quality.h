// How far a face's reading can be trusted, from what the detector and the pixels say: head pose
// from the five landmarks, the face's size, its sharpness and its exposure, and one `quality` in
// [0,1] that a therapist can read as "how much weight to give this reading". docs/quality.md has
// the method, the rule and their measured error.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "emotrace/types.h"

namespace emotrace {

// Degrees. Roll: the eye line's tilt in the image, positive when the face leans clockwise as
// seen (the eye on the image's right lower). Yaw: positive when the face turns towards the
// image's right (its nose moves right of the eyes' middle). Pitch: positive when the face tilts
// up (the nose tip moves towards the eye line).
struct HeadPose {
    double roll = 0.0;
    double yaw = 0.0;
    double pitch = 0.0;
};

// The pose from YuNet's five landmarks (Detection::landmarks); nullopt without them or when they
// are degenerate (both eyes on one point). A geometric estimate, no 3-D model fit: roll from the
// eye line; yaw from where the nose tip lies between the eyes' middle and the outer eyes,
// relative to the inter-ocular distance; pitch from where it lies between the eye line and the
// mouth line, against a frontal face's proportion.
std::optional<HeadPose> estimateHeadPose(const std::vector<cv::Point2f>& landmarks);

struct ReadingQuality {
    std::optional<HeadPose> pose;  // none without landmarks
    double face_size_px = 0.0;     // the shorter side of the face box
    double sharpness = 0.0;        // variance of the Laplacian of the 64x64 grey face
    double brightness = 0.0;       // mean grey level of the face, 0..255
    double clipped = 0.0;          // share of the face's pixels at <= 5 or >= 250
    double quality = 0.0;          // [0,1]: the product of the factors below
    // The factor that lowers quality most, for a person: "small face", "blurred", "too dark",
    // "too bright", "turned away", "tilted", "no landmarks"; empty when nothing lowers it much.
    std::string limited_by;
};

// Below this a reading is shown as low quality (dimmed box, greyed timeline) and can be left
// out of the statistics.
inline constexpr double kLowQuality = 0.5;

// Measures the face `box` of `bgr` (a BGR frame) with the detector's `landmarks` (may be empty).
ReadingQuality assessReading(const cv::Mat& bgr, const cv::Rect2f& box,
                             const std::vector<cv::Point2f>& landmarks);

}  // namespace emotrace
