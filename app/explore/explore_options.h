// The command line of emotrace-explore as a plain struct, and its exit codes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace emotrace::explore {

enum ExitCode : int {
    kExitOk = 0,
    kExitUnexpected = 1,
    kExitUsage = 2,
    kExitData = 3,    // a dataset missing, unreadable or malformed (in strict mode)
    kExitOutput = 6,  // a figure or the summary cannot be written
};

struct ExploreOptions {
    std::filesystem::path data = "../shared/data";  // root holding fer2013/ and CK+48/
    // Each overrides the path found under `data`.
    std::filesystem::path fer2013;  // fer2013.csv or fer2013.csv.xz
    std::filesystem::path ferplus;  // fer2013new.csv
    std::filesystem::path ckplus;   // the CK+48 folder
    // fer2013, ferplus, ckplus, combined; empty: every one whose data is found.
    std::vector<std::string> datasets;
    std::filesystem::path out = "explore";
    int samples = 8;  // per class in the sample grids
    std::uint64_t seed = 1;
    bool smote = false;  // also run SMOTE on each training part, timed, with a before/after chart
    bool strict = false;
    bool help = false;
    bool version = false;
};

class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// args excludes the program name. Throws UsageError.
ExploreOptions parseExploreOptions(const std::vector<std::string>& args);
std::string usageText();

}  // namespace emotrace::explore
