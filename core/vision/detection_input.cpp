#include "detection_input.h"

#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "emotrace/error.h"

namespace emotrace::detail {

void requireBgrFrame(const cv::Mat& frame, const std::string& who) {
    if (frame.empty())
        throw Error(who + " expects a BGR frame, got an empty image");
    if (frame.type() != CV_8UC3) {
        throw Error(who + " expects an 8-bit BGR frame (CV_8UC3), got " +
                    cv::typeToString(frame.type()));
    }
}

DetectionInput downscaleForDetection(const cv::Mat& frame, int max_input_side) {
    const int longer = std::max(frame.cols, frame.rows);
    if (max_input_side <= 0 || longer <= max_input_side)
        return {frame, 1.0};
    const double scale = static_cast<double>(max_input_side) / longer;
    cv::Mat small;
    // INTER_AREA averages the dropped pixels, so the small image keeps the face's detail
    // without the aliasing a plain linear resize gives at 2-4x reduction.
    cv::resize(frame, small, cv::Size(), scale, scale, cv::INTER_AREA);
    return {small, scale};
}

std::vector<Detection> toFrameDetections(std::vector<Detection> found, double scale,
                                         cv::Size frame_size) {
    const cv::Rect2f frame_rect(0.0f, 0.0f, static_cast<float>(frame_size.width),
                                static_cast<float>(frame_size.height));
    const auto inverse = static_cast<float>(1.0 / scale);
    std::vector<Detection> result;
    result.reserve(found.size());
    for (const auto& detection : found) {
        const cv::Rect2f box(detection.box.x * inverse, detection.box.y * inverse,
                             detection.box.width * inverse, detection.box.height * inverse);
        const cv::Rect2f clamped = box & frame_rect;
        if (clamped.width <= 0.0f || clamped.height <= 0.0f)
            continue;
        Detection mapped{clamped, detection.score};
        for (const auto& point : detection.landmarks)
            mapped.landmarks.emplace_back(point.x * inverse, point.y * inverse);
        result.push_back(std::move(mapped));
    }
    std::stable_sort(result.begin(), result.end(),
                     [](const Detection& a, const Detection& b) { return a.score > b.score; });
    return result;
}

}  // namespace emotrace::detail
