#include "video_view.h"

#include <gtest/gtest.h>

#include "emotion_palette.h"
#include "ui_test_support.h"

namespace emotrace::ui {
namespace {

using test::face;
using test::frameResult;

QImage render(VideoView& view) {
    QImage image(view.size(), QImage::Format_ARGB32);
    image.fill(Qt::magenta);
    view.render(&image);
    return image;
}

bool near(QColor actual, QColor expected, int tolerance = 12) {
    return std::abs(actual.red() - expected.red()) <= tolerance &&
           std::abs(actual.green() - expected.green()) <= tolerance &&
           std::abs(actual.blue() - expected.blue()) <= tolerance;
}

::testing::AssertionResult pixelIs(const QImage& image, int x, int y, QColor expected) {
    const QColor actual = image.pixelColor(x, y);
    if (near(actual, expected))
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "pixel (" << x << "," << y << ") is " << actual.name().toStdString() << ", expected "
           << expected.name().toStdString();
}

TEST(VideoView, ConvertsBgrToRgb) {
    const cv::Mat bgr(2, 2, CV_8UC3, cv::Scalar(255, 0, 0));  // blue in BGR
    const QImage image = toQImage(bgr);
    ASSERT_FALSE(image.isNull());
    EXPECT_EQ(image.pixelColor(1, 1), QColor(0, 0, 255));
}

TEST(VideoView, DrawsTheBoxInTheTopEmotionsColour) {
    VideoView view;
    view.resize(200, 150);
    view.setLabels({"happy", "sad"});
    // A 400x300 frame in a 200x150 view: scale 0.5, no letterbox.
    view.showResult(frameResult(0, {face({100, 100, 100, 80}, {0.9f, 0.1f})}, {400, 300}));
    const QImage image = render(view);
    const QColor happy = emotionColor("happy", 0);
    EXPECT_TRUE(pixelIs(image, 50, 70, happy));      // left edge of the box at (50,50)-(100,90)
    EXPECT_TRUE(pixelIs(image, 99, 75, happy));      // right edge
    EXPECT_TRUE(pixelIs(image, 75, 70, Qt::black));  // inside: the frame shows through
    EXPECT_TRUE(pixelIs(image, 20, 20, Qt::black));  // away from the face
}

TEST(VideoView, ALowQualityReadingIsDimmedAndSaysWhy) {
    VideoView view;
    view.resize(200, 150);
    view.setLabels({"happy", "sad"});
    const QColor happy = emotionColor("happy", 0);
    const QColor dimmed((happy.red() + 128) / 2, (happy.green() + 128) / 2,
                        (happy.blue() + 128) / 2);
    auto good = face({100, 100, 100, 80}, {0.9f, 0.1f});
    good.quality = ReadingQuality{};
    good.quality->quality = 0.9;
    view.showResult(frameResult(0, {good}, {400, 300}));
    // The caption's fill, left of its text, just above the box at (50,50)-(100,90).
    EXPECT_TRUE(pixelIs(render(view), 50, 47, happy));

    auto low = good;
    low.quality->quality = 0.3;
    low.quality->limited_by = "blurred";
    view.showResult(frameResult(0, {low}, {400, 300}));
    const QImage image = render(view);
    EXPECT_TRUE(pixelIs(image, 50, 47, dimmed));
    EXPECT_FALSE(near(image.pixelColor(50, 47), happy));
}

TEST(VideoView, DrawsOneBarPerClassUnderTheBox) {
    VideoView view;
    view.resize(400, 300);
    view.setLabels({"happy", "sad"});
    // Scale 1: the 26 px high bars sit in a strip from y = 155 to 181 under the box.
    view.showResult(frameResult(0, {face({100, 50, 100, 100}, {0.9f, 0.1f})}, {400, 300}));
    const QImage image = render(view);
    EXPECT_TRUE(pixelIs(image, 125, 175, emotionColor("happy", 0)));  // tall: 0.9 of the strip
    EXPECT_TRUE(pixelIs(image, 175, 179, emotionColor("sad", 1)));    // short: 0.1
    EXPECT_TRUE(pixelIs(image, 175, 165, Qt::black));                 // above the short bar
}

TEST(VideoView, WithoutAModelDrawsPlainBoxes) {
    VideoView view;
    view.resize(200, 150);
    view.showResult(frameResult(0, {face({100, 100, 100, 80}, {})}, {400, 300}));
    const QImage image = render(view);
    EXPECT_TRUE(pixelIs(image, 50, 70, plainFaceColor()));
    EXPECT_TRUE(pixelIs(image, 75, 70, Qt::black));
}

TEST(VideoView, LetterboxesKeepingTheAspectRatio) {
    VideoView view;
    view.resize(200, 150);
    FrameResult wide = frameResult(0, {}, {400, 100});  // shown as 200x50 at y = 50..100
    wide.image.setTo(cv::Scalar::all(255));
    view.showResult(wide);
    const QImage image = render(view);
    EXPECT_TRUE(pixelIs(image, 100, 75, Qt::white));
    EXPECT_TRUE(pixelIs(image, 100, 10, QColor(18, 18, 18)));
    EXPECT_TRUE(pixelIs(image, 100, 140, QColor(18, 18, 18)));
    const QRectF box = view.frameToWidget({0, 0, 400, 100});
    EXPECT_DOUBLE_EQ(box.top(), 50.0);
    EXPECT_DOUBLE_EQ(box.height(), 50.0);
}

}  // namespace
}  // namespace emotrace::ui
