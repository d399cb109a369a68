// Decoding a recording ahead of its analysis: one thread reads frames with ffmpeg into a small
// bounded queue, so decoding overlaps detection and classification and memory stays bounded
// whatever the recording's length. Private to recording_analysis.cpp.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

namespace emotrace {

struct DecodedFrame {
    cv::Mat image;  // BGR
    std::int64_t index = 0;
    double timestamp_ms = 0.0;  // index / fps, as the live file source stamps frames
};

// Where and why decoding stopped before the end the container announced.
struct DecodeFailure {
    std::int64_t frame_index = 0;
    double timestamp_ms = 0.0;
    std::string message;
};

class RecordingDecoder {
  public:
    // Opens `path` and positions it at frame `first` (seeking, or decoding and skipping when
    // the seek does not land exactly). Throws SourceError when the file cannot be opened.
    RecordingDecoder(const std::string& path, std::int64_t first, std::size_t capacity = 16);
    ~RecordingDecoder();  // stops the decode thread and joins it
    RecordingDecoder(const RecordingDecoder&) = delete;
    RecordingDecoder& operator=(const RecordingDecoder&) = delete;

    // The next frame in order; nullopt at the end, on a failure, or when `stop` is requested.
    std::optional<DecodedFrame> next(std::stop_token stop);
    // Set once next() has returned nullopt because the recording broke.
    std::optional<DecodeFailure> failure() const;

    std::int64_t frameCount() const { return frame_count_; }  // -1 when unknown
    double fps() const { return fps_; }

  private:
    void positionAt(std::int64_t first);
    void decodeLoop(std::stop_token stop);
    void finish(std::optional<DecodeFailure> failure);

    std::string path_;
    cv::VideoCapture capture_;  // used by the decode thread only once it runs
    double fps_ = 30.0;
    std::int64_t frame_count_ = -1;
    std::int64_t next_index_ = 0;
    std::size_t capacity_;

    mutable std::mutex mutex_;
    std::condition_variable_any changed_;
    std::deque<DecodedFrame> queue_;
    bool finished_ = false;
    std::optional<DecodeFailure> failure_;
    std::jthread thread_;  // last: starts after everything above exists, stops first
};

}  // namespace emotrace
