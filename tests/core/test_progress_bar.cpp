#include <chrono>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "emotrace/progress_bar.h"

namespace emotrace {
namespace {

using namespace std::chrono_literals;

// A clock the test moves by hand.
struct FakeClock {
    SteadyClock::time_point now{};
    ProgressBarOptions options(bool interactive) {
        ProgressBarOptions result;
        result.interactive = interactive;
        result.bar_width = 10;
        result.clock = [this] { return now; };
        return result;
    }
};

TEST(FormatDuration, MinutesAndSecondsThenHours) {
    EXPECT_EQ(formatDuration(7s), "0:07");
    EXPECT_EQ(formatDuration(754s), "12:34");
    EXPECT_EQ(formatDuration(3723s), "1:02:03");
    EXPECT_EQ(formatDuration(-5s), "0:00");
}

TEST(FormatProgress, HalfwayShowsPercentRateAndTimeLeft) {
    EXPECT_EQ(formatProgress(500, 1000, 20s, 24),
              "[############            ]  50%  500/1000 frames  25.0 frames/s  ETA 0:20");
}

TEST(FormatProgress, AResumedRunsRateCountsOnlyItsOwnFrames) {
    // 600 frames were stored by the killed run; this one did 200 more in 20 s.
    EXPECT_EQ(formatProgress(800, 1000, 20s, 24, 600),
              "[###################     ]  80%  800/1000 frames  10.0 frames/s  ETA 0:20");
    EXPECT_EQ(formatProgress(600, 1000, 2s, 4, 600),
              "[##  ]  60%  600/1000 frames  -- frames/s  ETA --:--");
}

TEST(FormatProgress, EtaRoundsUpAndGrowsIntoHours) {
    // 10 frames in 3 s: 3.3 frames/s, 11990 frames left take 3597 s.
    EXPECT_EQ(formatProgress(10, 12000, 3s, 4),
              "[    ]   0%  10/12000 frames  3.3 frames/s  ETA 59:57");
    EXPECT_EQ(formatProgress(1, 3601, 1s, 4),
              "[    ]   0%  1/3601 frames  1.0 frames/s  ETA 1:00:00");
}

TEST(FormatProgress, BeforeTheFirstFrameRateAndEtaAreUnknown) {
    EXPECT_EQ(formatProgress(0, 100, 0s, 4), "[    ]   0%  0/100 frames  -- frames/s  ETA --:--");
}

TEST(FormatProgress, DoneBeyondTotalReadsFull) {
    // Containers often under-report their frame count.
    EXPECT_EQ(formatProgress(110, 100, 10s, 4),
              "[####] 100%  110/100 frames  11.0 frames/s  ETA 0:00");
}

TEST(FormatProgress, UnknownLengthShowsCountAndRateOnly) {
    EXPECT_EQ(formatProgress(500, -1, 20s), "500 frames  25.0 frames/s");
}

TEST(ProgressBar, TerminalRedrawsInPlaceAtMostTenTimesASecond) {
    FakeClock clock;
    std::ostringstream out;
    ProgressBar bar(out, 100, clock.options(true));
    bar.update(0);
    clock.now += 50ms;
    bar.update(5);  // too soon: skipped
    EXPECT_EQ(out.str(), "\r[          ]   0%  0/100 frames  -- frames/s  ETA --:--");
    clock.now += 50ms;
    bar.update(10);
    EXPECT_EQ(out.str(),
              "\r[          ]   0%  0/100 frames  -- frames/s  ETA --:--"
              "\r[#         ]  10%  10/100 frames  100.0 frames/s  ETA 0:01");
    EXPECT_EQ(out.str().find('\n'), std::string::npos);
}

TEST(ProgressBar, TerminalWipesLeftoversOfALongerLine) {
    FakeClock clock;
    std::ostringstream out;
    ProgressBar bar(out, -1, clock.options(true));
    clock.now += 1s;
    bar.update(100);  // "100 frames  100.0 frames/s"
    clock.now += 9s;
    bar.update(100);  // "100 frames  10.0 frames/s": one character shorter
    EXPECT_EQ(out.str(), "\r100 frames  100.0 frames/s\r100 frames  10.0 frames/s ");
}

TEST(ProgressBar, FinishDrawsTheFinalStateAndEndsTheLine) {
    FakeClock clock;
    std::ostringstream out;
    ProgressBar bar(out, 4, clock.options(true));
    clock.now += 2s;
    bar.finish(4);
    bar.finish(4);  // a second call does nothing
    EXPECT_EQ(out.str(), "\r[##########] 100%  4/4 frames  2.0 frames/s  ETA 0:00\n");
}

TEST(ProgressBar, WithoutTerminalPrintsPlainLinesEveryFewSeconds) {
    FakeClock clock;
    std::ostringstream out;
    ProgressBar bar(out, 1000, clock.options(false));
    for (int i = 1; i <= 40; ++i) {  // 4 s at 10 frames/s: under one interval
        clock.now += 100ms;
        bar.update(i);
    }
    EXPECT_EQ(out.str(), "");
    clock.now += 1s;
    bar.update(50);
    EXPECT_EQ(out.str(), "[          ]   5%  50/1000 frames  10.0 frames/s  ETA 1:35\n");
    clock.now += 1s;
    bar.update(60);
    bar.finish(60);
    EXPECT_EQ(out.str(),
              "[          ]   5%  50/1000 frames  10.0 frames/s  ETA 1:35\n"
              "[          ]   6%  60/1000 frames  10.0 frames/s  ETA 1:34\n");
    EXPECT_EQ(out.str().find('\r'), std::string::npos);
}

}  // namespace
}  // namespace emotrace
