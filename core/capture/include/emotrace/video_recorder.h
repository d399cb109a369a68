// Records frames into a video file as they arrive, each at its own time, for a live session kept
// with its picture. The file is Matroska with variable frame rate: frame i is presented at the
// time given with it (whole milliseconds, rounded down; the first frame from 0, where readers
// start the clock), so a reader that places frames by their
// presentation time (VideoReader, the review player) finds, for a stored reading's timestamp,
// exactly the frame that reading was made from, however irregular the live frames came.
//
// Why Matroska: it needs no index at the end (an MP4 killed before its moov is unreadable), so a
// crash or kill -9 leaves a playable file. Clusters close at least every cluster_ms and flush()
// pushes everything written to the kernel, so a kill loses at most about that much picture.
//
// Encoding: H.264 (libx264, tuned for low latency: no frame is held back waiting for later ones)
// when this ffmpeg has it, else MPEG-4 part 2, which every ffmpeg has. One thread: the recorder
// must not take the cores the analysis runs on.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

namespace emotrace {

struct VideoRecorderOptions {
    std::string codec;  // ffmpeg encoder name; empty: "libx264" when present, else "mpeg4"
    int quality = 26;   // libx264's crf (lower: better and larger); mpeg4 gets a matching q
    std::chrono::milliseconds cluster{1000};  // the most picture a kill may lose
    mode_t mode = 0600;                       // health data: owner-only, as the session store
};

class VideoRecorder {
  public:
    // Creates `file` (it must not exist: a recording is never overwritten) for frames of
    // `size`. Odd sizes lose their last column or row (the encoders need even ones). Throws
    // OutputError naming the file and the cause.
    VideoRecorder(const std::filesystem::path& file, cv::Size size,
                  VideoRecorderOptions options = {});
    // finish(), ignoring a failure (call finish() to hear of it).
    ~VideoRecorder();
    VideoRecorder(const VideoRecorder&) = delete;
    VideoRecorder& operator=(const VideoRecorder&) = delete;

    // Encodes a BGR (or grey) 8-bit frame shown at timestamp_ms from the start. A frame of
    // another size is scaled to the recording's. Timestamps must grow; one that does not (or
    // falls in the same millisecond) is placed a millisecond after the previous frame. Throws
    // OutputError when the file cannot be written (full disk, removed folder).
    void write(const cv::Mat& frame, double timestamp_ms);
    // Hands everything encoded so far to the file. Throws OutputError.
    void flush();
    // Drains the encoder and writes the file's index. Further calls do nothing. Throws
    // OutputError.
    void finish();

    const std::filesystem::path& file() const { return file_; }
    cv::Size size() const { return size_; }
    std::string codec() const;
    std::int64_t framesWritten() const { return frames_written_; }

  private:
    struct Impl;
    void encode();
    [[noreturn]] void fail(const std::string& what, int av_error);

    std::filesystem::path file_;
    cv::Size size_;
    std::unique_ptr<Impl> impl_;
    std::int64_t frames_written_ = 0;
    std::int64_t last_pts_ = -1;
    bool finished_ = false;
};

}  // namespace emotrace
