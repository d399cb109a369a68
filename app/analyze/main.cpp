// emotrace-analyze: the headless analysis of a recorded session into a per-frame CSV and a
// JSON summary, for scripts and statistics (see --help and docs/csv-schema.md).
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "analysis_run.h"
#include "analyze_options.h"

int main(int argc, char** argv) {
    using namespace emotrace::analyze;
    const std::vector<std::string> args(argv + 1, argv + argc);
    AnalyzeOptions options;
    try {
        options = parseAnalyzeOptions(args);
    } catch (const UsageError& e) {
        std::cerr << "emotrace-analyze: " << e.what() << "\nTry 'emotrace-analyze --help'.\n";
        return kExitUsage;
    }
    if (options.help) {
        std::cout << usageText();
        return kExitOk;
    }
    try {
        return runAnalysis(options, std::cerr);
    } catch (const std::exception& e) {
        std::cerr << "emotrace-analyze: unexpected error: " << e.what() << '\n';
        return kExitUnexpected;
    }
}
