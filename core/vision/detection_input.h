// What every detector does around its model: check the frame, shrink it to the detection size,
// and bring the boxes it found back to the frame, clamped and best first.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "emotrace/types.h"

namespace emotrace::detail {

// Throws Error naming `who` when the frame is not a non-empty 8-bit, 3-channel (BGR) image.
void requireBgrFrame(const cv::Mat& frame, const std::string& who);

struct DetectionInput {
    cv::Mat image;       // the frame, downscaled (or the frame itself, not copied)
    double scale = 1.0;  // image size / frame size
};

// Downscales so the longer side is at most max_input_side (0: keep the full frame). Never
// upscales: a small frame is detected at its own size.
DetectionInput downscaleForDetection(const cv::Mat& frame, int max_input_side);

// Boxes found in the detection input, mapped back by 1/scale, clamped to the frame, with empty
// boxes dropped, sorted by score (highest first).
std::vector<Detection> toFrameDetections(std::vector<Detection> found, double scale,
                                         cv::Size frame_size);

}  // namespace emotrace::detail
