#include "live_figures.h"

#include <gtest/gtest.h>

namespace emotrace::ui {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(LiveFigureMeter, CountsResultsPerSecondOverTheWindow) {
    LiveFigureMeter meter(milliseconds(2000));
    const auto start = SteadyClock::time_point{} + std::chrono::hours(1);
    for (int i = 0; i < 100; ++i)
        meter.add(start + milliseconds(100 * i), microseconds(0), 0);
    // Results at 100 ms spacing: 10 a second, whatever the window.
    EXPECT_DOUBLE_EQ(meter.figures(start + milliseconds(9950)).results_per_second, 10.0);
    // Two seconds after the last result the window is empty.
    EXPECT_DOUBLE_EQ(meter.figures(start + milliseconds(9900 + 2000)).results_per_second, 0.0);
    EXPECT_EQ(meter.figures(start).results, 100);
}

TEST(LiveFigureMeter, LatencyIsTheMedianOfRecentResults) {
    LiveFigureMeter meter(milliseconds(2000), 5);
    const auto now = SteadyClock::now();
    for (int latency_ms : {900, 10, 20, 30, 40, 500}) {  // 900 falls out of the last 5
        meter.add(now, microseconds(latency_ms * 1000), 0);
    }
    EXPECT_DOUBLE_EQ(meter.figures(now).median_latency_ms, 30.0);
}

TEST(LiveFigureMeter, ReportsTheLatestDropCountAndResets) {
    LiveFigureMeter meter;
    const auto now = SteadyClock::now();
    meter.add(now, microseconds(1000), 3);
    meter.add(now, microseconds(1000), 7);
    EXPECT_EQ(meter.figures(now).dropped_frames, 7);
    meter.reset();
    EXPECT_EQ(meter.figures(now).dropped_frames, 0);
    EXPECT_EQ(meter.figures(now).results, 0);
    EXPECT_DOUBLE_EQ(meter.figures(now).median_latency_ms, 0.0);
}

}  // namespace
}  // namespace emotrace::ui
