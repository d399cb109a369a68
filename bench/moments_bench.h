// The moment detector (emotrace/moments.h) scored on the shared clips against
// videos/annotations.csv: which documented expressions it finds within half a second of their
// start, how many moments it reports on the stretches the annotations call neutral or near
// neutral (per minute), how late a live moment appears, and what it costs per frame; for the
// three sensitivities, so the default is a measured choice. Every frame is analysed once (the
// shipped model unless --model); each sensitivity then runs over the same readings.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "emotrace/pipeline.h"
#include "emotrace/types.h"

namespace emotrace::bench {

struct MomentsBenchOptions {
    std::filesystem::path videos;  // the shared videos/ folder, with annotations.csv
    std::filesystem::path model;   // a trained emotrace model file
    int torch_threads = 2;
    double tolerance_seconds = 0.5;  // the annotations' precision
};

// One row of annotations.csv.
struct AnnotatedStretch {
    std::string clip;  // file name
    double start_seconds = 0.0;
    double end_seconds = 0.0;
    std::string label;  // an emotion, "frown", "neutral" or "near-neutral"
    bool neutral() const { return label == "neutral" || label == "near-neutral"; }
};
// Throws Error naming the file and line of a malformed row.
std::vector<AnnotatedStretch> readAnnotations(const std::filesystem::path& csv);

// Every frame of a clip analysed, keeping the largest face with probabilities as track 1 (the
// shared clips show one person).
std::vector<FrameRecord> analyseLargestFace(const std::filesystem::path& clip,
                                            FrameAnalyzer& analyzer);

std::string runMomentsBench(const MomentsBenchOptions& options);

}  // namespace emotrace::bench
