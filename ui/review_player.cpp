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
    auto reader = std::make_unique<VideoReader>(recording);  // throws SourceError with the cause
    frame_ms_ = reader->frameTimes();
    // Some containers report no rate; 30 fps keeps the play timer and the last frame usable.
    fps_ = reader->facts().fps;
    reader_ = std::move(reader);
    frame_count_ = static_cast<std::int64_t>(frame_ms_.size());
    next_decoded_ = 0;
    current_frame_ = 0;
    showFrame(0);
}

void RecordingPlayer::close() {
    pause();
    reader_.reset();
    frame_ms_.clear();
    frame_count_ = 0;
    current_frame_ = 0;
    next_decoded_ = 0;
}

// The last frame shows for one nominal frame interval.
double RecordingPlayer::durationSeconds() const {
    return frame_ms_.empty() ? 0.0 : frame_ms_.back() / 1000.0 + 1.0 / fps_;
}

double RecordingPlayer::secondsOfFrame(std::int64_t frame) const {
    if (frame_ms_.empty())
        return 0.0;
    const auto index = std::clamp<std::int64_t>(frame, 0, frame_count_ - 1);
    return frame_ms_[static_cast<std::size_t>(index)] / 1000.0;
}

// The frame on show at `seconds`: the last one whose time has come.
std::int64_t RecordingPlayer::frameAtSeconds(double seconds) const {
    const auto after =
        std::upper_bound(frame_ms_.begin(), frame_ms_.end(), seconds * 1000.0 + 1e-3);
    const auto frame = static_cast<std::int64_t>(after - frame_ms_.begin()) - 1;
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
    if (frame_ms_.empty() || frame >= frame_count_) {
        emit decodeFailed(frame);
        return false;
    }
    if (frame != next_decoded_)
        reader_->seek(frame, frame_ms_[static_cast<std::size_t>(frame)]);
    auto decoded = reader_->read();
    if (!decoded) {
        next_decoded_ = -1;  // the reader is at its end: the next frame needs a seek
        emit decodeFailed(frame);
        return false;
    }
    next_decoded_ = frame + 1;
    current_frame_ = frame;
    emit frameShown(frame, secondsOfFrame(frame), decoded->image);
    return true;
}

}  // namespace emotrace::ui
