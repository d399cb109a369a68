// The figures the status bar shows while a session runs: results per second over a sliding
// window, the median capture-to-result latency of recent frames, and frames dropped so far.
// Kept free of clocks of its own (times come in as arguments) so it can be tested exactly.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>

#include "emotrace/types.h"

namespace emotrace::ui {

struct LiveFigures {
    double results_per_second = 0.0;
    double median_latency_ms = 0.0;
    std::int64_t dropped_frames = 0;
    std::int64_t results = 0;  // since the session started
};

class LiveFigureMeter {
  public:
    explicit LiveFigureMeter(std::chrono::milliseconds window = std::chrono::seconds(2),
                             std::size_t latency_samples = 31);

    void add(SteadyClock::time_point arrived, std::chrono::microseconds latency,
             std::int64_t dropped_frames);
    // Results that arrived in the window ending at now, per second. A median rather than a mean
    // for latency: one slow frame (a model warm-up, a GC in the video decoder) should not move it.
    LiveFigures figures(SteadyClock::time_point now) const;
    void reset();

  private:
    std::chrono::milliseconds window_;
    std::size_t latency_samples_;
    std::deque<SteadyClock::time_point> arrivals_;
    std::deque<std::chrono::microseconds> latencies_;
    std::int64_t dropped_frames_ = 0;
    std::int64_t results_ = 0;
};

}  // namespace emotrace::ui
