#include "review_player.h"

#include <algorithm>
#include <cmath>

#include "emotrace/error.h"

namespace emotrace::ui {

RecordingPlayer::RecordingPlayer(QObject* parent) : QObject(parent) {
    timer_.setTimerType(Qt::PreciseTimer);
    connect(&timer_, &QTimer::timeout, this, &RecordingPlayer::advance);
}

void RecordingPlayer::open(const std::filesystem::path& recording) {
    close();
    if (!capture_.open(recording.string(), cv::CAP_FFMPEG)) {
        throw SourceError("cannot open the recording " + recording.string() +
                          " (missing, or not a video ffmpeg can decode)");
    }
    const double fps = capture_.get(cv::CAP_PROP_FPS);
    // Some containers report no rate; 30 fps keeps seeking and the clock usable.
    fps_ = fps > 0.0 && std::isfinite(fps) ? fps : 30.0;
    frame_count_ = std::max<std::int64_t>(
        0, static_cast<std::int64_t>(capture_.get(cv::CAP_PROP_FRAME_COUNT)));
    next_decoded_ = 0;
    current_frame_ = 0;
    showFrame(0);
}

void RecordingPlayer::close() {
    pause();
    capture_.release();
    frame_count_ = 0;
    current_frame_ = 0;
    next_decoded_ = 0;
}

double RecordingPlayer::durationSeconds() const {
    return static_cast<double>(frame_count_) / fps_;
}

double RecordingPlayer::secondsOfFrame(std::int64_t frame) const {
    return static_cast<double>(frame) / fps_;
}

std::int64_t RecordingPlayer::frameAtSeconds(double seconds) const {
    const auto frame = static_cast<std::int64_t>(std::floor(seconds * fps_ + 1e-6));
    return std::clamp<std::int64_t>(frame, 0, std::max<std::int64_t>(0, frame_count_ - 1));
}

void RecordingPlayer::play() {
    if (!isOpen() || isPlaying())
        return;
    if (current_frame_ + 1 >= frame_count_)
        showFrame(0);  // play at the end starts over, as media players do
    timer_.start(static_cast<int>(std::lround(1000.0 / (fps_ * speed_))));
    emit playingChanged(true);
}

void RecordingPlayer::pause() {
    if (!timer_.isActive())
        return;
    timer_.stop();
    emit playingChanged(false);
}

void RecordingPlayer::togglePlay() {
    isPlaying() ? pause() : play();
}

void RecordingPlayer::setSpeed(double speed) {
    speed_ = std::clamp(speed, kMinSpeed, kMaxSpeed);
    if (timer_.isActive())
        timer_.setInterval(static_cast<int>(std::lround(1000.0 / (fps_ * speed_))));
}

void RecordingPlayer::stepForward() {
    pause();
    seekToFrame(current_frame_ + 1);
}

void RecordingPlayer::stepBack() {
    pause();
    seekToFrame(current_frame_ - 1);
}

void RecordingPlayer::seekToFrame(std::int64_t frame) {
    if (!isOpen())
        return;
    showFrame(std::clamp<std::int64_t>(frame, 0, std::max<std::int64_t>(0, frame_count_ - 1)));
}

void RecordingPlayer::seekToSeconds(double seconds) {
    seekToFrame(frameAtSeconds(seconds));
}

void RecordingPlayer::advance() {
    if (current_frame_ + 1 >= frame_count_ || !showFrame(current_frame_ + 1))
        pause();
}

bool RecordingPlayer::showFrame(std::int64_t frame) {
    if (frame != next_decoded_) {
        capture_.set(cv::CAP_PROP_POS_FRAMES, static_cast<double>(frame));
        next_decoded_ = frame;
    }
    cv::Mat image;
    if (!capture_.read(image) || image.empty()) {
        emit decodeFailed(frame);
        return false;
    }
    next_decoded_ = frame + 1;
    current_frame_ = frame;
    emit frameShown(frame, secondsOfFrame(frame), image);
    return true;
}

}  // namespace emotrace::ui
