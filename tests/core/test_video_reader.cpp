// VideoReader on recordings as they really come: phone clips stored sideways with a display
// rotation, variable-frame-rate call recordings, the containers and codecs recorders write, and
// files that are no readable video. The clips are made with the ffmpeg program, and ffmpeg's
// own reading of them (ffprobe's frame times, ffmpeg's rotated rendering) is the reference.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "emotrace/error.h"
#include "emotrace/frame_source.h"
#include "emotrace/video_reader.h"
#include "ffmpeg_clips.h"
#include "test_support.h"

namespace emotrace {
namespace {

using test::shellQuoted;

using test::boxInTopLeft;
using test::ffprobeFrameTimes;

std::string ffmpeg(const std::string& arguments) {
    return "ffmpeg -nostdin -v error -y " + arguments;
}

std::filesystem::path makeUprightClip(const test::TempDir& dir, int frames = 10) {
    return test::makeUprightClip(dir.path(), frames);
}

std::filesystem::path makeRotatedClip(const test::TempDir& dir, int rotation) {
    return test::makeRotatedClip(dir.path(), rotation);
}

std::filesystem::path makeVariableRateClip(const test::TempDir& dir) {
    return test::makeVariableRateClip(dir.path());
}

// ffmpeg's own rendering of the first frame, rotation applied as its players do.
cv::Mat ffmpegFirstFrame(const std::filesystem::path& clip, const test::TempDir& dir) {
    const auto png = dir / "ffmpeg-frame.png";
    EXPECT_TRUE(test::runFfmpeg("-i " + shellQuoted(clip.string()) + " -frames:v 1 " +
                                shellQuoted(png.string())));
    return test::firstFrame(png);
}

std::string messageOf(const std::filesystem::path& path) {
    try {
        probeVideo(path);
    } catch (const SourceError& e) {
        return e.what();
    }
    return "(no error)";
}

class VideoReaderTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!test::haveFfmpegTools())
            EMOTRACE_SKIP_UNLESS_REQUIRED(test::kNoFfmpegReason);
    }
    test::TempDir dir_;
};

TEST_F(VideoReaderTest, TurnsEveryStoredRotationUprightAsFfmpegShowsIt) {
    for (const int rotation : {90, 180, 270}) {
        SCOPED_TRACE("rotate=" + std::to_string(rotation));
        const auto clip = makeRotatedClip(dir_, rotation);
        ASSERT_TRUE(boxInTopLeft(ffmpegFirstFrame(clip, dir_)))
            << "the test clip is not upright for ffmpeg itself";
        VideoReader reader(clip);
        // ffmpeg's players turn the frames clockwise by minus the display matrix's angle.
        const int matrix_angle = std::stoi(test::commandOutput(
            "ffprobe -v error -select_streams v:0 -show_entries stream_side_data=rotation "
            "-of csv=p=0 " +
            shellQuoted(clip.string())));
        EXPECT_EQ(reader.facts().rotation_degrees, ((-matrix_angle) % 360 + 360) % 360);
        EXPECT_EQ(reader.facts().width, 160);
        EXPECT_EQ(reader.facts().height, 120);
        const auto frame = reader.read();
        ASSERT_TRUE(frame);
        EXPECT_EQ(frame->image.size(), cv::Size(160, 120));
        EXPECT_TRUE(boxInTopLeft(frame->image));
    }
}

TEST_F(VideoReaderTest, FileSourceGivesTheDashboardUprightFrames) {
    const auto clip = makeRotatedClip(dir_, 270);
    auto source = openVideoFile(clip.string(), Pacing::AsFastAsPossible);
    EXPECT_EQ(source->info().width, 160);
    EXPECT_EQ(source->info().height, 120);
    std::stop_source stop;
    const auto frame = source->next(stop.get_token());
    ASSERT_TRUE(frame);
    EXPECT_TRUE(boxInTopLeft(frame->image));
}

TEST_F(VideoReaderTest, StampsEachFrameWithItsOwnTimeOnAVariableFrameRate) {
    const auto clip = makeVariableRateClip(dir_);
    const auto expected = ffprobeFrameTimes(clip);
    ASSERT_EQ(expected.size(), 30u + 15u);
    ASSERT_NEAR(expected[31] - expected[30], 200.0, 1.0)
        << "frame 31 follows frame 30 after 1/5 s: the clip's rate drops";
    VideoReader reader(clip);
    std::vector<double> times;
    while (auto frame = reader.read()) {
        EXPECT_EQ(frame->index, static_cast<std::int64_t>(times.size()));
        times.push_back(frame->timestamp_ms);
    }
    ASSERT_EQ(times.size(), expected.size());
    for (std::size_t i = 0; i < times.size(); ++i)
        EXPECT_NEAR(times[i], expected[i], 1.0) << "frame " << i;
    const auto packet_times = videoFrameTimes(clip);
    ASSERT_EQ(packet_times.size(), expected.size());
    for (std::size_t i = 0; i < packet_times.size(); ++i)
        EXPECT_NEAR(packet_times[i], expected[i], 1.0) << "frame " << i;
}

TEST_F(VideoReaderTest, FileSourceStampsVariableRateFramesWithTheirOwnTime) {
    const auto clip = makeVariableRateClip(dir_);
    const auto expected = ffprobeFrameTimes(clip);
    auto source = openVideoFile(clip.string(), Pacing::AsFastAsPossible);
    std::stop_source stop;
    std::size_t count = 0;
    while (auto frame = source->next(stop.get_token())) {
        ASSERT_LT(count, expected.size());
        EXPECT_NEAR(frame->timestamp_ms, expected[count], 1.0) << "frame " << count;
        ++count;
    }
    EXPECT_EQ(count, expected.size());
}

TEST_F(VideoReaderTest, SeeksToAFrameByItsTimeOnAVariableFrameRate) {
    const auto clip = makeVariableRateClip(dir_);
    std::vector<VideoFrame> frames;
    {
        VideoReader reader(clip);
        while (auto frame = reader.read())
            frames.push_back(std::move(*frame));
    }
    ASSERT_EQ(frames.size(), 45u);
    VideoReader reader(clip);
    for (const std::size_t index : {40u, 5u, 33u, 44u, 0u, 31u}) {
        SCOPED_TRACE("frame " + std::to_string(index));
        ASSERT_TRUE(reader.seek(static_cast<std::int64_t>(index), frames[index].timestamp_ms));
        const auto frame = reader.read();
        ASSERT_TRUE(frame);
        EXPECT_EQ(frame->index, static_cast<std::int64_t>(index));
        EXPECT_DOUBLE_EQ(frame->timestamp_ms, frames[index].timestamp_ms);
        EXPECT_EQ(cv::norm(frame->image, frames[index].image, cv::NORM_INF), 0.0);
        // Reading on continues in order.
        if (index + 1 < frames.size()) {
            const auto after = reader.read();
            ASSERT_TRUE(after);
            EXPECT_DOUBLE_EQ(after->timestamp_ms, frames[index + 1].timestamp_ms);
        }
    }
    EXPECT_FALSE(reader.seek(3, frames[3].timestamp_ms + 7.0)) << "no frame has that time";
}

struct Format {
    const char* name;
    const char* file;
    const char* encoder;
    const char* size;
    int rate;
    int frames;
};

TEST_F(VideoReaderTest, ReadsTheContainersAndCodecsRecordersWrite) {
    const Format formats[] = {
        {"WebM VP8 (browser recorders)", "clip.webm", "libvpx", "320x240", 30, 45},
        {"WebM VP9", "clip-vp9.webm", "libvpx-vp9", "320x240", 30, 45},
        {"MKV H.264", "clip.mkv", "libx264", "320x240", 25, 40},
        {"MOV H.264", "clip.mov", "libx264", "320x240", 30, 45},
        {"MP4 HEVC", "clip-hevc.mp4", "libx265", "320x240", 30, 30},
        {"MP4 H.264 1080p at 60 fps", "clip-1080p60.mp4", "libx264", "1920x1080", 60, 30},
    };
    for (const auto& format : formats) {
        SCOPED_TRACE(format.name);
        if (!test::runQuietly("ffmpeg -hide_banner -encoders | grep -q ' " +
                              std::string(format.encoder) + " '")) {
            ADD_FAILURE() << "this ffmpeg lacks the " << format.encoder
                          << " encoder needed to make the clip";
            continue;
        }
        const auto clip = dir_ / format.file;
        ASSERT_TRUE(test::runQuietly(ffmpeg(
            "-f lavfi -i testsrc2=size=" + std::string(format.size) +
            ":rate=" + std::to_string(format.rate) + " -frames:v " + std::to_string(format.frames) +
            " -c:v " + format.encoder + " -pix_fmt yuv420p " + shellQuoted(clip.string()))));
        const auto expected = ffprobeFrameTimes(clip);
        ASSERT_EQ(expected.size(), static_cast<std::size_t>(format.frames));
        VideoReader reader(clip);
        std::size_t count = 0;
        while (auto frame = reader.read()) {
            if (count < expected.size()) {
                EXPECT_NEAR(frame->timestamp_ms, expected[count], 1.0) << "frame " << count;
            }
            EXPECT_EQ(frame->image.cols, std::stoi(format.size));
            ++count;
        }
        EXPECT_EQ(count, expected.size());
        EXPECT_FALSE(reader.endedShort());
    }
}

TEST_F(VideoReaderTest, AFolderIsNamedAsAFolder) {
    EXPECT_NE(messageOf(dir_.path()).find("is a folder, not a video file"), std::string::npos)
        << messageOf(dir_.path());
}

TEST_F(VideoReaderTest, AnEmptyFileAndATextFileAreNamedAsSuch) {
    std::ofstream(dir_ / "empty.mp4").close();
    EXPECT_NE(messageOf(dir_ / "empty.mp4").find("is empty"), std::string::npos);
    std::ofstream(dir_ / "notes.mp4") << "session notes, not a video\n";
    EXPECT_NE(messageOf(dir_ / "notes.mp4").find("not a video file ffmpeg recognises"),
              std::string::npos)
        << messageOf(dir_ / "notes.mp4");
}

TEST_F(VideoReaderTest, AnAudioOnlyFileSaysItHoldsOnlyAudio) {
    const auto audio = dir_ / "call-audio.m4a";
    ASSERT_TRUE(test::runQuietly(ffmpeg("-f lavfi -i sine=frequency=440:duration=1 -c:a aac " +
                                        shellQuoted(audio.string()))));
    const auto message = messageOf(audio);
    EXPECT_NE(message.find("has no video to analyse: it holds only audio"), std::string::npos)
        << message;
}

TEST_F(VideoReaderTest, AnMp4CutShortBeforeItsIndexSaysSo) {
    const auto whole = makeUprightClip(dir_, 60);
    const auto size = std::filesystem::file_size(whole);
    const auto cut = dir_ / "cut.mp4";
    std::filesystem::copy_file(whole, cut);
    std::filesystem::resize_file(cut, size / 2);  // the index ('moov') is written last
    const auto message = messageOf(cut);
    EXPECT_NE(message.find("without its index"), std::string::npos) << message;
    EXPECT_NE(message.find("cut short"), std::string::npos) << message;
}

TEST_F(VideoReaderTest, AFileYouMayNotReadSaysPermissionDenied) {
    const auto clip = makeUprightClip(dir_);
    std::filesystem::permissions(
        clip, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    // Root reads every file: the check then runs as the unprivileged 'nobody' in a child.
    const bool as_root = ::geteuid() == 0;
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        if (as_root && ::setuid(65534) != 0)
            ::_exit(3);
        if (!as_root)
            std::filesystem::permissions(clip, std::filesystem::perms::none);
        const auto message = messageOf(clip);
        ::_exit(message.find("Permission denied") != std::string::npos &&
                        message.find("read permission") != std::string::npos
                    ? 0
                    : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "3: could not become 'nobody'; 1: wrong message";
}

}  // namespace
}  // namespace emotrace
