// Training-time augmentation as in the paper: horizontal flip, rotation of up to ±15° and scaling
// of up to ±10% (one OpenCV warpAffine with replicated borders), plus optional extras documented
// in docs/datasets.md: translation, brightness and contrast jitter, random erasing. Every random
// choice comes from the std::mt19937 passed in (no global RNG), so results repeat for a seed
// and threads each holding their own generator can augment in parallel.
#pragma once

#include <random>

#include <opencv2/core.hpp>

namespace emotrace {

struct AugmentOptions {
    bool flip = true;               // mirror left-right with probability 1/2
    float rotation_degrees = 15.f;  // angle uniform in [-r, r]; 0 turns rotation off
    float scale = 0.10f;            // factor uniform in [1 - s, 1 + s]; 0 turns scaling off
    // Extras, off by default.
    float translation = 0.f;  // shift uniform in [-t, t] of the width/height, per axis
    float brightness = 0.f;   // add uniform [-b, b] of full scale (255 for 8-bit, 1 for float)
    float contrast = 0.f;     // stretch around the image mean by uniform [1 - c, 1 + c]
    float erase_probability = 0.f;  // chance to fill one rectangle of 2-20% of the area with noise

    static AugmentOptions paper() { return {}; }
    static AugmentOptions none() { return {false, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f}; }
    // The paper's set with every extra on at moderate strength.
    static AugmentOptions extended() { return {true, 15.f, 0.10f, 0.05f, 0.10f, 0.10f, 0.25f}; }
};

// One draw of the random choices, so a transform can be inspected or replayed.
struct AugmentParams {
    bool flip = false;
    float angle_degrees = 0.f;  // counter-clockwise
    float scale = 1.f;
    float shift_x = 0.f;  // pixels
    float shift_y = 0.f;
    float brightness = 0.f;  // in full-scale units (added value / 255 for 8-bit)
    float contrast = 1.f;
    cv::Rect erase;  // empty: no erasing
    unsigned erase_seed = 0;
};

AugmentParams sampleAugmentation(const AugmentOptions& options, cv::Size size, std::mt19937& rng);

// Applies `params` to a CV_8UC1 or CV_32FC1 image (float in [0,1]); returns the same type and
// size. Throws Error for other types. The geometric steps are skipped when they are identity,
// so a flip alone is exact.
cv::Mat applyAugmentation(const cv::Mat& image, const AugmentParams& params);

// sampleAugmentation then applyAugmentation.
cv::Mat augment(const cv::Mat& image, const AugmentOptions& options, std::mt19937& rng);

}  // namespace emotrace
