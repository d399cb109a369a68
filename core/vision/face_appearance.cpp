#include "emotrace/face_appearance.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace emotrace {

namespace {

// The region read around a face: the box grown to this many times its size about its centre,
// which takes in the hair, the shoulders and some of the room behind.
constexpr float kContextScale = 1.8f;
// The region is sampled at this many points a side (bilinear, not an area average: reading
// every pixel of a large face cost about a millisecond); the signature depends on colours, not
// detail, and 32 x 32 samples cost tens of microseconds whatever the face's size.
constexpr int kSide = 32;
// Per half: hue x saturation for coloured pixels, brightness for the rest.
constexpr int kHueBins = 8;
constexpr int kSaturationBins = 3;
constexpr int kValueBins = 8;
constexpr int kHalfBins = kHueBins * kSaturationBins + kValueBins;
// Below this saturation (of 255) a pixel's hue is noise: it counts by brightness alone.
constexpr int kGreySaturation = 40;

}  // namespace

std::vector<float> faceAppearance(const cv::Mat& bgr, const cv::Rect2f& box) {
    if (bgr.empty() || bgr.type() != CV_8UC3 || box.width <= 0.0f || box.height <= 0.0f)
        return {};
    const cv::Point2f centre(box.x + box.width / 2.0f, box.y + box.height / 2.0f);
    const cv::Size2f size(box.width * kContextScale, box.height * kContextScale);
    const cv::Rect wanted(
        cv::Point(cvRound(centre.x - size.width / 2.0f), cvRound(centre.y - size.height / 2.0f)),
        cv::Size(cvRound(size.width), cvRound(size.height)));
    const cv::Rect region = wanted & cv::Rect(0, 0, bgr.cols, bgr.rows);
    if (region.width < 2 || region.height < 2)
        return {};
    cv::Mat small;
    cv::resize(bgr(region), small, cv::Size(kSide, kSide), 0.0, 0.0, cv::INTER_LINEAR);
    cv::Mat hsv;
    cv::cvtColor(small, hsv, cv::COLOR_BGR2HSV);

    std::vector<float> signature(2 * kHalfBins, 0.0f);
    for (int y = 0; y < kSide; ++y) {
        const int half = y < kSide / 2 ? 0 : 1;
        float* bins = signature.data() + half * kHalfBins;
        const auto* row = hsv.ptr<cv::Vec3b>(y);
        for (int x = 0; x < kSide; ++x) {
            const int hue = row[x][0];  // 0-179
            const int saturation = row[x][1];
            const int value = row[x][2];
            if (saturation >= kGreySaturation && value >= 32) {
                const int h = std::min(hue * kHueBins / 180, kHueBins - 1);
                const int s = std::min(
                    (saturation - kGreySaturation) * kSaturationBins / (256 - kGreySaturation),
                    kSaturationBins - 1);
                bins[h * kSaturationBins + s] += 1.0f;
            } else {
                bins[kHueBins * kSaturationBins + value * kValueBins / 256] += 1.0f;
            }
        }
    }
    const float per_half = static_cast<float>(kSide * kSide / 2);
    for (auto& bin : signature)
        bin /= per_half;
    return signature;
}

float appearanceDistance(std::span<const float> a, std::span<const float> b) {
    if (a.empty() || a.size() != b.size() || a.size() % 2 != 0)
        return 1.0f;
    const std::size_t half = a.size() / 2;
    double total = 0.0;
    for (std::size_t part = 0; part < 2; ++part) {
        double overlap = 0.0;  // the Bhattacharyya coefficient
        for (std::size_t i = part * half; i < (part + 1) * half; ++i)
            overlap += std::sqrt(std::max(0.0f, a[i]) * std::max(0.0f, b[i]));
        total += std::sqrt(std::max(0.0, 1.0 - std::min(overlap, 1.0)));
    }
    return static_cast<float>(total / 2.0);
}

void blendAppearance(std::vector<float>& average, std::span<const float> latest, float weight) {
    if (latest.empty())
        return;
    if (average.size() != latest.size()) {
        average.assign(latest.begin(), latest.end());
        return;
    }
    for (std::size_t i = 0; i < average.size(); ++i)
        average[i] += weight * (latest[i] - average[i]);
}

}  // namespace emotrace
