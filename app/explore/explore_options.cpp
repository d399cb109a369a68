#include "explore_options.h"

#include <algorithm>
#include <charconv>

namespace emotrace::explore {

namespace {

const std::vector<std::string> kDatasetNames{"fer2013", "ferplus", "ckplus", "combined"};

template <typename Number>
Number parseNumber(const std::string& option, const std::string& text) {
    Number value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size())
        throw UsageError(option + " expects a whole number, got '" + text + "'");
    return value;
}

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

}  // namespace

ExploreOptions parseExploreOptions(const std::vector<std::string>& args) {
    ExploreOptions options;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        const auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size())
                throw UsageError(arg + " needs a value");
            return args[++i];
        };
        if (arg == "--help" || arg == "-h") {
            options.help = true;
        } else if (arg == "--data") {
            options.data = value();
        } else if (arg == "--fer2013") {
            options.fer2013 = value();
        } else if (arg == "--ferplus") {
            options.ferplus = value();
        } else if (arg == "--ckplus") {
            options.ckplus = value();
        } else if (arg == "--datasets") {
            options.datasets = parseDatasets(value());
        } else if (arg == "--out") {
            options.out = value();
        } else if (arg == "--samples") {
            options.samples = parseNumber<int>(arg, value());
            if (options.samples < 1 || options.samples > 64)
                throw UsageError("--samples must be 1..64, got " + args[i]);
        } else if (arg == "--seed") {
            options.seed = parseNumber<std::uint64_t>(arg, value());
        } else if (arg == "--smote") {
            options.smote = true;
        } else if (arg == "--strict") {
            options.strict = true;
        } else {
            throw UsageError("unknown option '" + arg + "'");
        }
    }
    return options;
}

std::string usageText() {
    return R"(Usage: emotrace-explore [options]

Explores the training data: class distribution per split (table and PNG chart), pixel mean and
standard deviation per split, and a grid of sample images per class, for FER-2013, FER+, CK+48
and the paper's combined FER-2013 + CK+ set. Writes the figures and summary.md to --out.

Options:
  --data DIR        data root (default ../shared/data): fer2013/fer2013.csv or .csv.xz,
                    fer2013/fer2013new.csv, CK+48/ (CK+48 must be unpacked:
                    ../shared/data/unpack.sh DEST, then --data DEST)
  --fer2013 FILE    FER-2013 csv (or .csv.xz), instead of the one under --data
  --ferplus FILE    FER+ votes (fer2013new.csv), instead of the one under --data
  --ckplus DIR      CK+48 folder (one folder per class), instead of the one under --data
  --datasets LIST   comma-separated: fer2013, ferplus, ckplus, combined
                    (default: every one whose data is found)
  --out DIR         output folder (default ./explore)
  --samples N       images per class in the sample grids (default 8)
  --seed N          seed for the CK+ subject split and the sample choice (default 1)
  --smote           also run SMOTE on each training part: time it, chart before/after
  --strict          stop at the first malformed row or unreadable image
  -h, --help        this text

Splits: FER-2013 and FER+ use the Usage column (Training / PublicTest / PrivateTest as
train / validation / test); CK+48 is split by subject 80/10/10; the combined set keeps
FER-2013's split and adds CK+ split by subject (docs/datasets.md).

Exit codes: 0 ok, 1 unexpected error, 2 bad command line, 3 data missing or malformed,
6 output cannot be written.
)";
}

}  // namespace emotrace::explore
