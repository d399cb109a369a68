// Plays a recorded session for review: play, pause, one frame back or forward, seek, and
// playback speed from 0.25x to 4x. Decodes with VideoReader (upright, each frame's own time)
// on the GUI thread: one 640x480 frame decodes in a few milliseconds, and random access seeks
// by the frame's presentation time, from a table of every frame's time read at open, so a
// variable-frame-rate recording shows the frame its results belong to.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include <QObject>
#include <QTimer>
#include <opencv2/core.hpp>

#include "emotrace/video_reader.h"

namespace emotrace::ui {

class RecordingPlayer : public QObject {
    Q_OBJECT
  public:
    static constexpr double kMinSpeed = 0.25;
    static constexpr double kMaxSpeed = 4.0;

    explicit RecordingPlayer(QObject* parent = nullptr);

    // Opens the recording and shows its first frame. Throws SourceError naming the file.
    void open(const std::filesystem::path& recording);
    void close();
    bool isOpen() const { return reader_ != nullptr; }

    double fps() const { return fps_; }
    std::int64_t frameCount() const { return frame_count_; }
    double durationSeconds() const;
    std::int64_t currentFrame() const { return current_frame_; }
    double currentSeconds() const { return secondsOfFrame(current_frame_); }
    double secondsOfFrame(std::int64_t frame) const;
    std::int64_t frameAtSeconds(double seconds) const;

    bool isPlaying() const { return timer_.isActive(); }
    double speed() const { return speed_; }

  public slots:
    void play();
    void pause();
    void togglePlay();
    void setSpeed(double speed);  // clamped to [kMinSpeed, kMaxSpeed]
    void stepForward();
    void stepBack();
    void seekToFrame(std::int64_t frame);
    void seekToSeconds(double seconds);

  signals:
    // The frame now on show. image is only valid during the call (copy it to keep it).
    void frameShown(std::int64_t frame, double seconds, const cv::Mat& image);
    void playingChanged(bool playing);
    // Decoding stopped short of the container's frame count (a broken or truncated file).
    void decodeFailed(std::int64_t frame);

  private:
    bool showFrame(std::int64_t frame);
    void advance();

    std::unique_ptr<VideoReader> reader_;
    std::vector<double> frame_ms_;  // every frame's presentation time
    QTimer timer_;
    double fps_ = 30.0;
    double speed_ = 1.0;
    std::int64_t frame_count_ = 0;
    std::int64_t current_frame_ = 0;
    std::int64_t next_decoded_ = 0;  // the frame reader_->read() returns next
};

}  // namespace emotrace::ui
