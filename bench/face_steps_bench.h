// What reading a face costs after detection (issue 21): the crop as before (the detector's box),
// the crop with the eyes levelled from the landmarks, and the reading quality (head pose, size,
// sharpness, exposure), timed per face on the twelve shared clips at webcam size. The live
// pipeline does all three for every face of every frame, so their cost adds to its latency.
#pragma once

#include <filesystem>
#include <string>

namespace emotrace::bench {

struct FaceStepsBenchOptions {
    std::filesystem::path videos;  // ../shared/data/videos
    int frames_per_clip = 60;      // sampled evenly over each clip
    int repeats = 5;               // each step timed this many times per face, interleaved
};

// Markdown for docs/benchmarks.md.
std::string runFaceStepsBench(const FaceStepsBenchOptions& options);

}  // namespace emotrace::bench
