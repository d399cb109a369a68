#include "recording_decoder.h"

#include <algorithm>
#include <exception>

#include "emotrace/error.h"

namespace emotrace {

RecordingDecoder::RecordingDecoder(const std::string& path, std::optional<ResumeAfter> resume,
                                   std::size_t capacity)
    : reader_(path),
      frame_count_(reader_.facts().frame_count),
      capacity_(std::max<std::size_t>(1, capacity)) {
    if (resume)
        positionAfter(*resume);
    thread_ = std::jthread([this](std::stop_token stop) { decodeLoop(stop); });
}

RecordingDecoder::~RecordingDecoder() {
    thread_.request_stop();
    changed_.notify_all();
}

void RecordingDecoder::positionAfter(const ResumeAfter& resume) {
    if (!reader_.seek(resume.frame_index, resume.timestamp_ms) || !reader_.read()) {
        throw SourceError("the recording " + reader_.path().string() + " has no frame at " +
                          std::to_string(resume.timestamp_ms) + " ms, where frame " +
                          std::to_string(resume.frame_index) +
                          " was analysed before (was the file replaced?)");
    }
}

void RecordingDecoder::decodeLoop(std::stop_token stop) {
    std::optional<DecodeFailure> failure;
    try {
        while (!stop.stop_requested()) {
            auto decoded = reader_.read();
            if (!decoded) {
                if (reader_.endedShort()) {
                    const std::int64_t index = reader_.nextIndex();
                    failure =
                        DecodeFailure{index, last_timestamp_ms_,
                                      "decoding stopped " + std::to_string(frame_count_ - index) +
                                          " frames before the " + std::to_string(frame_count_) +
                                          " the file announces (truncated or corrupt?)"};
                }
                break;
            }
            last_timestamp_ms_ = decoded->timestamp_ms;
            DecodedFrame frame{std::move(decoded->image), decoded->index, decoded->timestamp_ms};
            std::unique_lock lock(mutex_);
            if (!changed_.wait(lock, stop, [&] { return queue_.size() < capacity_; }))
                break;
            queue_.push_back(std::move(frame));
            lock.unlock();
            changed_.notify_all();
        }
    } catch (const std::exception& e) {
        failure = DecodeFailure{reader_.nextIndex(), last_timestamp_ms_, e.what()};
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
