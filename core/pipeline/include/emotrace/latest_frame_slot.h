// The hand-off between the capture thread and the inference worker. In the live policy the
// newest frame wins: a frame that is still waiting when a newer one arrives is dropped and
// counted, so latency stays bounded instead of a queue growing (MediaPipe's flow limiter).
// In the lossless policy the producer waits instead, for offline analysis of every frame.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stop_token>

#include "emotrace/types.h"

namespace emotrace {

enum class SlotPolicy { LatestWins, Lossless };

class LatestFrameSlot {
  public:
    explicit LatestFrameSlot(SlotPolicy policy = SlotPolicy::LatestWins) : policy_(policy) {}

    // LatestWins: replaces a waiting frame (counted as dropped) and returns at once.
    // Lossless: waits until the slot is free. Returns false when stopped or closed.
    bool put(Frame frame, std::stop_token stop = {});
    // Waits for a frame. nullopt when the slot is closed and empty, or when stop is requested.
    std::optional<Frame> take(std::stop_token stop = {});
    // No more frames will come; take() drains what is there, then returns nullopt.
    void close();

    std::int64_t dropped() const;

  private:
    SlotPolicy policy_;
    mutable std::mutex mutex_;
    std::condition_variable_any changed_;
    std::optional<Frame> frame_;
    bool closed_ = false;
    std::int64_t dropped_ = 0;
};

}  // namespace emotrace
