// Reads a video file the way a media player shows it, for every part of emotrace that decodes
// recordings (the live file source, the offline analysis, the review player):
// - frames are turned upright by the stream's display rotation (phone clips store sideways
//   frames plus a rotation; OpenCV 4.6's own auto-rotation turns 270° the wrong way, so it is
//   switched off and the display matrix is read with libavformat);
// - each frame carries its own presentation time, so variable-frame-rate recordings (video-call
//   recordings often are) keep their real clock instead of index / average fps;
// - a file that cannot be read gets a message naming the real cause: a folder, no permission,
//   an MP4 cut short before its index, no video stream, a codec this ffmpeg lacks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

namespace emotrace {

// What the container says about the video stream, before any frame is decoded.
struct VideoFacts {
    double fps = 30.0;      // the stated average rate; 30 when the file states none
    bool fps_known = true;  // false when fps is the assumed 30
    int width = 0;          // as displayed, i.e. after the rotation
    int height = 0;
    int rotation_degrees = 0;       // clockwise turn applied to every decoded frame: 0/90/180/270
    std::int64_t frame_count = -1;  // the container's estimate; -1 when unknown
    double duration_ms = -1.0;      // -1 when unknown
    std::string codec;              // ffmpeg's codec name, e.g. "h264", "vp9"
    std::string container;          // ffmpeg's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
};

// Opens `path` with libavformat to read its facts; throws SourceError naming the cause when it
// is no readable video. Reads no frame.
VideoFacts probeVideo(const std::filesystem::path& path);

// Every frame's presentation time in ms, in display order, from the container's packets (no
// decoding: a few seconds for an hour of video). Index i is the time of decoded frame i.
std::vector<double> videoFrameTimes(const std::filesystem::path& path);

struct VideoFrame {
    cv::Mat image;  // BGR, upright
    std::int64_t index = 0;
    double timestamp_ms = 0.0;  // the frame's presentation time from the start of the stream
};

class VideoReader {
  public:
    // Throws SourceError (see probeVideo) when the file cannot be read, or decodes no frame.
    explicit VideoReader(const std::filesystem::path& path);

    const VideoFacts& facts() const { return facts_; }
    const std::filesystem::path& path() const { return path_; }

    // The next frame; nullopt at the end of the stream or where decoding fails.
    std::optional<VideoFrame> read();
    std::int64_t nextIndex() const { return next_index_; }

    // Positions the reader so that read() returns frame `index`, whose presentation time
    // `timestamp_ms` is known from an earlier pass (the store, videoFrameTimes()). Seeks near the
    // time and decodes forward; false (and the reader at its end) when no frame has that time.
    bool seek(std::int64_t index, double timestamp_ms);

    // True when the stream ended more than a few frames before the container's frame count: a
    // truncated or corrupt file rather than the estimate's usual slack.
    bool endedShort() const;

    // videoFrameTimes() of this file, read once when first needed.
    const std::vector<double>& frameTimes();

  private:
    // Half a millisecond tells neighbouring frames apart up to 1000 fps.
    static constexpr double kSameTimeMs = 0.5;
    static constexpr std::int64_t kPositionUnknown = -2;

    void openCapture();
    std::optional<VideoFrame> decode();
    double timestampOfCurrent();
    std::int64_t positionOfTime(double time) const;

    std::filesystem::path path_;
    VideoFacts facts_;
    cv::VideoCapture capture_;
    std::optional<VideoFrame> pending_;  // decoded ahead (the first frame, or by seek)
    std::int64_t next_index_ = 0;
    double last_timestamp_ms_ = -1.0;
    // Index in frameTimes() of the frame decoded last: -1 before the first, kPositionUnknown
    // after a jump until a frame's own time places it.
    std::int64_t position_ = -1;
    std::optional<std::vector<double>> frame_times_;
    bool ended_ = false;
};

}  // namespace emotrace
