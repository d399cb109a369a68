#include "review_player.h"

#include <gtest/gtest.h>
#include <QComboBox>
#include <QSlider>

#include "emotrace/error.h"
#include "review_player_controls.h"
#include "ffmpeg_clips.h"
#include "review_test_support.h"
#include "test_support.h"
#include "ui_test_support.h"

namespace emotrace::ui {
namespace {

class RecordingPlayerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        video = folder / "clip.avi";
        test::writeTestVideo(video, test::kReviewFrames, test::kReviewFps, {64, 48});
        QObject::connect(&player, &RecordingPlayer::frameShown,
                         [this](std::int64_t frame, double, const cv::Mat& image) {
                             shown.push_back(frame);
                             last_image = image.clone();
                         });
        player.open(video);
    }
    // The generated frames carry their index in their grey level (modulo 32).
    int greyOfShownFrame() const { return last_image.at<cv::Vec3b>(2, 2)[0]; }

    test::TempDir folder;
    std::filesystem::path video;
    RecordingPlayer player;
    std::vector<std::int64_t> shown;
    cv::Mat last_image;
};

TEST_F(RecordingPlayerTest, OpeningShowsTheFirstFrame) {
    EXPECT_EQ(player.frameCount(), test::kReviewFrames);
    EXPECT_DOUBLE_EQ(player.fps(), test::kReviewFps);
    EXPECT_DOUBLE_EQ(player.durationSeconds(), 6.0);
    ASSERT_EQ(shown, (std::vector<std::int64_t>{0}));
}

TEST_F(RecordingPlayerTest, SeeksAndStepsShowTheRightFrames) {
    player.seekToSeconds(4.25);
    EXPECT_EQ(player.currentFrame(), 42);
    EXPECT_NEAR(greyOfShownFrame(), test::greyLevelOfFrame(42), 4);
    player.stepBack();
    EXPECT_EQ(player.currentFrame(), 41);
    EXPECT_NEAR(greyOfShownFrame(), test::greyLevelOfFrame(41), 4);
    player.stepForward();
    player.stepForward();
    EXPECT_EQ(player.currentFrame(), 43);
    EXPECT_NEAR(greyOfShownFrame(), test::greyLevelOfFrame(43), 4);
    player.seekToSeconds(-5.0);
    EXPECT_EQ(player.currentFrame(), 0);
    player.seekToSeconds(99.0);
    EXPECT_EQ(player.currentFrame(), test::kReviewFrames - 1);
}

TEST_F(RecordingPlayerTest, PlaysUntilTheEndAtTheChosenSpeed) {
    player.setSpeed(10.0);
    EXPECT_DOUBLE_EQ(player.speed(), RecordingPlayer::kMaxSpeed);
    player.setSpeed(0.1);
    EXPECT_DOUBLE_EQ(player.speed(), RecordingPlayer::kMinSpeed);
    player.setSpeed(4.0);
    player.seekToSeconds(5.0);
    player.play();
    EXPECT_TRUE(player.isPlaying());
    ASSERT_TRUE(test::waitUntil([&] { return !player.isPlaying(); }));
    EXPECT_EQ(player.currentFrame(), test::kReviewFrames - 1);
    for (std::size_t i = 1; i < shown.size(); ++i) {
        if (shown[i - 1] >= 50) {  // from the seek on, one frame after the other
            EXPECT_EQ(shown[i], shown[i - 1] + 1);
        }
    }
}

TEST_F(RecordingPlayerTest, TheControlsFollowThePlayerAndDriveIt) {
    PlayerControls controls(player);
    player.seekToFrame(25);
    EXPECT_EQ(controls.position()->value(), 25);
    EXPECT_EQ(controls.position()->maximum(), test::kReviewFrames - 1);
    controls.position()->setValue(12);
    EXPECT_EQ(player.currentFrame(), 12);
    controls.speed()->setCurrentIndex(controls.speed()->findData(0.5));
    EXPECT_DOUBLE_EQ(player.speed(), 0.5);
}

// Every seek shows exactly the frame that reading from the start shows at that index.
void expectExactSeeks(const std::filesystem::path& video, const std::vector<std::int64_t>& frames) {
    std::vector<cv::Mat> sequential;
    cv::VideoCapture capture(video.string(), cv::CAP_FFMPEG);
    for (cv::Mat frame; capture.read(frame);)
        sequential.push_back(frame.clone());
    RecordingPlayer player;
    cv::Mat image;
    QObject::connect(&player, &RecordingPlayer::frameShown,
                     [&](std::int64_t, double, const cv::Mat& shown) { image = shown.clone(); });
    player.open(video);
    for (const std::int64_t frame : frames) {
        ASSERT_LT(static_cast<std::size_t>(frame), sequential.size());
        player.seekToFrame(frame);
        ASSERT_EQ(player.currentFrame(), frame);
        EXPECT_EQ(cv::norm(image, sequential[static_cast<std::size_t>(frame)], cv::NORM_INF), 0.0)
            << "frame " << frame << " of " << video;
    }
}

TEST(RecordingPlayer, RandomAccessShowsTheFrameSequentialDecodingShows) {
    test::TempDir folder;
    const auto video = folder / "clip.mp4";  // MPEG-4 part 2: key frames only now and then
    test::writeTestVideo(video, 90, 30.0, {64, 48});
    expectExactSeeks(video, {70, 13, 44, 45, 89, 1});
}

TEST(RecordingPlayer, RandomAccessIsExactInARealH264Recording) {
    const auto video = test::sharedData("videos/liveportrait_d3.mp4");
    if (!video)
        EMOTRACE_SKIP_WITHOUT_DATA("videos/liveportrait_d3.mp4");
    expectExactSeeks(*video, {300, 17, 150, 151, 353, 0});
}

TEST(RecordingPlayer, AVariableFrameRateRecordingShowsEachFrameAtItsOwnTime) {
    if (!test::haveFfmpegTools())
        EMOTRACE_SKIP_UNLESS_REQUIRED(test::kNoFfmpegReason);
    test::TempDir folder;
    const auto video = test::makeVariableRateClip(folder.path());
    RecordingPlayer player;
    player.open(video);
    ASSERT_EQ(player.frameCount(), 45);
    EXPECT_NEAR(player.secondsOfFrame(30), 1.0, 1e-3);
    EXPECT_NEAR(player.secondsOfFrame(31), 1.2, 1e-3);
    EXPECT_EQ(player.frameAtSeconds(1.1), 30) << "frame 30 is on show until 1.2 s";
    EXPECT_EQ(player.frameAtSeconds(1.2), 31);
    EXPECT_EQ(player.frameAtSeconds(3.9), 44);
    EXPECT_NEAR(player.durationSeconds(), 3.8 + 1.0 / player.fps(), 1e-3);
    expectExactSeeks(video, {40, 5, 31, 30, 44, 0});
}

TEST(RecordingPlayer, APhoneClipStoredSidewaysIsShownUpright) {
    if (!test::haveFfmpegTools())
        EMOTRACE_SKIP_UNLESS_REQUIRED(test::kNoFfmpegReason);
    test::TempDir folder;
    RecordingPlayer player;
    cv::Mat image;
    QObject::connect(&player, &RecordingPlayer::frameShown,
                     [&](std::int64_t, double, const cv::Mat& shown) { image = shown.clone(); });
    player.open(test::makeRotatedClip(folder.path(), 90));
    EXPECT_EQ(image.size(), cv::Size(160, 120));
    EXPECT_TRUE(test::boxInTopLeft(image));
    player.seekToFrame(7);
    EXPECT_TRUE(test::boxInTopLeft(image));
}

TEST(RecordingPlayer, AMissingRecordingIsNamed) {
    RecordingPlayer player;
    try {
        player.open("/nonexistent/session.mp4");
        FAIL() << "expected SourceError";
    } catch (const SourceError& error) {
        EXPECT_NE(std::string(error.what()).find("/nonexistent/session.mp4"), std::string::npos);
    }
    EXPECT_FALSE(player.isOpen());
}

}  // namespace
}  // namespace emotrace::ui
