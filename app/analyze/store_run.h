// The store path of emotrace-analyze: each video analysed into the session store (detector on
// keyframes, tracks in between, committed in batches), resumed when an earlier run was
// interrupted, reused when it is already complete; then the CSV and summary written from the
// stored session, and its exports when asked for.
#pragma once

#include <ostream>

#include "analyze_options.h"

namespace emotrace::analyze {

// Messages go to `err`, each starting with "emotrace-analyze: ". Returns the exit code: that of
// the first video that failed, after the others were analysed.
int runIntoStore(const AnalyzeOptions& options, std::ostream& err);

}  // namespace emotrace::analyze
