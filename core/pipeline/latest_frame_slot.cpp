#include "emotrace/latest_frame_slot.h"

namespace emotrace {

bool LatestFrameSlot::put(Frame frame, std::stop_token stop) {
    std::unique_lock lock(mutex_);
    if (policy_ == SlotPolicy::Lossless) {
        changed_.wait(lock, stop, [this] { return !frame_ || closed_; });
        if (stop.stop_requested())
            return false;
    }
    if (closed_)
        return false;
    if (frame_)
        ++dropped_;
    frame_ = std::move(frame);
    lock.unlock();
    changed_.notify_all();
    return true;
}

std::optional<Frame> LatestFrameSlot::take(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, stop, [this] { return frame_ || closed_; });
    if (!frame_ || stop.stop_requested())
        return std::nullopt;
    std::optional<Frame> taken = std::move(frame_);
    frame_.reset();
    lock.unlock();
    changed_.notify_all();
    return taken;
}

void LatestFrameSlot::close() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    changed_.notify_all();
}

std::int64_t LatestFrameSlot::dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
}

}  // namespace emotrace
