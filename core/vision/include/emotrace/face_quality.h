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

// The pose from YuNet's five landmarks (Detection::landmarks); nullopt without them or when they
// are degenerate (both eyes on one point). A geometric estimate, no 3-D model fit: roll from the
// eye line; yaw from where the nose tip lies between the eyes' middle and the outer eyes,
// relative to the inter-ocular distance; pitch from where it lies between the eye line and the
// mouth line, against a frontal face's proportion.
std::optional<HeadPose> estimateHeadPose(const std::vector<cv::Point2f>& landmarks);

// Measures the face `box` of `bgr` (a BGR frame) with the detector's `landmarks` (may be empty).
ReadingQuality assessReading(const cv::Mat& bgr, const cv::Rect2f& box,
                             const std::vector<cv::Point2f>& landmarks);

}  // namespace emotrace
