#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "emotrace/error.h"
#include "emotrace/preprocess.h"

using namespace emotrace;

namespace {

// A black 200x200 frame with a white 100x100 square at (50,50).
cv::Mat whiteSquareOnBlack() {
    cv::Mat frame(200, 200, CV_8UC3, cv::Scalar::all(0));
    frame(cv::Rect(50, 50, 100, 100)).setTo(cv::Scalar::all(255));
    return frame;
}

CropOptions withoutMargin() {
    CropOptions options;
    options.margin = 0.0f;
    return options;
}

double meanOf(const cv::Mat& image) {
    return cv::mean(image)[0];
}

}  // namespace

TEST(CropFace, OutputIsFloatGreyOfTheRequestedSizeInUnitRange) {
    cv::Mat noise(240, 320, CV_8UC3);
    cv::randu(noise, cv::Scalar::all(0), cv::Scalar::all(256));
    for (cv::Size size : {cv::Size(48, 48), cv::Size(64, 32)}) {
        CropOptions options;
        options.size = size;
        const cv::Mat crop = cropFace(noise, cv::Rect2f(100, 60, 120, 120), options);
        EXPECT_EQ(crop.size(), size);
        EXPECT_EQ(crop.type(), CV_32FC1);
        double low = 0.0;
        double high = 0.0;
        cv::minMaxLoc(crop, &low, &high);
        EXPECT_GE(low, 0.0);
        EXPECT_LE(high, 1.0);
        EXPECT_GT(high, low) << "noise must not come out flat";
    }
}

TEST(CropFace, BoxExactlyOnAWhiteSquareGivesAllWhite) {
    const cv::Mat crop =
        cropFace(whiteSquareOnBlack(), cv::Rect2f(50, 50, 100, 100), withoutMargin());
    EXPECT_NEAR(meanOf(crop), 1.0, 1e-6);
}

TEST(CropFace, MarginGrowsTheBoxOnEverySide) {
    // A margin of half the box on each side doubles both sides: the square fills a quarter.
    CropOptions options;
    options.margin = 0.5f;
    const cv::Mat crop = cropFace(whiteSquareOnBlack(), cv::Rect2f(50, 50, 100, 100), options);
    EXPECT_NEAR(meanOf(crop), 0.25, 0.01);
    // The grown box is centred on the square: its middle is white, its corners black.
    EXPECT_NEAR(crop.at<float>(24, 24), 1.0f, 1e-6f);
    EXPECT_NEAR(crop.at<float>(0, 0), 0.0f, 1e-6f);
    EXPECT_NEAR(crop.at<float>(47, 47), 0.0f, 1e-6f);
}

TEST(CropFace, DefaultMarginIsATenthOnEachSide) {
    // 100 px grown by 10 px per side: the white square covers (100/120)^2 of the crop.
    const cv::Mat crop =
        cropFace(whiteSquareOnBlack(), cv::Rect2f(50, 50, 100, 100), CropOptions{});
    EXPECT_NEAR(meanOf(crop), (100.0 * 100.0) / (120.0 * 120.0), 0.01);
}

TEST(CropFace, ATallBoxGivesASquareOfItsWidthAroundItsCentre) {
    // YuNet's boxes are taller than wide. A 100x140 box centred on a white 120x120 square:
    // the default crop is the 120x120 square around the box's centre, all white.
    cv::Mat frame(300, 300, CV_8UC3, cv::Scalar::all(0));
    frame(cv::Rect(90, 90, 120, 120)).setTo(cv::Scalar::all(255));
    const cv::Rect2f tall(100, 80, 100, 140);
    EXPECT_NEAR(meanOf(cropFace(frame, tall, CropOptions{})), 1.0, 1e-6);
    // Without the square, the crop is the grown box (120x168) and takes in black above and
    // below the square.
    CropOptions stretched;
    stretched.square = false;
    const double mean = meanOf(cropFace(frame, tall, stretched));
    EXPECT_NEAR(mean, 120.0 / 168.0, 0.02);
}

TEST(CropFace, KeepsLeftAndRightWhereTheyAre) {
    cv::Mat frame(100, 100, CV_8UC3, cv::Scalar::all(0));
    frame(cv::Rect(0, 0, 50, 100)).setTo(cv::Scalar::all(255));
    const cv::Mat crop = cropFace(frame, cv::Rect2f(0, 0, 100, 100), withoutMargin());
    EXPECT_NEAR(meanOf(crop(cv::Rect(0, 0, 24, 48))), 1.0, 1e-6);
    EXPECT_NEAR(meanOf(crop(cv::Rect(24, 0, 24, 48))), 0.0, 1e-6);
}

TEST(CropFace, ConvertsBgrToGreyWithTheUsualLumaWeights) {
    const cv::Mat blue(60, 60, CV_8UC3, cv::Scalar(255, 0, 0));
    const cv::Mat red(60, 60, CV_8UC3, cv::Scalar(0, 0, 255));
    const cv::Rect2f box(10, 10, 40, 40);
    EXPECT_NEAR(meanOf(cropFace(blue, box, {})), 0.114, 0.005);
    EXPECT_NEAR(meanOf(cropFace(red, box, {})), 0.299, 0.005);
}

TEST(CropFace, PartOutsideTheFrameIsFilledByReplicatingTheBorder) {
    // A white stripe along the left edge; the box sticks 50 px out of the frame on that side.
    // Replicating the border continues the stripe to the left: 60 of the crop's 100 columns are
    // white. Black fill would give 10.
    cv::Mat frame(100, 100, CV_8UC3, cv::Scalar::all(0));
    frame(cv::Rect(0, 0, 10, 100)).setTo(cv::Scalar::all(255));
    const cv::Mat crop = cropFace(frame, cv::Rect2f(-50, 25, 100, 50), withoutMargin());
    ASSERT_EQ(crop.size(), cv::Size(48, 48));
    EXPECT_NEAR(meanOf(crop), 0.6, 0.02);
}

TEST(CropFace, ShrinkingAveragesFineDetailInsteadOfAliasing) {
    // A one-pixel checkerboard shrunk 9x must come out as even grey (area averaging); at an odd
    // factor, bilinear sampling lands on single pixels and would give black and white.
    cv::Mat checkerboard(480, 480, CV_8UC3);
    for (int y = 0; y < checkerboard.rows; ++y) {
        for (int x = 0; x < checkerboard.cols; ++x) {
            checkerboard.at<cv::Vec3b>(y, x) = cv::Vec3b::all((x + y) % 2 ? 255 : 0);
        }
    }
    const cv::Mat crop = cropFace(checkerboard, cv::Rect2f(0, 0, 432, 432), withoutMargin());
    double low = 0.0;
    double high = 0.0;
    cv::minMaxLoc(crop, &low, &high);
    EXPECT_GT(low, 0.4);
    EXPECT_LT(high, 0.6);
}

TEST(CropFace, SmallFaceIsEnlargedToTheModelSize) {
    const cv::Mat crop =
        cropFace(whiteSquareOnBlack(), cv::Rect2f(60, 60, 20, 20), withoutMargin());
    EXPECT_EQ(crop.size(), cv::Size(48, 48));
    EXPECT_NEAR(meanOf(crop), 1.0, 1e-6);
}

TEST(CropFace, EmptyBoxGivesAnEmptyCrop) {
    EXPECT_TRUE(cropFace(whiteSquareOnBlack(), cv::Rect2f(50, 50, 0, 100), {}).empty());
    EXPECT_TRUE(cropFace(whiteSquareOnBlack(), cv::Rect2f(50, 50, 100, -5), {}).empty());
}

TEST(CropFace, BoxEntirelyOutsideTheFrameGivesAnEmptyCrop) {
    EXPECT_TRUE(cropFace(whiteSquareOnBlack(), cv::Rect2f(300, 300, 50, 50), {}).empty());
    EXPECT_TRUE(
        cropFace(whiteSquareOnBlack(), cv::Rect2f(-100, 20, 50, 50), withoutMargin()).empty());
}

TEST(CropFace, RejectsAFrameThatIsNotBgr) {
    const cv::Mat grey(100, 100, CV_8UC1, cv::Scalar::all(128));
    EXPECT_THROW(cropFace(grey, cv::Rect2f(10, 10, 50, 50), {}), Error);
}
