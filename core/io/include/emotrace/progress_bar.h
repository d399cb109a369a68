// Progress of a long offline run on the terminal: percentage, frames per second and the time
// left. On a terminal the line is redrawn in place with '\r' at most ~10 times a second; in a
// log (stderr redirected) it prints a plain line now and then instead, so logs stay readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>

#include "emotrace/types.h"

namespace emotrace {

// "0:07", "12:34", "1:02:03"; negative durations count as zero.
std::string formatDuration(std::chrono::seconds duration);

// "[############            ]  50%  500/1000 frames  25.0 frames/s  ETA 0:20".
// total <= 0 (length unknown): "500 frames  25.0 frames/s". Before the first frame, or with no
// time elapsed yet, the rate is unknown and the ETA reads "--:--". done beyond total reads 100%.
// done_before frames were done by an earlier run (a resumed analysis): they count towards the
// percentage, not towards the rate of this run.
std::string formatProgress(std::int64_t done, std::int64_t total,
                           std::chrono::duration<double> elapsed, int bar_width = 24,
                           std::int64_t done_before = 0);

struct ProgressBarOptions {
    bool interactive = true;  // a terminal: redraw in place; otherwise plain lines
    std::chrono::milliseconds redraw_interval{100};
    std::chrono::milliseconds plain_line_interval{5000};
    int bar_width = 24;
    std::int64_t done_before = 0;  // see formatProgress
    // Injected so tests control time.
    std::function<SteadyClock::time_point()> clock = [] { return SteadyClock::now(); };
};

class ProgressBar {
  public:
    // The clock starts now. total <= 0 when the length is unknown.
    ProgressBar(std::ostream& out, std::int64_t total, ProgressBarOptions options = {});

    // Draws when the interval since the last drawing has passed; cheap otherwise.
    void update(std::int64_t done);
    // Draws the final state and ends the line. Further calls do nothing.
    void finish(std::int64_t done);

  private:
    void draw(std::int64_t done, SteadyClock::time_point now);

    std::ostream& out_;
    std::int64_t total_;
    ProgressBarOptions options_;
    SteadyClock::time_point start_;
    SteadyClock::time_point last_draw_;
    bool drawn_ = false;
    bool finished_ = false;
    std::size_t last_length_ = 0;
};

// Whether stderr is a terminal, i.e. whether a redrawn line can work.
bool stderrIsTerminal();

}  // namespace emotrace
