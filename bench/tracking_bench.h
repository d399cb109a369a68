// Telling the people of a call apart (issue 23): what the appearance signature costs per face,
// how far one person's faces lie from one another and from other people's (the basis of the
// tracker's thresholds), whether it ever splits a single person's track on the twelve shared
// clips, and how often the followed person keeps their track when two gallery tiles swap places,
// over every pair of the shared clips, against tracking by position alone.
#pragma once

#include <filesystem>
#include <string>

namespace emotrace::bench {

struct TrackingBenchOptions {
    std::filesystem::path videos;  // ../shared/data/videos
    int frames_per_clip = 90;      // read from each clip's start
};

// Markdown for docs/benchmarks.md.
std::string runTrackingBench(const TrackingBenchOptions& options);

}  // namespace emotrace::bench
