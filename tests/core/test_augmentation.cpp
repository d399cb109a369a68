#include <thread>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "emotrace/augmentation.h"
#include "emotrace/error.h"

using namespace emotrace;

namespace {

// A face-sized image with no symmetry, so flips and rotations show.
cv::Mat pattern(int type = CV_8UC1) {
    cv::Mat image(48, 48, CV_8UC1);
    for (int y = 0; y < 48; ++y)
        for (int x = 0; x < 48; ++x)
            image.at<std::uint8_t>(y, x) = static_cast<std::uint8_t>((x * 5 + y * y) % 256);
    if (type == CV_32FC1)
        image.convertTo(image, CV_32F, 1.0 / 255.0);
    return image;
}

bool same(const cv::Mat& a, const cv::Mat& b) {
    return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0.0;
}

}  // namespace

TEST(Augmentation, NoneLeavesTheImageAndAFlipIsExact) {
    const cv::Mat image = pattern();
    std::mt19937 rng(1);
    EXPECT_TRUE(same(augment(image, AugmentOptions::none(), rng), image));
    AugmentParams flip;
    flip.flip = true;
    cv::Mat mirrored;
    cv::flip(image, mirrored, 1);
    EXPECT_TRUE(same(applyAugmentation(image, flip), mirrored));
}

TEST(Augmentation, KeepsShapeAndTypeForBytesAndFloats) {
    std::mt19937 rng(2);
    for (int type : {CV_8UC1, CV_32FC1}) {
        const cv::Mat image = pattern(type);
        for (int i = 0; i < 20; ++i) {
            const cv::Mat out = augment(image, AugmentOptions::extended(), rng);
            EXPECT_EQ(out.size(), image.size());
            EXPECT_EQ(out.type(), type);
            double low = 0.0, high = 0.0;
            cv::minMaxLoc(out, &low, &high);
            EXPECT_GE(low, 0.0);
            EXPECT_LE(high, type == CV_8UC1 ? 255.0 : 1.0);
        }
    }
    cv::Mat colour(48, 48, CV_8UC3);
    EXPECT_THROW(augment(colour, AugmentOptions::paper(), rng), Error);
}

TEST(Augmentation, DrawsWithinThePapersRangesAndUsesThemAll) {
    std::mt19937 rng(3);
    int flips = 0;
    float lowest_angle = 0, highest_angle = 0, lowest_scale = 1, highest_scale = 1;
    for (int i = 0; i < 2000; ++i) {
        const AugmentParams p = sampleAugmentation(AugmentOptions::paper(), {48, 48}, rng);
        flips += p.flip;
        lowest_angle = std::min(lowest_angle, p.angle_degrees);
        highest_angle = std::max(highest_angle, p.angle_degrees);
        lowest_scale = std::min(lowest_scale, p.scale);
        highest_scale = std::max(highest_scale, p.scale);
        EXPECT_EQ(p.shift_x, 0.f);
        EXPECT_EQ(p.brightness, 0.f);
        EXPECT_TRUE(p.erase.empty());
    }
    EXPECT_NEAR(flips / 2000.0, 0.5, 0.05);
    EXPECT_GE(lowest_angle, -15.f);
    EXPECT_LT(lowest_angle, -14.f);
    EXPECT_LE(highest_angle, 15.f);
    EXPECT_GT(highest_angle, 14.f);
    EXPECT_GE(lowest_scale, 0.9f);
    EXPECT_LT(lowest_scale, 0.91f);
    EXPECT_LE(highest_scale, 1.1f);
    EXPECT_GT(highest_scale, 1.09f);
}

TEST(Augmentation, EachStepCanBeSwitchedOff) {
    std::mt19937 rng(4);
    AugmentOptions rotate_only = AugmentOptions::none();
    rotate_only.rotation_degrees = 10.f;
    for (int i = 0; i < 50; ++i) {
        const AugmentParams p = sampleAugmentation(rotate_only, {48, 48}, rng);
        EXPECT_FALSE(p.flip);
        EXPECT_EQ(p.scale, 1.f);
        EXPECT_LE(std::abs(p.angle_degrees), 10.f);
    }
}

TEST(Augmentation, RotationAndScalingReplicateTheBorder) {
    const cv::Mat flat(48, 48, CV_8UC1, cv::Scalar(100));
    AugmentParams params;
    params.angle_degrees = 15.f;
    params.scale = 0.9f;
    const cv::Mat out = applyAugmentation(flat, params);
    EXPECT_TRUE(same(out, flat)) << "black corners would show a constant image changed";
    EXPECT_FALSE(same(applyAugmentation(pattern(), params), pattern()));
}

TEST(Augmentation, ExtrasStayInTheirRanges) {
    std::mt19937 rng(6);
    const AugmentOptions options = AugmentOptions::extended();
    int erased = 0;
    for (int i = 0; i < 1000; ++i) {
        const AugmentParams p = sampleAugmentation(options, {48, 48}, rng);
        EXPECT_LE(std::abs(p.shift_x), 0.05f * 48.f);
        EXPECT_LE(std::abs(p.brightness), 0.10f);
        EXPECT_GE(p.contrast, 0.9f);
        EXPECT_LE(p.contrast, 1.1f);
        if (!p.erase.empty()) {
            ++erased;
            EXPECT_EQ(p.erase & cv::Rect(0, 0, 48, 48), p.erase);
            EXPECT_LE(p.erase.area(), static_cast<int>(0.2 * 48 * 48) + 48);
        }
    }
    EXPECT_NEAR(erased / 1000.0, 0.25, 0.05);
    AugmentOptions bad;
    bad.scale = -0.1f;
    EXPECT_THROW(sampleAugmentation(bad, {48, 48}, rng), Error);
}

TEST(Augmentation, RepeatsForASeedAndThreadsWithOwnGeneratorsAgree) {
    const cv::Mat image = pattern();
    const auto run = [&](unsigned seed) {
        std::mt19937 rng(seed);
        std::vector<cv::Mat> outs;
        for (int i = 0; i < 30; ++i)
            outs.push_back(augment(image, AugmentOptions::extended(), rng));
        return outs;
    };
    std::vector<std::vector<cv::Mat>> sequential;
    for (unsigned seed = 0; seed < 4; ++seed)
        sequential.push_back(run(seed));
    std::vector<std::vector<cv::Mat>> parallel(4);
    {
        std::vector<std::jthread> threads;
        for (unsigned seed = 0; seed < 4; ++seed)
            threads.emplace_back([&, seed] { parallel[seed] = run(seed); });
    }
    for (std::size_t t = 0; t < 4; ++t)
        for (std::size_t i = 0; i < 30; ++i)
            EXPECT_TRUE(same(parallel[t][i], sequential[t][i]));
    EXPECT_FALSE(same(sequential[0][0], sequential[1][0]));
}
