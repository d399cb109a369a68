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

#include "emotrace/video_reader.h"

namespace emotrace {

struct DecodedFrame {
    cv::Mat image;  // BGR
    std::int64_t index = 0;
    double timestamp_ms = 0.0;  // the frame's own presentation time, as the file source's
};

// The last frame an earlier run stored: decoding resumes right after it.
struct ResumeAfter {
    std::int64_t frame_index = 0;
    double timestamp_ms = 0.0;
};

// Where and why decoding stopped before the end the container announced.
struct DecodeFailure {
    std::int64_t frame_index = 0;
    double timestamp_ms = 0.0;
    std::string message;
};

class RecordingDecoder {
  public:
    // Opens `path` and positions it after `resume` (found by its presentation time, so a
    // variable-frame-rate file resumes on the right frame). Throws SourceError when the file
    // cannot be opened or no longer has that frame.
    RecordingDecoder(const std::string& path, std::optional<ResumeAfter> resume,
                     std::size_t capacity = 16);
    ~RecordingDecoder();  // stops the decode thread and joins it
    RecordingDecoder(const RecordingDecoder&) = delete;
    RecordingDecoder& operator=(const RecordingDecoder&) = delete;

    // The next frame in order; nullopt at the end, on a failure, or when `stop` is requested.
    std::optional<DecodedFrame> next(std::stop_token stop);
    // Set once next() has returned nullopt because the recording broke.
    std::optional<DecodeFailure> failure() const;

    std::int64_t frameCount() const { return frame_count_; }  // -1 when unknown

  private:
    void positionAfter(const ResumeAfter& resume);
    void decodeLoop(std::stop_token stop);
    void finish(std::optional<DecodeFailure> failure);

    VideoReader reader_;  // used by the decode thread only once it runs
    std::int64_t frame_count_ = -1;
    std::size_t capacity_;
    double last_timestamp_ms_ = 0.0;  // of the last frame decoded, for where it broke

    mutable std::mutex mutex_;
    std::condition_variable_any changed_;
    std::deque<DecodedFrame> queue_;
    bool finished_ = false;
    std::optional<DecodeFailure> failure_;
    std::jthread thread_;  // last: starts after everything above exists, stops first
};

}  // namespace emotrace
