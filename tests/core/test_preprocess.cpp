#include <cmath>

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

TEST(CropFace, RejectsANegativeLevellingBand) {
    CropOptions options;
    options.level_beyond_degrees = -1.0f;
    EXPECT_THROW(cropFace(whiteSquareOnBlack(), cv::Rect2f(50, 50, 100, 100), options), Error);
}

TEST(CropFace, RejectsAFrameThatIsNotBgr) {
    const cv::Mat grey(100, 100, CV_8UC1, cv::Scalar::all(128));
    EXPECT_THROW(cropFace(grey, cv::Rect2f(10, 10, 50, 50), {}), Error);
}

namespace {

// A face-like pattern on grey: two dark eyes on a horizontal line, a nose and a wide mouth,
// drawn upright around (150,150) and then turned by `degrees` (OpenCV's sense: anticlockwise
// as seen). The landmarks are turned with it.
struct DrawnFace {
    cv::Mat frame;
    std::vector<cv::Point2f> landmarks;
};

DrawnFace drawnFace(double degrees) {
    cv::Mat upright(300, 300, CV_8UC3, cv::Scalar::all(170));
    const std::vector<cv::Point2f> points = {
        {125, 135}, {175, 135}, {150, 160}, {130, 185}, {170, 185}};
    cv::circle(upright, points[0], 8, cv::Scalar::all(20), cv::FILLED);
    cv::circle(upright, points[1], 8, cv::Scalar::all(20), cv::FILLED);
    cv::line(upright, {150, 140}, points[2], cv::Scalar::all(90), 4);
    cv::line(upright, points[3], points[4], cv::Scalar::all(40), 6);
    const cv::Mat turn = cv::getRotationMatrix2D({150, 150}, degrees, 1.0);
    DrawnFace face;
    cv::warpAffine(upright, face.frame, turn, upright.size(), cv::INTER_LINEAR,
                   cv::BORDER_REPLICATE);
    cv::transform(points, face.landmarks, turn);
    return face;
}

double meanAbsoluteDifference(const cv::Mat& a, const cv::Mat& b) {
    return cv::norm(a, b, cv::NORM_L1) / static_cast<double>(a.total());
}

const cv::Rect2f kDrawnFaceBox(100, 100, 100, 100);

}  // namespace

TEST(EyeLineAngle, IsPositiveWhenTheEyeOnTheRightIsLower) {
    const std::vector<cv::Point2f> level = {{100, 100}, {140, 100}};
    const std::vector<cv::Point2f> right_lower = {{100, 100}, {140, 140}};
    const std::vector<cv::Point2f> right_higher = {{100, 100}, {140, 60}};
    EXPECT_NEAR(eyeLineAngle(level), 0.0, 1e-9);
    EXPECT_NEAR(eyeLineAngle(right_lower), 45.0, 1e-6);
    EXPECT_NEAR(eyeLineAngle(right_higher), -45.0, 1e-6);
    EXPECT_EQ(eyeLineAngle({}), 0.0) << "no landmarks: nothing to level";
    const std::vector<cv::Point2f> same_point = {{100, 100}, {100, 100}};
    EXPECT_EQ(eyeLineAngle(same_point), 0.0);
}

TEST(LevellingTurn, TakesOutTheTiltBeyondTheBand) {
    const std::vector<cv::Point2f> tilted_25 = {
        {0, 0},
        {static_cast<float>(std::cos(25.0 * CV_PI / 180.0)),
         static_cast<float>(std::sin(25.0 * CV_PI / 180.0))}};
    const std::vector<cv::Point2f> tilted_minus_6 = {
        {0, 0},
        {static_cast<float>(std::cos(6.0 * CV_PI / 180.0)),
         -static_cast<float>(std::sin(6.0 * CV_PI / 180.0))}};
    const CropOptions app;  // the band is 10 degrees
    EXPECT_NEAR(levellingTurn(tilted_25, app), 15.0, 1e-4);
    EXPECT_EQ(levellingTurn(tilted_minus_6, app), 0.0) << "within the band: left as it is";
    CropOptions fully = app;
    fully.level_beyond_degrees = 0.0f;
    EXPECT_NEAR(levellingTurn(tilted_25, fully), 25.0, 1e-4);
    EXPECT_NEAR(levellingTurn(tilted_minus_6, fully), -6.0, 1e-4);
    CropOptions off = app;
    off.level_eyes = false;
    EXPECT_EQ(levellingTurn(tilted_25, off), 0.0);
    // For a companion model of tilted faces: beyond the band all of the tilt, within it none.
    CropOptions for_tilted_model = app;
    for_tilted_model.level_tilted_fully = true;
    EXPECT_NEAR(levellingTurn(tilted_25, for_tilted_model), 25.0, 1e-4);
    EXPECT_EQ(levellingTurn(tilted_minus_6, for_tilted_model), 0.0);
}

TEST(BeyondLevellingBand, SaysWhetherTheCropTurnsTheFace) {
    const std::vector<cv::Point2f> tilted_25 = {
        {0, 0},
        {static_cast<float>(std::cos(25.0 * CV_PI / 180.0)),
         -static_cast<float>(std::sin(25.0 * CV_PI / 180.0))}};
    const std::vector<cv::Point2f> tilted_6 = {{0, 0},
                                               {static_cast<float>(std::cos(6.0 * CV_PI / 180.0)),
                                                static_cast<float>(std::sin(6.0 * CV_PI / 180.0))}};
    const CropOptions app;
    EXPECT_TRUE(beyondLevellingBand(tilted_25, app));
    EXPECT_FALSE(beyondLevellingBand(tilted_6, app));
    EXPECT_FALSE(beyondLevellingBand({}, app)) << "no landmarks (Haar): never turned";
    CropOptions off = app;
    off.level_eyes = false;
    EXPECT_FALSE(beyondLevellingBand(tilted_25, off));
    CropOptions fully = app;
    fully.level_beyond_degrees = 0.0f;
    EXPECT_TRUE(beyondLevellingBand(tilted_6, fully));
}

TEST(CropFace, LevelsTheEyesOfATiltedFace) {
    CropOptions fully;
    fully.level_beyond_degrees = 0.0f;
    const DrawnFace upright = drawnFace(0.0);
    const cv::Mat reference = cropFace(upright.frame, kDrawnFaceBox, fully, upright.landmarks);
    for (double degrees : {-30.0, -20.0, 20.0, 30.0}) {
        SCOPED_TRACE(degrees);
        const DrawnFace tilted = drawnFace(degrees);
        const cv::Mat levelled = cropFace(tilted.frame, kDrawnFaceBox, fully, tilted.landmarks);
        CropOptions as_before;
        as_before.level_eyes = false;
        const cv::Mat unlevelled =
            cropFace(tilted.frame, kDrawnFaceBox, as_before, tilted.landmarks);
        // Levelled, the tilted face comes out as the upright one (up to resampling); left as
        // it is, the eyes and mouth land elsewhere.
        EXPECT_LT(meanAbsoluteDifference(levelled, reference), 0.01);
        EXPECT_GT(meanAbsoluteDifference(unlevelled, reference), 0.03);
    }
}

TEST(CropFace, TheAppsCropLeavesAFaceWithinTheBandAndTurnsOneBeyondItBackToTheBand) {
    const CropOptions app;
    for (double degrees : {-8.0, 5.0}) {
        SCOPED_TRACE(degrees);
        const DrawnFace leaning = drawnFace(degrees);
        EXPECT_EQ(cv::norm(cropFace(leaning.frame, kDrawnFaceBox, app, leaning.landmarks),
                           cropFace(leaning.frame, kDrawnFaceBox, app), cv::NORM_INF),
                  0.0);
    }
    // drawnFace turns anticlockwise for a positive angle, which raises the eye on the right:
    // a tilt of -angle in eyeLineAngle's sense. 25 degrees comes out as 10.
    for (double degrees : {-25.0, 25.0}) {
        SCOPED_TRACE(degrees);
        const DrawnFace tilted = drawnFace(degrees);
        const DrawnFace at_the_band = drawnFace(std::copysign(10.0, degrees));
        const cv::Mat reference =
            cropFace(at_the_band.frame, kDrawnFaceBox, app, at_the_band.landmarks);
        EXPECT_LT(meanAbsoluteDifference(
                      cropFace(tilted.frame, kDrawnFaceBox, app, tilted.landmarks), reference),
                  0.01);
        EXPECT_GT(meanAbsoluteDifference(cropFace(tilted.frame, kDrawnFaceBox, app), reference),
                  0.02);
    }
}

TEST(CropFace, ForATiltedFaceModelAFaceBeyondTheBandComesOutLevelAndOneWithinItAsItIs) {
    CropOptions for_tilted_model;
    for_tilted_model.level_tilted_fully = true;
    CropOptions fully;
    fully.level_beyond_degrees = 0.0f;
    const DrawnFace upright = drawnFace(0.0);
    const cv::Mat level = cropFace(upright.frame, kDrawnFaceBox, fully, upright.landmarks);
    for (double degrees : {-25.0, 25.0}) {
        SCOPED_TRACE(degrees);
        const DrawnFace tilted = drawnFace(degrees);
        const cv::Mat crop =
            cropFace(tilted.frame, kDrawnFaceBox, for_tilted_model, tilted.landmarks);
        EXPECT_LT(meanAbsoluteDifference(crop, level), 0.01) << "turned all the way";
        const CropOptions app;
        EXPECT_GT(meanAbsoluteDifference(
                      cropFace(tilted.frame, kDrawnFaceBox, app, tilted.landmarks), level),
                  0.02)
            << "the app's crop without the companion stops at the band's edge";
    }
    const DrawnFace leaning = drawnFace(6.0);
    EXPECT_EQ(cv::norm(cropFace(leaning.frame, kDrawnFaceBox, for_tilted_model, leaning.landmarks),
                       cropFace(leaning.frame, kDrawnFaceBox, {}), cv::NORM_INF),
              0.0)
        << "within the band: exactly the crop without landmarks";
}

TEST(CropFace, LevelEyesChangesNothingWhenTheEyesAreLevelOrUnknown) {
    const DrawnFace upright = drawnFace(0.0);
    const cv::Mat plain = cropFace(upright.frame, kDrawnFaceBox, {});
    // Exactly level eyes, even when levelling fully: pixel for pixel the crop without
    // landmarks.
    CropOptions fully;
    fully.level_beyond_degrees = 0.0f;
    EXPECT_EQ(cv::norm(cropFace(upright.frame, kDrawnFaceBox, fully, upright.landmarks), plain,
                       cv::NORM_INF),
              0.0);
    // Haar gives no landmarks; with level_eyes off the landmarks are ignored.
    const DrawnFace tilted = drawnFace(25.0);
    CropOptions off;
    off.level_eyes = false;
    EXPECT_EQ(cv::norm(cropFace(tilted.frame, kDrawnFaceBox, off, tilted.landmarks),
                       cropFace(tilted.frame, kDrawnFaceBox, {}), cv::NORM_INF),
              0.0);
}

TEST(CropFace, ALevelledCropNearTheFrameEdgeReplicatesTheBorder) {
    // A white stripe along the left edge, a box reaching 50 px out of the frame, eyes tilted
    // 20 degrees: the turned crop still fills from the replicated border, never black.
    cv::Mat frame(200, 200, CV_8UC3, cv::Scalar::all(0));
    frame(cv::Rect(0, 0, 10, 200)).setTo(cv::Scalar::all(255));
    const std::vector<cv::Point2f> eyes = {{10, 80}, {40, 91}};
    CropOptions options = withoutMargin();
    options.level_beyond_degrees = 0.0f;
    const cv::Mat crop = cropFace(frame, cv::Rect2f(-50, 50, 100, 100), options, eyes);
    ASSERT_EQ(crop.size(), cv::Size(48, 48));
    EXPECT_NEAR(meanOf(crop), 0.6, 0.05);
}
