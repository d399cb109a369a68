// emotrace-analyze: the headless analysis of recorded sessions into the session store, a
// per-frame CSV and a JSON summary, for scripts and batches (see --help and docs/csv-schema.md).
#include <exception>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "analysis_run.h"
#include "emotrace/emotion_classifier.h"
#include "analyze_options.h"
#include "store_run.h"

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
    if (options.version) {
        std::cout << "emotrace-analyze " << EMOTRACE_VERSION << '\n';
        return kExitOk;
    }
    if (options.default_model) {
        // The shipped model, when this checkout or install has it; otherwise boxes only (the
        // run says so).
        const auto shipped = emotrace::defaultEmotionModelPath();
        if (std::error_code error; std::filesystem::is_regular_file(shipped, error))
            options.model = shipped;
    }
    try {
        if (options.use_store)
            return runIntoStore(options, std::cerr);
        int first_failure = kExitOk;
        for (const auto& job : recordingJobs(options)) {
            const int code = runAnalysis(options, job, std::cerr);
            if (first_failure == kExitOk)
                first_failure = code;
        }
        return first_failure;
    } catch (const std::exception& e) {
        std::cerr << "emotrace-analyze: unexpected error: " << e.what() << '\n';
        return kExitUnexpected;
    }
}
