#include "looping_frame_source.h"

#include <utility>

#include "emotrace/error.h"

namespace emotrace::ui {

LoopingFrameSource::LoopingFrameSource(Opener open) : open_(std::move(open)), current_(open_()) {
    if (!current_)
        throw SourceError("looping source: the source could not be opened");
    info_ = current_->info();
    info_.description += " (looped)";
    info_.frame_count = -1;  // endless
}

std::optional<Frame> LoopingFrameSource::next(std::stop_token stop) {
    auto frame = current_->next(stop);
    if (!frame && !stop.stop_requested() && frames_in_pass_ > 0) {
        // The next pass starts one frame interval after the last frame of this one.
        const double interval_ms = info_.fps > 0.0 ? 1000.0 / info_.fps : 0.0;
        time_offset_ms_ += last_timestamp_ms_ + interval_ms;
        index_offset_ += frames_in_pass_;
        frames_in_pass_ = 0;
        current_ = open_();
        frame = current_->next(stop);
    }
    if (!frame)
        return std::nullopt;
    ++frames_in_pass_;
    last_timestamp_ms_ = frame->timestamp_ms;
    frame->index += index_offset_;
    frame->timestamp_ms += time_offset_ms_;
    return frame;
}

}  // namespace emotrace::ui
