// What emotrace-explore does once its options are parsed: load each dataset, describe it and
// write its figures and the summary.
#pragma once

#include <ostream>

#include "explore_options.h"

namespace emotrace::explore {

// Returns an ExitCode; messages for the user go to `err`, tables to `out`.
int runExplore(const ExploreOptions& options, std::ostream& out, std::ostream& err);

}  // namespace emotrace::explore
