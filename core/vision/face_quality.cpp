#include "emotrace/face_quality.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

#include <opencv2/imgproc.hpp>

namespace emotrace {

namespace {

constexpr double kDegreesPerRadian = 180.0 / std::numbers::pi;

// Anthropometric proportions of an adult face, in inter-ocular distances (eye centre to eye
// centre): how far the nose tip stands out in front of the eyes' and mouth corners' plane, and
// how far down from the eye line a frontal face's nose tip lies, as a share of the eye line to
// mouth line distance (measured on frontal faces: docs/quality.md).
constexpr double kNoseDepth = 0.55;
constexpr double kFrontalNoseHeight = 0.59;

double clamp01(double value) {
    return std::clamp(value, 0.0, 1.0);
}

// 1 up to `good`, falling linearly to 0 at `bad` (good < bad).
double fallingRamp(double value, double good, double bad) {
    return clamp01((bad - value) / (bad - good));
}

// 0 up to `bad`, rising linearly to 1 at `good` (bad < good).
double risingRamp(double value, double bad, double good) {
    return clamp01((value - bad) / (good - bad));
}

}  // namespace

std::optional<HeadPose> estimateHeadPose(const std::vector<cv::Point2f>& landmarks) {
    if (landmarks.size() != kLandmarkCount)
        return std::nullopt;
    const cv::Point2d left_eye = landmarks[kLeftEyeInImage];
    const cv::Point2d right_eye = landmarks[kRightEyeInImage];
    const cv::Point2d eyes = right_eye - left_eye;
    const double inter_ocular = std::hypot(eyes.x, eyes.y);
    if (inter_ocular < 1e-3)
        return std::nullopt;
    HeadPose pose;
    pose.roll = std::atan2(eyes.y, eyes.x) * kDegreesPerRadian;

    // Everything in the face's own upright frame: origin at the eyes' middle, x along the eye
    // line, y down the face, in inter-ocular distances.
    const cv::Point2d origin = (left_eye + right_eye) * 0.5;
    const cv::Point2d along = eyes / inter_ocular;
    const cv::Point2d down(-along.y, along.x);
    const auto upright = [&](const cv::Point2f& point) {
        const cv::Point2d offset = cv::Point2d(point) - origin;
        return cv::Point2d(offset.dot(along), offset.dot(down)) / inter_ocular;
    };
    const cv::Point2d nose = upright(landmarks[kNoseTip]);
    const cv::Point2d mouth = (upright(landmarks[kLeftMouthCornerInImage]) +
                               upright(landmarks[kRightMouthCornerInImage])) *
                              0.5;
    if (mouth.y < 1e-3)
        return std::nullopt;  // the mouth at the eyes' height: no face

    // Yaw: the nose tip, standing kNoseDepth in front of the face's plane, moves sideways by
    // depth * sin(yaw) while the plane's points (the eyes' and mouth's middles) stay on the
    // midline; the eyes' distance shrinks by cos(yaw), which the unit already divides out.
    const double midline_x = mouth.x * nose.y / mouth.y;  // the midline at the nose's height
    pose.yaw = std::atan((nose.x - midline_x) / kNoseDepth) * kDegreesPerRadian;
    // Pitch: tilting up moves the nose tip towards the eye line by depth * sin(pitch).
    const double nose_height = nose.y / mouth.y;
    pose.pitch =
        std::atan((kFrontalNoseHeight - nose_height) * mouth.y / kNoseDepth) * kDegreesPerRadian;
    return pose;
}

ReadingQuality assessReading(const cv::Mat& bgr, const cv::Rect2f& box,
                             const std::vector<cv::Point2f>& landmarks) {
    ReadingQuality result;
    result.pose = estimateHeadPose(landmarks);
    result.face_size_px = std::min(box.width, box.height);
    const cv::Rect inside = cv::Rect(cv::Rect2f(box)) & cv::Rect(0, 0, bgr.cols, bgr.rows);
    if (inside.width < 2 || inside.height < 2 || bgr.empty())
        return result;  // quality 0: nothing to read

    // Sharpness at a fixed size, so that a large face is not called sharper for being large;
    // a face smaller than that is measured as it is, as enlarging it would blur it and call a
    // small sharp face blurred (its size has a factor of its own).
    cv::Mat grey;
    cv::cvtColor(bgr(inside), grey, cv::COLOR_BGR2GRAY);
    cv::Mat fixed;
    cv::resize(grey, fixed, {std::min(64, inside.width), std::min(64, inside.height)}, 0, 0,
               cv::INTER_AREA);
    cv::Mat laplacian;
    cv::Laplacian(fixed, laplacian, CV_64F);
    cv::Scalar mean;
    cv::Scalar deviation;
    cv::meanStdDev(laplacian, mean, deviation);
    result.sharpness = deviation[0] * deviation[0];
    result.brightness = cv::mean(grey)[0];
    const double dark = cv::countNonZero(grey <= 5);
    const double bright = cv::countNonZero(grey >= 250);
    result.clipped = (dark + bright) / static_cast<double>(grey.total());

    // The rule (docs/quality.md): each factor is 1 where readings hold up and falls to 0 where
    // they stop holding up; quality is their product.
    // Exposure before sharpness: a dark face also has little contrast to be sharp with, and
    // "too dark" is what the person can fix.
    std::vector<std::pair<double, const char*>> factors = {
        // 40 px: the model reads 48x48 crops of the box grown by 10 % a side, so from there on
        // a face brings all the detail the model can use; below 20 the crop is enlarged more
        // than twice and YuNet finds few faces at all.
        {risingRamp(result.face_size_px, 20.0, 40.0), "small face"},
        {risingRamp(result.brightness, 25.0, 60.0), "too dark"},
        {fallingRamp(result.brightness, 200.0, 240.0), "too bright"},
        {fallingRamp(result.clipped, 0.10, 0.45),
         result.brightness < 128 ? "too dark" : "too bright"},
        {risingRamp(result.sharpness, 40.0, 160.0), "blurred"},
    };
    if (result.pose) {
        const double turned = std::max(std::abs(result.pose->yaw), std::abs(result.pose->pitch));
        factors.emplace_back(fallingRamp(turned, 25.0, 50.0), "turned away");
        factors.emplace_back(fallingRamp(std::abs(result.pose->roll), 20.0, 45.0), "tilted");
    } else {
        // Without landmarks nothing says whether the face is turned: not low, but not full.
        factors.emplace_back(0.7, "no landmarks");
    }
    result.quality = 1.0;
    double lowest = 1.0;
    for (const auto& [factor, why] : factors) {
        result.quality *= factor;
        if (factor < lowest) {
            lowest = factor;
            result.limited_by = lowest < 0.8 ? why : "";
        }
    }
    return result;
}

}  // namespace emotrace
