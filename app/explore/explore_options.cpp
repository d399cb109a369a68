#include "explore_options.h"

#include <algorithm>

#include "emotrace/command_line.h"

namespace emotrace::explore {

namespace {

const std::vector<std::string> kDatasetNames{"fer2013", "ferplus", "ckplus", "combined"};

constexpr const char* kFooter =
    R"(Splits: FER-2013 and FER+ use the Usage column (Training / PublicTest / PrivateTest as
train / validation / test); CK+48 is split by subject 80/10/10; the combined set keeps
FER-2013's split and adds CK+ split by subject (docs/datasets.md).

Exit codes: 0 ok, 1 unexpected error, 2 bad command line, 3 data missing or malformed,
6 output cannot be written.)";

std::vector<std::string> parseDatasets(const std::string& text) {
    std::vector<std::string> names;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        const std::string name = text.substr(start, comma - start);
        if (std::find(kDatasetNames.begin(), kDatasetNames.end(), name) == kDatasetNames.end()) {
            throw UsageError("unknown dataset '" + name +
                             "'; --datasets takes fer2013, ferplus, ckplus, combined");
        }
        names.push_back(name);
        start = comma + 1;
    }
    return names;
}

// The options as a declaration, bound into `options` (and `datasets`, checked afterwards).
void declareOptions(CLI::App& app, ExploreOptions& options, std::string& datasets) {
    app.description(
        "Explores the training data: class distribution per split (table and PNG chart), pixel "
        "mean and standard deviation per split, and a grid of sample images per class, for "
        "FER-2013, FER+, CK+48 and the paper's combined FER-2013 + CK+ set. Writes the figures "
        "and summary.md to --out.");
    app.footer(kFooter);
    cli::addStandardFlags(app);
    app.add_option("--data", options.data,
                   "data root (default ../shared/data): fer2013/fer2013.csv or .csv.xz, "
                   "fer2013/fer2013new.csv, CK+48/ (CK+48 must be unpacked: "
                   "../shared/data/unpack.sh DEST, then --data DEST)");
    app.add_option("--fer2013", options.fer2013,
                   "FER-2013 csv (or .csv.xz), instead of the one under --data");
    app.add_option("--ferplus", options.ferplus,
                   "FER+ votes (fer2013new.csv), instead of the one under --data");
    app.add_option("--ckplus", options.ckplus,
                   "CK+48 folder (one folder per class), instead of the one under --data");
    app.add_option("--datasets", datasets,
                   "comma-separated: fer2013, ferplus, ckplus, combined (default: every one "
                   "whose data is found)");
    app.add_option("--out", options.out, "output folder (default ./explore)");
    app.add_option("--samples", options.samples, "images per class in the sample grids (default 8)")
        ->check(CLI::Range(1, 64));
    app.add_option("--seed", options.seed,
                   "seed for the CK+ subject split and the sample choice (default 1)");
    app.add_flag("--smote", options.smote,
                 "also run SMOTE on each training part: time it, chart before/after");
    app.add_flag("--strict", options.strict, "stop at the first malformed row or unreadable image");
}

}  // namespace

ExploreOptions parseExploreOptions(const std::vector<std::string>& args) {
    ExploreOptions options;
    std::string datasets;
    CLI::App app{"", "emotrace-explore"};
    declareOptions(app, options, datasets);
    const auto outcome = cli::parseCommandLine<UsageError>(app, args);
    options.help = outcome == cli::ParseOutcome::Help;
    options.version = outcome == cli::ParseOutcome::Version;
    if (!datasets.empty())
        options.datasets = parseDatasets(datasets);
    return options;
}

std::string usageText() {
    ExploreOptions options;
    std::string datasets;
    CLI::App app{"", "emotrace-explore"};
    declareOptions(app, options, datasets);
    return app.help();
}

}  // namespace emotrace::explore
