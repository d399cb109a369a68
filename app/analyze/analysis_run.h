// One direct run of emotrace-analyze: open the video, the model and the detector, analyse every
// frame into the CSV, and write the JSON summary, also when the video breaks midway.
#pragma once

#include <ostream>

#include "analyze_options.h"

namespace emotrace::analyze {

// The direct path (--no-store): every frame through the live pipeline's FrameAnalyzer into the
// CSV. Messages go to `err`, each starting with "emotrace-analyze: ". Returns the exit code.
int runAnalysis(const AnalyzeOptions& options, const RecordingJob& job, std::ostream& err);

}  // namespace emotrace::analyze
