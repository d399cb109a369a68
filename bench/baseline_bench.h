// The per-person neutral baseline (issue 21, part 3; emotrace/neutral_baseline.h) on the shared
// clips that start or rest neutral (d0, d9, d14, d18, d19): fitted on each clip's first
// documented neutral stretch (at most 3 s, as a therapist would press "resting face"), then the
// share of the neutral stretches' frames read as neutral and whether each documented expression
// is still its stretch's top reading, raw against baselined.
#pragma once

#include <filesystem>
#include <string>

namespace emotrace::bench {

struct BaselineBenchOptions {
    std::filesystem::path videos;  // the shared videos/ folder, with annotations.csv
    std::filesystem::path model;   // a trained emotrace model file
    int torch_threads = 2;
    double baseline_seconds = 3.0;   // the longest baseline taken
    double tolerance_seconds = 0.5;  // the annotations' precision: trimmed from each end
};

std::string runBaselineBench(const BaselineBenchOptions& options);

}  // namespace emotrace::bench
