// VideoRecorder: what it writes reads back with VideoReader frame for frame, each frame at the
// time it was given, owner-only; a kill leaves a playable file; a full disk is an error that
// names the file.
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "emotrace/error.h"
#include "emotrace/video_reader.h"
#include "emotrace/video_recorder.h"
#include "test_support.h"

namespace emotrace {
namespace {

// Frame n is one flat grey level, far enough from its neighbours' to survive compression, so a
// decoded frame tells which frame it was.
cv::Mat numberedFrame(int n, cv::Size size = {160, 120}) {
    return cv::Mat(size, CV_8UC3, cv::Scalar::all(20 + (n % 12) * 18));
}

int frameNumberOf(const cv::Mat& decoded, int near) {
    const double level = cv::mean(decoded)[0];
    const int wrapped = static_cast<int>(std::lround((level - 20.0) / 18.0));
    // The level repeats every 12 frames; the caller knows the frame within a few.
    int best = near;
    for (int n = near - 5; n <= near + 5; ++n) {
        if (((n % 12) + 12) % 12 == wrapped) {
            best = n;
            break;
        }
    }
    return best;
}

// Irregular times, as live frames come: 25-45 ms apart, a 300 ms gap, two in one millisecond.
std::vector<double> liveTimes(int count) {
    std::vector<double> times;
    double t = 0.0;
    for (int n = 0; n < count; ++n) {
        times.push_back(t);
        t += n == 20 ? 300.0 : 25.0 + (n * 7) % 21 + 0.37;
    }
    times[31] = times[30] + 0.4;  // same millisecond as the frame before
    return times;
}

TEST(VideoRecorder, EveryFrameReadsBackInOrderAtItsOwnTime) {
    test::TempDir dir;
    const auto file = dir / "session.mkv";
    const auto times = liveTimes(60);
    {
        VideoRecorder recorder(file, {160, 120});
        for (int n = 0; n < 60; ++n)
            recorder.write(numberedFrame(n), times[n]);
        recorder.finish();
        EXPECT_EQ(recorder.framesWritten(), 60);
    }
    const auto frame_times = videoFrameTimes(file);
    ASSERT_EQ(frame_times.size(), 60u);
    VideoReader reader(file);
    for (int n = 0; n < 60; ++n) {
        const auto frame = reader.read();
        ASSERT_TRUE(frame) << "frame " << n;
        EXPECT_EQ(frameNumberOf(frame->image, n), n);
        // Never after its reading's time, and within the millisecond it was rounded down to
        // (the one frame sharing a millisecond moves one later).
        const double expected = n == 31 ? std::floor(times[30]) + 1.0 : std::floor(times[n]);
        EXPECT_NEAR(frame->timestamp_ms, expected, 0.01) << "frame " << n;
        EXPECT_NEAR(frame_times[static_cast<std::size_t>(n)], expected, 0.01) << "frame " << n;
    }
    EXPECT_FALSE(reader.read());
}

// A session whose first reading came late (its first frames dropped): the file's clock is still
// the session's, and the frame on show at each reading's time is that reading's frame.
TEST(VideoRecorder, AFirstFrameAfterTimeZeroKeepsTheSessionsClock) {
    test::TempDir dir;
    const auto file = dir / "session.mkv";
    const std::vector<double> times = {66.0, 99.5, 133.0, 200.2};
    {
        VideoRecorder recorder(file, {64, 48});
        for (std::size_t n = 0; n < times.size(); ++n)
            recorder.write(numberedFrame(static_cast<int>(n), {64, 48}), times[n]);
    }
    const auto frame_times = videoFrameTimes(file);
    ASSERT_EQ(frame_times.size(), times.size());
    EXPECT_NEAR(frame_times[0], 0.0, 0.01) << "shown from the start";
    for (std::size_t n = 1; n < times.size(); ++n)
        EXPECT_NEAR(frame_times[n], std::floor(times[n]), 0.01) << "frame " << n;
    for (std::size_t n = 0; n < times.size(); ++n) {
        const auto after =
            std::upper_bound(frame_times.begin(), frame_times.end(), times[n] + 1e-3);
        EXPECT_EQ(static_cast<std::size_t>(after - frame_times.begin()) - 1, n)
            << "at " << times[n];
    }
}

TEST(VideoRecorder, TheFileIsOwnerOnlyAndNeverOverwritten) {
    test::TempDir dir;
    const auto file = dir / "session.mkv";
    {
        VideoRecorder recorder(file, {64, 48});
        recorder.write(numberedFrame(0, {64, 48}), 0.0);
    }
    struct stat info {};
    ASSERT_EQ(::stat(file.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    try {
        VideoRecorder again(file, {64, 48});
        FAIL() << "an existing recording was overwritten";
    } catch (const OutputError& error) {
        EXPECT_NE(std::string(error.what()).find("exists already"), std::string::npos)
            << error.what();
    }
    EXPECT_GT(std::filesystem::file_size(file), 0u);
}

TEST(VideoRecorder, AMissingFolderIsAnErrorNamingTheFile) {
    test::TempDir dir;
    const auto file = dir / "no-such-folder" / "session.mkv";
    try {
        VideoRecorder recorder(file, {64, 48});
        FAIL() << "no error";
    } catch (const OutputError& error) {
        EXPECT_NE(std::string(error.what()).find(file.string()), std::string::npos) << error.what();
        EXPECT_NE(std::string(error.what()).find("No such file"), std::string::npos)
            << error.what();
    }
}

TEST(VideoRecorder, OddAndChangingFrameSizesStillRecordOneSize) {
    test::TempDir dir;
    const auto file = dir / "session.mkv";
    {
        VideoRecorder recorder(file, {161, 121});
        EXPECT_EQ(recorder.size(), cv::Size(160, 120));
        recorder.write(numberedFrame(0, {161, 121}), 0.0);
        recorder.write(numberedFrame(1, {320, 240}), 40.0);  // a resized screen region
        recorder.write(cv::Mat(121, 161, CV_8UC1, cv::Scalar(200)), 80.0);
    }
    VideoReader reader(file);
    int frames = 0;
    while (const auto frame = reader.read()) {
        EXPECT_EQ(frame->image.size(), cv::Size(160, 120));
        ++frames;
    }
    EXPECT_EQ(frames, 3);
}

// kill -9 while recording: the file plays up to the last flush (Matroska needs no index at
// the end, which an MP4 would).
TEST(VideoRecorder, AKilledRecordingPlaysUpToItsLastFlush) {
    test::TempDir dir;
    const auto file = dir / "session.mkv";
    int report[2];
    ASSERT_EQ(::pipe(report), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        VideoRecorder recorder(file, {160, 120});
        int flushed = 0;
        for (int n = 0; n < 100; ++n) {
            recorder.write(numberedFrame(n), n * 33.0);
            if (n % 8 == 7) {
                recorder.flush();
                flushed = n + 1;
            }
        }
        // Frames 96..99 are encoded but not flushed when the process dies.
        [[maybe_unused]] const auto written = ::write(report[1], &flushed, sizeof flushed);
        ::raise(SIGKILL);
    }
    int flushed = 0;
    ASSERT_EQ(::read(report[0], &flushed, sizeof flushed), static_cast<ssize_t>(sizeof flushed));
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status));
    ::close(report[0]);
    ::close(report[1]);
    ASSERT_EQ(flushed, 96);
    VideoReader reader(file);
    int frames = 0;
    while (const auto frame = reader.read()) {
        EXPECT_EQ(frameNumberOf(frame->image, frames), frames);
        EXPECT_NEAR(frame->timestamp_ms, frames * 33.0, 0.01);
        ++frames;
    }
    EXPECT_GE(frames, flushed);
    EXPECT_EQ(static_cast<int>(videoFrameTimes(file).size()), frames);
}

// A disk that fills (a file size limit in a child process fails writes as a full disk does).
TEST(VideoRecorder, AFullDiskIsAnErrorNamingTheFile) {
    test::TempDir dir;
    const auto file = dir / "session.mkv";
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{64 << 10, 64 << 10};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        try {
            VideoRecorder recorder(file, {320, 240});
            cv::Mat noise(240, 320, CV_8UC3);  // noise does not compress
            for (int n = 0; n < 500; ++n) {
                cv::randu(noise, 0, 255);
                recorder.write(noise, n * 33.0);
                recorder.flush();
            }
            recorder.finish();
        } catch (const OutputError& error) {
            const std::string message = error.what();
            ::_exit(message.find(file.string()) != std::string::npos ? 0 : 2);
        }
        ::_exit(1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: no error; 2: the error did not name the file";
}

}  // namespace
}  // namespace emotrace
