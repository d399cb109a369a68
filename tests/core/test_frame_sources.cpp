#include <chrono>
#include <fstream>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include <atomic>

#include "emotrace/error.h"
#include "emotrace/frame_source.h"
#include "generated_video.h"
#include "test_support.h"

using namespace emotrace;
using emotrace::test::TempDir;
using Millis = std::chrono::duration<double, std::milli>;

namespace {

std::vector<Frame> readAll(FrameSource& source) {
    std::vector<Frame> frames;
    std::stop_source never_stopped;
    while (auto frame = source.next(never_stopped.get_token()))
        frames.push_back(*frame);
    return frames;
}

// Keeps the first `fraction` of a file's bytes, as an interrupted copy or download would.
void truncateCopy(const std::filesystem::path& from, const std::filesystem::path& to,
                  double fraction) {
    std::filesystem::copy_file(from, to);
    const auto size = std::filesystem::file_size(to);
    std::filesystem::resize_file(to,
                                 static_cast<std::uintmax_t>(static_cast<double>(size) * fraction));
}

std::string messageOf(const std::function<void()>& action) {
    try {
        action();
    } catch (const SourceError& error) {
        return error.what();
    }
    return "(no SourceError thrown)";
}

}  // namespace

TEST(VideoFileSource, ReadsEveryFrameOfAGeneratedVideoInOrder) {
    TempDir dir;
    test::writeTestVideo(dir / "clip.avi", 24, 12.0, {160, 120});
    auto source = openVideoFile((dir / "clip.avi").string(), Pacing::AsFastAsPossible);
    const auto frames = readAll(*source);
    ASSERT_EQ(frames.size(), 24u);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(frames[i].index, static_cast<std::int64_t>(i));
        EXPECT_EQ(frames[i].image.size(), cv::Size(160, 120));
        EXPECT_EQ(frames[i].image.type(), CV_8UC3);
        // The corner stays clear of the moving square, so it shows the frame's grey level.
        EXPECT_NEAR(frames[i].image.at<cv::Vec3b>(2, 2)[0],
                    test::greyLevelOfFrame(static_cast<int>(i)), 4);
    }
}

TEST(VideoFileSource, TimestampsAreMediaTimeFromTheFrameRate) {
    TempDir dir;
    test::writeTestVideo(dir / "clip.avi", 10, 25.0, {64, 48});
    auto source = openVideoFile((dir / "clip.avi").string(), Pacing::AsFastAsPossible);
    const auto frames = readAll(*source);
    ASSERT_EQ(frames.size(), 10u);
    for (const auto& frame : frames) {
        EXPECT_DOUBLE_EQ(frame.timestamp_ms, static_cast<double>(frame.index) * 40.0);
    }
}

TEST(VideoFileSource, CapturedAtIsWhenTheFrameLeftTheSource) {
    TempDir dir;
    test::writeTestVideo(dir / "clip.avi", 3, 25.0, {64, 48});
    auto source = openVideoFile((dir / "clip.avi").string(), Pacing::AsFastAsPossible);
    std::stop_source stop;
    const auto before = SteadyClock::now();
    const auto frame = source->next(stop.get_token());
    const auto after = SteadyClock::now();
    ASSERT_TRUE(frame);
    EXPECT_GE(frame->captured_at, before);
    EXPECT_LE(frame->captured_at, after);
}

TEST(VideoFileSource, InfoDescribesTheFile) {
    TempDir dir;
    test::writeTestVideo(dir / "clip.avi", 15, 15.0, {96, 64});
    auto source = openVideoFile((dir / "clip.avi").string(), Pacing::AsFastAsPossible);
    const SourceInfo info = source->info();
    EXPECT_NE(info.description.find("clip.avi"), std::string::npos) << info.description;
    EXPECT_DOUBLE_EQ(info.fps, 15.0);
    EXPECT_EQ(info.width, 96);
    EXPECT_EQ(info.height, 64);
    EXPECT_EQ(info.frame_count, 15);
}

TEST(VideoFileSource, RealTimePacingNeverReturnsAFrameBeforeItsMediaTime) {
    TempDir dir;
    test::writeTestVideo(dir / "clip.avi", 6, 20.0, {64, 48});
    auto source = openVideoFile((dir / "clip.avi").string(), Pacing::RealTime);
    std::stop_source stop;
    const auto started = SteadyClock::now();
    int returned = 0;
    while (auto frame = source->next(stop.get_token())) {
        const double returned_after_ms = Millis(SteadyClock::now() - started).count();
        EXPECT_GE(returned_after_ms, frame->timestamp_ms) << "frame " << frame->index;
        EXPECT_GE(frame->captured_at, started + std::chrono::duration_cast<SteadyClock::duration>(
                                                    Millis(frame->timestamp_ms)));
        ++returned;
    }
    EXPECT_EQ(returned, 6);
}

TEST(VideoFileSource, StopRequestedBeforeNextReturnsNothing) {
    TempDir dir;
    test::writeTestVideo(dir / "clip.avi", 3, 25.0, {64, 48});
    auto source = openVideoFile((dir / "clip.avi").string(), Pacing::AsFastAsPossible);
    std::stop_source stop;
    stop.request_stop();
    EXPECT_FALSE(source->next(stop.get_token()));
}

TEST(VideoFileSource, StopRequestEndsAWaitForAFrameDueInTenSeconds) {
    TempDir dir;
    test::writeTestVideo(dir / "slow.avi", 3, 0.1, {64, 48});
    auto source = openVideoFile((dir / "slow.avi").string(), Pacing::RealTime);
    std::stop_source stop;
    ASSERT_TRUE(source->next(stop.get_token()));  // frame 0 is due at once; frame 1 in 10 s
    std::atomic<pid_t> waiter{0};
    auto waiting = std::async(std::launch::async, [&] {
        waiter = test::currentThreadId();
        return source->next(stop.get_token());
    });
    while (waiter == 0)
        std::this_thread::yield();
    // The stop comes while next() is asleep waiting for frame 1, not before it waits.
    ASSERT_TRUE(test::waitUntilSleeping(waiter, std::chrono::milliseconds(5000)));
    stop.request_stop();
    // Generous bound: a behavioural check that the wait is interrupted, not a timing test.
    ASSERT_EQ(waiting.wait_for(std::chrono::seconds(5)), std::future_status::ready)
        << "next() kept waiting for the frame after stop was requested";
    EXPECT_FALSE(waiting.get());
}

TEST(VideoFileSource, MissingFileErrorNamesThePath) {
    const std::string path = "/nonexistent/emotrace/session.mp4";
    const std::string message = messageOf([&] { openVideoFile(path, Pacing::RealTime); });
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("not found"), std::string::npos) << message;
}

TEST(VideoFileSource, FileThatIsNoVideoIsRejectedWithThatReason) {
    TempDir dir;
    std::ofstream(dir / "notes.mp4") << "these are session notes, not a video\n";
    const std::string message =
        messageOf([&] { openVideoFile((dir / "notes.mp4").string(), Pacing::RealTime); });
    EXPECT_NE(message.find("is not a video file ffmpeg recognises"), std::string::npos) << message;
    EXPECT_NE(message.find("notes.mp4"), std::string::npos) << message;
}

TEST(VideoFileSource, TruncatedGeneratedVideoThrowsNamingTheFrameWhereItBroke) {
    TempDir dir;
    test::writeTestVideo(dir / "whole.avi", 60, 25.0, {160, 120});
    truncateCopy(dir / "whole.avi", dir / "cut.avi", 0.5);
    auto source = openVideoFile((dir / "cut.avi").string(), Pacing::AsFastAsPossible);
    const std::string message = messageOf([&] { readAll(*source); });
    EXPECT_NE(message.find("broke at frame"), std::string::npos) << message;
    EXPECT_NE(message.find("of 60 expected"), std::string::npos) << message;
}

TEST(VideoFileSource, IntactRealMp4ReadsToItsEndWithoutError) {
    const auto clip = test::sharedData("videos/liveportrait_d20.mp4");
    if (!clip)
        EMOTRACE_SKIP_WITHOUT_DATA("videos/liveportrait_d20.mp4");
    auto source = openVideoFile(clip->string(), Pacing::AsFastAsPossible);
    const SourceInfo info = source->info();
    EXPECT_DOUBLE_EQ(info.fps, 25.0);
    EXPECT_EQ(info.width, 480);
    EXPECT_EQ(info.height, 480);
    std::vector<Frame> frames;
    ASSERT_NO_THROW(frames = readAll(*source));
    EXPECT_NEAR(static_cast<double>(frames.size()), static_cast<double>(info.frame_count), 3.0);
}

TEST(VideoFileSource, TruncatedRealMp4ThrowsNamingTheFrameWhereItBroke) {
    // d20 keeps its index (moov) before the media data, so half the file still opens and
    // promises every frame: the break shows only mid-stream, as a cut download would.
    const auto clip = test::sharedData("videos/liveportrait_d20.mp4");
    if (!clip)
        EMOTRACE_SKIP_WITHOUT_DATA("videos/liveportrait_d20.mp4");
    TempDir dir;
    truncateCopy(*clip, dir / "cut.mp4", 0.5);
    auto source = openVideoFile((dir / "cut.mp4").string(), Pacing::AsFastAsPossible);
    const std::string message = messageOf([&] { readAll(*source); });
    EXPECT_NE(message.find("broke at frame"), std::string::npos) << message;
    EXPECT_NE(message.find("of 175 expected"), std::string::npos) << message;
}

TEST(CameraSource, UnavailableCameraErrorNamesTheDevice) {
    const std::string message = messageOf([] { openCamera(99); });
    EXPECT_NE(message.find("camera 99"), std::string::npos) << message;
    EXPECT_NE(message.find("/dev/video99"), std::string::npos) << message;
}
