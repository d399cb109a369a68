// emotrace-explore: what the training data looks like. Class distribution per split, pixel
// statistics and sample grids for FER-2013, FER+, CK+48 and the combined set (see --help).
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "explore_options.h"
#include "explore_run.h"

int main(int argc, char** argv) {
    using namespace emotrace::explore;
    const std::vector<std::string> args(argv + 1, argv + argc);
    ExploreOptions options;
    try {
        options = parseExploreOptions(args);
    } catch (const UsageError& e) {
        std::cerr << "emotrace-explore: " << e.what() << "\nTry 'emotrace-explore --help'.\n";
        return kExitUsage;
    }
    if (options.help) {
        std::cout << usageText();
        return kExitOk;
    }
    if (options.version) {
        std::cout << "emotrace-explore " << EMOTRACE_VERSION << '\n';
        return kExitOk;
    }
    try {
        return runExplore(options, std::cout, std::cerr);
    } catch (const std::exception& e) {
        std::cerr << "emotrace-explore: unexpected error: " << e.what() << '\n';
        return kExitUnexpected;
    }
}
