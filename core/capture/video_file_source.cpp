// Frames from a video file, either at the file's own frame rate (as a live session would see
// them) or as fast as they decode.
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "emotrace/error.h"
#include "emotrace/frame_source.h"
#include "emotrace/video_reader.h"

namespace emotrace {

namespace {

// Frames carry their own presentation time (variable-frame-rate files keep their clock) and are
// upright whatever rotation the file stores (see VideoReader).
class VideoFileSource : public FrameSource {
  public:
    VideoFileSource(const std::string& path, Pacing pacing) : reader_(path), pacing_(pacing) {
        const VideoFacts& facts = reader_.facts();
        info_.description = std::filesystem::path(path).filename().string();
        if (!facts.fps_known)
            info_.description += " (frame rate unknown, assuming 30 fps)";
        info_.fps = facts.fps;
        info_.width = facts.width;
        info_.height = facts.height;
        info_.frame_count = facts.frame_count;
    }

    std::optional<Frame> next(std::stop_token stop) override {
        if (stop.stop_requested())
            return std::nullopt;
        auto decoded = reader_.read();
        if (!decoded) {
            throwIfBroken();
            return std::nullopt;
        }
        Frame frame;
        frame.image = std::move(decoded->image);
        frame.index = decoded->index;
        frame.timestamp_ms = decoded->timestamp_ms;
        if (pacing_ == Pacing::RealTime && !waitUntilDue(frame.timestamp_ms, stop)) {
            return std::nullopt;
        }
        frame.captured_at = SteadyClock::now();
        return frame;
    }

    SourceInfo info() const override { return info_; }

  private:
    void throwIfBroken() const {
        if (!reader_.endedShort())
            return;
        throw SourceError("video file " + reader_.path().string() + " broke at frame " +
                          std::to_string(reader_.nextIndex()) + " of " +
                          std::to_string(info_.frame_count) + " expected (truncated or corrupt?)");
    }

    // Waits until the frame's media time has passed on the playback clock, which starts with the
    // first frame. False when stop was requested while waiting.
    bool waitUntilDue(double timestamp_ms, const std::stop_token& stop) {
        const auto now = SteadyClock::now();
        if (!playback_start_) {
            playback_start_ = now;
            first_timestamp_ms_ = timestamp_ms;
        }
        const auto due =
            *playback_start_ +
            std::chrono::duration_cast<SteadyClock::duration>(
                std::chrono::duration<double, std::milli>(timestamp_ms - first_timestamp_ms_));
        std::unique_lock lock(wait_mutex_);
        // Nothing notifies this condition: it exists so the stop token can cut the wait short.
        wait_.wait_until(lock, stop, due, [] { return false; });
        return !stop.stop_requested();
    }

    VideoReader reader_;
    Pacing pacing_;
    SourceInfo info_;
    std::optional<SteadyClock::time_point> playback_start_;
    double first_timestamp_ms_ = 0.0;
    std::mutex wait_mutex_;
    std::condition_variable_any wait_;
};

}  // namespace

std::unique_ptr<FrameSource> openVideoFile(const std::string& path, Pacing pacing) {
    return std::make_unique<VideoFileSource>(path, pacing);
}

}  // namespace emotrace
