// The command line of emotrace-bench: a subcommand and the options the benchmarks share.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace emotrace::bench {

struct BenchOptions {
    std::string command;  // classifier, pipeline, soak, detectors, analysis, smoothing, all
    std::optional<std::filesystem::path> data;
    std::optional<std::filesystem::path> work;
    std::optional<std::filesystem::path> model;  // default: the seeded ResNet18
    // classifier
    int runs = 50;
    bool runs_given = false;  // analysis runs 3 times unless --runs says otherwise
    bool run_python = true;
    std::string python = "/usr/bin/python3";
    // pipeline and soak
    int faces = 1;
    double seconds = 20.0;
    double warmup_seconds = 2.0;
    std::optional<std::filesystem::path> video;
    int torch_threads = 2;
    int cv_threads = -1;
    std::string detector = "yunet2023";
    int max_input_side = 320;
    double minutes = 30.0;
    double sample_seconds = 10.0;
    // detectors
    int frames_per_clip = 60;
    // analysis
    double clip_seconds = 60.0;
    double long_minutes = 120.0;
    int detect_every = 5;
    bool help = false;
    bool version = false;
};

// Throws std::invalid_argument with a message naming the option and what was expected.
BenchOptions parseBenchOptions(const std::vector<std::string>& arguments);
std::string benchUsage();

}  // namespace emotrace::bench
