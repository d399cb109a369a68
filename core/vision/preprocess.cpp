#include "emotrace/preprocess.h"

#include <cmath>

#include <opencv2/imgproc.hpp>

#include "emotrace/error.h"
#include "emotrace/types.h"

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

// The grown box of the frame, in grey, turned by `degrees` about its centre (positive:
// anticlockwise as seen, which levels an eye line that falls to the right). Reads only the part
// of the frame the turned box can reach; beyond the frame the border is replicated, as for an
// unturned crop.
cv::Mat turnedGreyBox(const cv::Mat& bgr, const cv::Rect& wanted, double degrees) {
    const double reach = 0.5 * std::hypot(wanted.width, wanted.height) + 2.0;
    const cv::Point2d centre(wanted.x + (wanted.width - 1) / 2.0,
                             wanted.y + (wanted.height - 1) / 2.0);
    const int left = static_cast<int>(std::floor(centre.x - reach));
    const int top = static_cast<int>(std::floor(centre.y - reach));
    const int right = static_cast<int>(std::ceil(centre.x + reach));
    const int bottom = static_cast<int>(std::ceil(centre.y + reach));
    const cv::Rect region = cv::Rect(left, top, right - left + 1, bottom - top + 1) &
                            cv::Rect(0, 0, bgr.cols, bgr.rows);
    cv::Mat grey;
    cv::cvtColor(bgr(region), grey, cv::COLOR_BGR2GRAY);
    const cv::Point2d centre_in_region(centre.x - region.x, centre.y - region.y);
    cv::Mat turn = cv::getRotationMatrix2D(centre_in_region, degrees, 1.0);
    // Then the centre onto the output's centre: at 0 degrees this is the plain crop, pixel for
    // pixel.
    turn.at<double>(0, 2) += (wanted.width - 1) / 2.0 - centre_in_region.x;
    turn.at<double>(1, 2) += (wanted.height - 1) / 2.0 - centre_in_region.y;
    cv::Mat turned;
    cv::warpAffine(grey, turned, turn, wanted.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    return turned;
}

}  // namespace

double eyeLineAngle(std::span<const cv::Point2f> landmarks) {
    if (landmarks.size() <= kRightEyeInImage)
        return 0.0;
    const cv::Point2f line = landmarks[kRightEyeInImage] - landmarks[kLeftEyeInImage];
    if (!std::isfinite(line.x) || !std::isfinite(line.y) || (line.x == 0.0f && line.y == 0.0f))
        return 0.0;
    return std::atan2(static_cast<double>(line.y), static_cast<double>(line.x)) * 180.0 / CV_PI;
}

double levellingTurn(std::span<const cv::Point2f> landmarks, const CropOptions& options) {
    if (!options.level_eyes)
        return 0.0;
    const double tilt = eyeLineAngle(landmarks);
    const double beyond = std::abs(tilt) - static_cast<double>(options.level_beyond_degrees);
    if (!(beyond > 0.0))
        return 0.0;
    return options.level_tilted_fully ? tilt : std::copysign(beyond, tilt);
}

bool beyondLevellingBand(std::span<const cv::Point2f> landmarks, const CropOptions& options) {
    return levellingTurn(landmarks, options) != 0.0;
}

cv::Mat cropFace(const cv::Mat& bgr, const cv::Rect2f& box, const CropOptions& options,
                 std::span<const cv::Point2f> landmarks) {
    if (options.size.width <= 0 || options.size.height <= 0) {
        throw Error("crop size must be positive, got " + std::to_string(options.size.width) + "x" +
                    std::to_string(options.size.height));
    }
    if (!(options.level_beyond_degrees >= 0.0f)) {
        throw Error("the eye-levelling band must not be negative, got " +
                    std::to_string(options.level_beyond_degrees));
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

    // Replicating the border keeps the face where the box puts it, which is where the
    // classifier was trained to see it; black bars would read as a dark background.
    cv::Mat filled;
    const double degrees = levellingTurn(landmarks, options);
    if (degrees != 0.0) {
        filled = turnedGreyBox(bgr, wanted, degrees);
    } else {
        cv::Mat grey;
        cv::cvtColor(bgr(inside), grey, cv::COLOR_BGR2GRAY);
        cv::copyMakeBorder(grey, filled, inside.y - wanted.y, wanted.br().y - inside.br().y,
                           inside.x - wanted.x, wanted.br().x - inside.br().x,
                           cv::BORDER_REPLICATE);
    }

    const bool shrinking = filled.cols >= options.size.width && filled.rows >= options.size.height;
    cv::Mat resized;
    cv::resize(filled, resized, options.size, 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    cv::Mat scaled;
    resized.convertTo(scaled, CV_32F, 1.0 / 255.0);
    return scaled;
}

}  // namespace emotrace
