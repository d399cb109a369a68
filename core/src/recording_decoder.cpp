#include "recording_decoder.h"

#include <cmath>
#include <exception>
#include <filesystem>

#include "emotrace/error.h"

namespace emotrace {

namespace {

// Containers whose frame count is estimated from duration x rate may announce a few frames more
// than they hold; only a shortfall beyond this is a broken file (as for the live file source).
std::int64_t frameCountTolerance(std::int64_t frame_count) {
    return std::max<std::int64_t>(3, frame_count / 50);
}

bool plausibleFps(double fps) {
    return std::isfinite(fps) && fps > 0.0 && fps < 1000.0;
}

}  // namespace

RecordingDecoder::RecordingDecoder(const std::string& path, std::int64_t first,
                                   std::size_t capacity)
    : path_(path), capacity_(std::max<std::size_t>(1, capacity)) {
    std::error_code error;
    if (!std::filesystem::exists(path, error))
        throw SourceError("recording not found: " + path);
    // ffmpeg only, as everywhere in emotrace: the same decoder on every machine.
    if (!capture_.open(path, cv::CAP_FFMPEG)) {
        throw SourceError("no decoder could read the recording " + path +
                          " (not a video, or a codec OpenCV's ffmpeg back end lacks)");
    }
    const double fps = capture_.get(cv::CAP_PROP_FPS);
    fps_ = plausibleFps(fps) ? fps : 30.0;
    const double count = capture_.get(cv::CAP_PROP_FRAME_COUNT);
    frame_count_ = count > 0 ? std::llround(count) : -1;
    positionAt(first);
    thread_ = std::jthread([this](std::stop_token stop) { decodeLoop(stop); });
}

RecordingDecoder::~RecordingDecoder() {
    thread_.request_stop();
    changed_.notify_all();
}

void RecordingDecoder::positionAt(std::int64_t first) {
    next_index_ = first;
    if (first == 0)
        return;
    if (capture_.set(cv::CAP_PROP_POS_FRAMES, static_cast<double>(first)) &&
        std::llround(capture_.get(cv::CAP_PROP_POS_FRAMES)) == first) {
        return;
    }
    // Some containers seek only to key frames: start again and skip frame by frame.
    capture_.open(path_, cv::CAP_FFMPEG);
    for (std::int64_t index = 0; index < first; ++index) {
        if (!capture_.grab()) {
            throw SourceError("the recording " + path_ + " ends at frame " + std::to_string(index) +
                              ", before frame " + std::to_string(first) +
                              " where the analysis would resume (was the file replaced?)");
        }
    }
}

void RecordingDecoder::decodeLoop(std::stop_token stop) {
    std::optional<DecodeFailure> failure;
    try {
        while (!stop.stop_requested()) {
            cv::Mat image;
            if (!capture_.read(image) || image.empty()) {
                if (frame_count_ > 0 &&
                    frame_count_ - next_index_ > frameCountTolerance(frame_count_)) {
                    failure = DecodeFailure{
                        next_index_, static_cast<double>(next_index_) * 1000.0 / fps_,
                        "decoding stopped " + std::to_string(frame_count_ - next_index_) +
                            " frames before the " + std::to_string(frame_count_) +
                            " the file announces (truncated or corrupt?)"};
                }
                break;
            }
            DecodedFrame frame{std::move(image), next_index_,
                               static_cast<double>(next_index_) * 1000.0 / fps_};
            ++next_index_;
            std::unique_lock lock(mutex_);
            if (!changed_.wait(lock, stop, [&] { return queue_.size() < capacity_; }))
                break;
            queue_.push_back(std::move(frame));
            lock.unlock();
            changed_.notify_all();
        }
    } catch (const std::exception& e) {
        failure =
            DecodeFailure{next_index_, static_cast<double>(next_index_) * 1000.0 / fps_, e.what()};
    }
    finish(std::move(failure));
}

void RecordingDecoder::finish(std::optional<DecodeFailure> failure) {
    {
        std::lock_guard lock(mutex_);
        finished_ = true;
        failure_ = std::move(failure);
    }
    changed_.notify_all();
}

std::optional<DecodedFrame> RecordingDecoder::next(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    if (!changed_.wait(lock, stop, [&] { return !queue_.empty() || finished_; }))
        return std::nullopt;
    if (queue_.empty())
        return std::nullopt;
    DecodedFrame frame = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    changed_.notify_all();
    return frame;
}

std::optional<DecodeFailure> RecordingDecoder::failure() const {
    std::lock_guard lock(mutex_);
    return failure_;
}

}  // namespace emotrace
