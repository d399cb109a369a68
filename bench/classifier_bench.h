// Per-face inference cost of the emotion classifier: emotrace's C++ path (plain and optimised
// TorchScript, through the EmotionClassifier interface the app uses) against PyTorch from
// Python with the same torch, timed in the same run so machine load affects both alike.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bench_common.h"

namespace emotrace::bench {

struct ClassifierBenchOptions {
    std::filesystem::path model;  // an emotrace model file (the seeded ResNet18 by default)
    int runs = 50;
    int warmup = 5;
    std::vector<int> threads = {1, 2};
    std::vector<int> batches = {1, 32};
    bool run_python = true;
    std::string python = "/usr/bin/python3";  // Debian's, which has python3-torch
    std::filesystem::path baseline_script;    // bench/pytorch_baseline.py
};

struct InferenceTiming {
    // "plain" / "optimised" / "flip-averaged" (C++), "eager" / "frozen" (PyTorch)
    std::string variant;
    int threads = 0;
    int batch = 0;
    Summary ms;  // one forward pass of the whole batch, softmax included
};

struct ClassifierReport {
    std::vector<InferenceTiming> cpp;
    std::vector<InferenceTiming> python;
    std::string python_versions;  // "torch 1.13.0a0, torchvision 0.14.1a0, Python 3.11.2"
    std::string python_error;     // why there is no baseline, when there is none
    int runs = 0;
};

ClassifierReport runClassifierBench(const ClassifierBenchOptions& options);

// The figures as a markdown section (tables, ratios and the target verdicts).
std::string classifierMarkdown(const ClassifierReport& report);

}  // namespace emotrace::bench
