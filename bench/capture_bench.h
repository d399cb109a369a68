// Capturing a video call's window (issue 23): capture rate and cost for a 1280x720 window and
// the same region of the screen, and the live pipeline reading a gallery of eight faces (eight
// shared clips tiled into 1280x720, played into a window at 30 fps). Needs an X display: run it
// under `xvfb-run -a -s "-screen 0 1920x1080x24"`.
#pragma once

#include <filesystem>
#include <string>

namespace emotrace::bench {

struct CaptureBenchOptions {
    std::filesystem::path videos;  // ../shared/data/videos
    std::filesystem::path model;   // the emotion model for the pipeline run
    double seconds = 10.0;         // per measurement
    int torch_threads = 0;
};

// Markdown for docs/benchmarks.md.
std::string runCaptureBench(const CaptureBenchOptions& options);

}  // namespace emotrace::bench
