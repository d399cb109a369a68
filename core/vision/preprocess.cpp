#include "emotrace/preprocess.h"

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "emotrace/error.h"

namespace emotrace {

namespace {

// The grown box (or the square of its width around its centre) in whole pixels. Rounding the
// edges (not the origin and size separately) keeps the box symmetric around the face.
cv::Rect grownBox(const cv::Rect2f& box, float margin, bool square) {
    const float dx = box.width * margin;
    const float dy = square ? dx + (box.width - box.height) / 2.0f : box.height * margin;
    const int left = static_cast<int>(std::lround(box.x - dx));
    const int top = static_cast<int>(std::lround(box.y - dy));
    const int right = static_cast<int>(std::lround(box.x + box.width + dx));
    const int bottom = static_cast<int>(std::lround(box.y + box.height + dy));
    return {left, top, right - left, bottom - top};
}

}  // namespace

cv::Mat cropFace(const cv::Mat& bgr, const cv::Rect2f& box, const CropOptions& options) {
    if (options.size.width <= 0 || options.size.height <= 0) {
        throw Error("crop size must be positive, got " + std::to_string(options.size.width) + "x" +
                    std::to_string(options.size.height));
    }
    if (options.margin < 0.0f) {
        throw Error("crop margin must not be negative, got " + std::to_string(options.margin));
    }
    if (!bgr.empty() && bgr.type() != CV_8UC3) {
        throw Error("cropFace expects an 8-bit BGR frame (CV_8UC3), got " +
                    cv::typeToString(bgr.type()));
    }
    if (box.width <= 0.0f || box.height <= 0.0f)
        return {};
    const cv::Rect wanted = grownBox(box, options.margin, options.square);
    const cv::Rect inside = wanted & cv::Rect(0, 0, bgr.cols, bgr.rows);
    if (inside.empty())
        return {};

    cv::Mat grey;
    cv::cvtColor(bgr(inside), grey, cv::COLOR_BGR2GRAY);
    // Replicating the border keeps the face where the box puts it, which is where the
    // classifier was trained to see it; black bars would read as a dark background.
    cv::Mat filled;
    cv::copyMakeBorder(grey, filled, inside.y - wanted.y, wanted.br().y - inside.br().y,
                       inside.x - wanted.x, wanted.br().x - inside.br().x, cv::BORDER_REPLICATE);

    const bool shrinking = filled.cols >= options.size.width && filled.rows >= options.size.height;
    cv::Mat resized;
    cv::resize(filled, resized, options.size, 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    cv::Mat scaled;
    resized.convertTo(scaled, CV_32F, 1.0 / 255.0);
    return scaled;
}

}  // namespace emotrace
