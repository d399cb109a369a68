// Plays a recorded session for review: play, pause, one frame back or forward, seek, and
// playback speed from 0.25x to 4x. Decodes with cv::VideoCapture through ffmpeg on the GUI
// thread: one 640x480 frame decodes in a few milliseconds, and random access goes through
// CAP_PROP_POS_FRAMES only when the wanted frame is not simply the next one.
#pragma once

#include <cstdint>
#include <filesystem>

#include <QObject>
#include <QTimer>
#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

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
    bool isOpen() const { return capture_.isOpened(); }

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

    cv::VideoCapture capture_;
    QTimer timer_;
    double fps_ = 30.0;
    double speed_ = 1.0;
    std::int64_t frame_count_ = 0;
    std::int64_t current_frame_ = 0;
    std::int64_t next_decoded_ = 0;  // the frame capture_.read() returns next
};

}  // namespace emotrace::ui
