// Frames from a video file, either at the file's own frame rate (as a live session would see
// them) or as fast as they decode.
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include <opencv2/videoio.hpp>

#include "emotrace/error.h"
#include "emotrace/frame_source.h"

namespace emotrace {

namespace {

constexpr double kAssumedFps = 30.0;

// Containers whose frame count is estimated from duration x rate (or that drop a trailing frame
// on decode) may report a few frames more than they hold; only a shortfall beyond this counts
// as a broken file.
std::int64_t frameCountTolerance(std::int64_t frame_count) {
    return std::max<std::int64_t>(3, frame_count / 50);
}

// A frame rate of 0, NaN or a codec's time base (1000 fps and up) means the file does not say.
bool plausibleFps(double fps) {
    return std::isfinite(fps) && fps > 0.0 && fps < 1000.0;
}

class VideoFileSource : public FrameSource {
  public:
    VideoFileSource(const std::string& path, Pacing pacing) : path_(path), pacing_(pacing) {
        std::error_code error;
        if (!std::filesystem::exists(path, error)) {
            throw SourceError("video file not found: " + path);
        }
        // ffmpeg only: the same decoder for every file on every machine, and no fallback to
        // GStreamer, which guesses differently and leaks its plugins' state.
        if (!capture_.open(path, cv::CAP_FFMPEG) || !capture_.read(pending_) || pending_.empty()) {
            throw SourceError("no decoder could read the video file " + path +
                              " (not a video, or a codec OpenCV's ffmpeg back end lacks)");
        }
        const double reported_fps = capture_.get(cv::CAP_PROP_FPS);
        info_.description = std::filesystem::path(path).filename().string();
        if (plausibleFps(reported_fps)) {
            info_.fps = reported_fps;
        } else {
            info_.fps = kAssumedFps;
            info_.description += " (frame rate unknown, assuming 30 fps)";
        }
        info_.width = pending_.cols;
        info_.height = pending_.rows;
        const double reported_count = capture_.get(cv::CAP_PROP_FRAME_COUNT);
        info_.frame_count = reported_count > 0 ? std::llround(reported_count) : -1;
    }

    std::optional<Frame> next(std::stop_token stop) override {
        if (stop.stop_requested())
            return std::nullopt;
        cv::Mat image;
        if (!pending_.empty()) {
            image = std::move(pending_);
            pending_ = cv::Mat();
        } else if (!capture_.read(image) || image.empty()) {
            throwIfBrokenAt(next_index_);
            return std::nullopt;
        }
        Frame frame;
        frame.image = std::move(image);
        frame.index = next_index_++;
        frame.timestamp_ms = static_cast<double>(frame.index) * 1000.0 / info_.fps;
        if (pacing_ == Pacing::RealTime && !waitUntilDue(frame.timestamp_ms, stop)) {
            return std::nullopt;
        }
        frame.captured_at = SteadyClock::now();
        return frame;
    }

    SourceInfo info() const override { return info_; }

  private:
    void throwIfBrokenAt(std::int64_t index) const {
        if (info_.frame_count < 0)
            return;
        if (info_.frame_count - index > frameCountTolerance(info_.frame_count)) {
            throw SourceError("video file " + path_ + " broke at frame " + std::to_string(index) +
                              " of " + std::to_string(info_.frame_count) +
                              " expected (truncated or corrupt?)");
        }
    }

    // Waits until the frame's media time has passed on the playback clock, which starts with the
    // first frame. False when stop was requested while waiting.
    bool waitUntilDue(double timestamp_ms, const std::stop_token& stop) {
        const auto now = SteadyClock::now();
        if (!playback_start_)
            playback_start_ = now;
        const auto due =
            *playback_start_ + std::chrono::duration_cast<SteadyClock::duration>(
                                   std::chrono::duration<double, std::milli>(timestamp_ms));
        std::unique_lock lock(wait_mutex_);
        // Nothing notifies this condition: it exists so the stop token can cut the wait short.
        wait_.wait_until(lock, stop, due, [] { return false; });
        return !stop.stop_requested();
    }

    std::string path_;
    Pacing pacing_;
    cv::VideoCapture capture_;
    cv::Mat pending_;  // the first frame, read when opening to prove the file decodes
    SourceInfo info_;
    std::int64_t next_index_ = 0;
    std::optional<SteadyClock::time_point> playback_start_;
    std::mutex wait_mutex_;
    std::condition_variable_any wait_;
};

}  // namespace

std::unique_ptr<FrameSource> openVideoFile(const std::string& path, Pacing pacing) {
    return std::make_unique<VideoFileSource>(path, pacing);
}

}  // namespace emotrace
