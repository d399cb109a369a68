#include "emotrace/augmentation.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <opencv2/imgproc.hpp>

#include "emotrace/error.h"

namespace emotrace {

namespace {

void validate(const AugmentOptions& options) {
    const auto check = [](bool ok, const std::string& what, float value) {
        if (!ok)
            throw Error("augmentation " + what + ", got " + std::to_string(value));
    };
    check(options.rotation_degrees >= 0.f && options.rotation_degrees <= 180.f,
          "rotation must be in [0, 180] degrees", options.rotation_degrees);
    check(options.scale >= 0.f && options.scale < 1.f, "scale must be in [0, 1)", options.scale);
    check(options.translation >= 0.f && options.translation <= 0.5f,
          "translation must be in [0, 0.5] of the size", options.translation);
    check(options.brightness >= 0.f && options.brightness <= 1.f, "brightness must be in [0, 1]",
          options.brightness);
    check(options.contrast >= 0.f && options.contrast < 1.f, "contrast must be in [0, 1)",
          options.contrast);
    check(options.erase_probability >= 0.f && options.erase_probability <= 1.f,
          "erase probability must be in [0, 1]", options.erase_probability);
}

float uniform(std::mt19937& rng, float low, float high) {
    return std::uniform_real_distribution<float>(low, high)(rng);
}

// Random erasing (Zhong et al. 2017): a rectangle of 2-20% of the area, aspect 0.3-3.3.
cv::Rect sampleErase(cv::Size size, std::mt19937& rng) {
    const float area = uniform(rng, 0.02f, 0.20f) * static_cast<float>(size.area());
    const float aspect = std::exp(uniform(rng, std::log(0.3f), std::log(3.3f)));
    const int width = std::clamp(static_cast<int>(std::sqrt(area * aspect)), 1, size.width);
    const int height = std::clamp(static_cast<int>(std::sqrt(area / aspect)), 1, size.height);
    const int x = std::uniform_int_distribution<int>(0, size.width - width)(rng);
    const int y = std::uniform_int_distribution<int>(0, size.height - height)(rng);
    return {x, y, width, height};
}

void adjustIntensity(cv::Mat& image, const AugmentParams& params, double full_scale) {
    if (params.contrast == 1.f && params.brightness == 0.f)
        return;
    const double mean = cv::mean(image)[0];
    const double alpha = params.contrast;
    const double beta = (1.0 - alpha) * mean + static_cast<double>(params.brightness) * full_scale;
    image.convertTo(image, image.type(), alpha, beta);  // saturates for 8-bit
    if (image.depth() == CV_32F)
        cv::min(cv::max(image, 0.0), 1.0, image);
}

void erase(cv::Mat& image, const AugmentParams& params) {
    if (params.erase.empty())
        return;
    const cv::Rect area = params.erase & cv::Rect(0, 0, image.cols, image.rows);
    cv::Mat patch = image(area);
    cv::RNG noise(params.erase_seed);
    if (image.depth() == CV_8U)
        noise.fill(patch, cv::RNG::UNIFORM, 0, 256);
    else
        noise.fill(patch, cv::RNG::UNIFORM, 0.0, 1.0);
}

}  // namespace

AugmentParams sampleAugmentation(const AugmentOptions& options, cv::Size size, std::mt19937& rng) {
    validate(options);
    AugmentParams params;
    if (options.flip)
        params.flip = std::bernoulli_distribution(0.5)(rng);
    if (options.rotation_degrees > 0.f)
        params.angle_degrees = uniform(rng, -options.rotation_degrees, options.rotation_degrees);
    if (options.scale > 0.f)
        params.scale = uniform(rng, 1.f - options.scale, 1.f + options.scale);
    if (options.translation > 0.f) {
        params.shift_x = uniform(rng, -options.translation, options.translation) *
                         static_cast<float>(size.width);
        params.shift_y = uniform(rng, -options.translation, options.translation) *
                         static_cast<float>(size.height);
    }
    if (options.brightness > 0.f)
        params.brightness = uniform(rng, -options.brightness, options.brightness);
    if (options.contrast > 0.f)
        params.contrast = uniform(rng, 1.f - options.contrast, 1.f + options.contrast);
    if (options.erase_probability > 0.f &&
        std::bernoulli_distribution(options.erase_probability)(rng)) {
        params.erase = sampleErase(size, rng);
        params.erase_seed = static_cast<unsigned>(rng());
    }
    return params;
}

cv::Mat applyAugmentation(const cv::Mat& image, const AugmentParams& params) {
    if (image.type() != CV_8UC1 && image.type() != CV_32FC1) {
        throw Error("augmentation expects a grey CV_8UC1 or CV_32FC1 image, got " +
                    cv::typeToString(image.type()));
    }
    cv::Mat out;
    if (params.flip)
        cv::flip(image, out, 1);
    else
        out = image.clone();
    const bool geometric = params.angle_degrees != 0.f || params.scale != 1.f ||
                           params.shift_x != 0.f || params.shift_y != 0.f;
    if (geometric) {
        const cv::Point2f centre(static_cast<float>(out.cols - 1) / 2.f,
                                 static_cast<float>(out.rows - 1) / 2.f);
        cv::Mat transform = cv::getRotationMatrix2D(centre, params.angle_degrees, params.scale);
        transform.at<double>(0, 2) += params.shift_x;
        transform.at<double>(1, 2) += params.shift_y;
        cv::Mat warped;
        // Replicating the border avoids black corners that a model could learn as a cue.
        cv::warpAffine(out, warped, transform, out.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
        out = warped;
    }
    adjustIntensity(out, params, image.depth() == CV_8U ? 255.0 : 1.0);
    erase(out, params);
    return out;
}

cv::Mat augment(const cv::Mat& image, const AugmentOptions& options, std::mt19937& rng) {
    return applyAugmentation(image, sampleAugmentation(options, image.size(), rng));
}

}  // namespace emotrace
