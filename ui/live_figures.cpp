#include "live_figures.h"

#include <algorithm>
#include <vector>

namespace emotrace::ui {

LiveFigureMeter::LiveFigureMeter(std::chrono::milliseconds window, std::size_t latency_samples)
    : window_(window), latency_samples_(std::max<std::size_t>(1, latency_samples)) {}

void LiveFigureMeter::add(SteadyClock::time_point arrived, std::chrono::microseconds latency,
                          std::int64_t dropped_frames) {
    arrivals_.push_back(arrived);
    // Arrivals older than the window are never counted again; keeping them would grow without
    // bound over a long session.
    while (!arrivals_.empty() && arrivals_.front() <= arrived - window_)
        arrivals_.pop_front();
    latencies_.push_back(latency);
    if (latencies_.size() > latency_samples_)
        latencies_.pop_front();
    dropped_frames_ = dropped_frames;
    ++results_;
}

LiveFigures LiveFigureMeter::figures(SteadyClock::time_point now) const {
    LiveFigures figures;
    figures.dropped_frames = dropped_frames_;
    figures.results = results_;
    const auto in_window = std::count_if(arrivals_.begin(), arrivals_.end(), [&](auto arrived) {
        return arrived > now - window_ && arrived <= now;
    });
    figures.results_per_second =
        static_cast<double>(in_window) / std::chrono::duration<double>(window_).count();
    if (!latencies_.empty()) {
        std::vector<std::chrono::microseconds> sorted(latencies_.begin(), latencies_.end());
        const auto middle = sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2);
        std::nth_element(sorted.begin(), middle, sorted.end());
        figures.median_latency_ms = static_cast<double>(middle->count()) / 1000.0;
    }
    return figures;
}

void LiveFigureMeter::reset() {
    arrivals_.clear();
    latencies_.clear();
    dropped_frames_ = 0;
    results_ = 0;
}

}  // namespace emotrace::ui
