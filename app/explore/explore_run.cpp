#include "explore_run.h"

#include <chrono>
#include <fstream>
#include <iomanip>
#include <optional>
#include <sstream>

#include <opencv2/imgcodecs.hpp>

#include "dataset_summary.h"
#include "emotrace/balancing.h"
#include "emotrace/fer2013.h"
#include "emotrace/image_folder.h"
#include "emotrace/splits.h"
#include "emotrace/charts.h"
#include "sample_grid.h"

namespace emotrace::explore {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Explored {
    std::string name;   // file prefix: fer2013, ferplus, ckplus, combined
    std::string title;  // for figures and headings
    Dataset dataset;
    Split split;
    std::string notes;  // what the loaders reported
};

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string fixed(double value, int decimals) {
    std::ostringstream text;
    text << std::fixed << std::setprecision(decimals) << value;
    return text.str();
}

struct DataPaths {
    fs::path fer2013, ferplus, ckplus;
};

DataPaths resolvePaths(const ExploreOptions& options) {
    DataPaths paths{options.fer2013, options.ferplus, options.ckplus};
    if (paths.fer2013.empty()) {
        paths.fer2013 = options.data / "fer2013" / "fer2013.csv";
        if (!fs::exists(paths.fer2013))
            paths.fer2013 += ".xz";
    }
    if (paths.ferplus.empty())
        paths.ferplus = options.data / "fer2013" / "fer2013new.csv";
    if (paths.ckplus.empty())
        paths.ckplus = options.data / "CK+48";
    return paths;
}

std::vector<std::string> chosenDatasets(const ExploreOptions& options, const DataPaths& paths,
                                        std::ostream& err) {
    if (!options.datasets.empty())
        return options.datasets;
    const bool fer = fs::exists(paths.fer2013);
    const bool votes = fs::exists(paths.ferplus);
    const bool ck = fs::is_directory(paths.ckplus);
    if (!ck) {
        err << "note: no CK+48 folder at " << paths.ckplus.string()
            << "; unpack it with ../shared/data/unpack.sh DEST and pass --data DEST\n";
    }
    std::vector<std::string> names;
    if (fer)
        names.push_back("fer2013");
    if (fer && votes)
        names.push_back("ferplus");
    if (ck)
        names.push_back("ckplus");
    if (fer && ck)
        names.push_back("combined");
    if (names.empty())
        throw DatasetError("no datasets found under " + options.data.string() +
                           " (expected fer2013/fer2013.csv[.xz] or CK+48/)");
    return names;
}

// Loads each dataset once, on first use.
class DatasetCache {
  public:
    DatasetCache(const ExploreOptions& options, DataPaths paths, std::ostream& err)
        : options_(options), paths_(std::move(paths)), err_(err) {}

    const Fer2013Data& fer2013() {
        if (!fer2013_) {
            err_ << "loading " << paths_.fer2013.string() << '\n';
            const auto start = Clock::now();
            Fer2013Options fer_options{paths_.fer2013};
            fer_options.strict = options_.strict;
            fer2013_ = loadFer2013(fer_options);
            fer_notes_ = fer2013_->report.summary() + " (" + fixed(secondsSince(start), 1) + " s)";
        }
        return *fer2013_;
    }
    const std::string& fer2013Notes() { return fer2013(), fer_notes_; }

    const ImageFolderData& ckplus() {
        if (!ckplus_) {
            err_ << "loading " << paths_.ckplus.string() << '\n';
            const auto start = Clock::now();
            ImageFolderOptions ck_options{paths_.ckplus};
            ck_options.strict = options_.strict;
            ckplus_ = loadImageFolder(ck_options);
            ck_notes_ = ckplus_->report.summary() + " (" + fixed(secondsSince(start), 1) + " s)";
        }
        return *ckplus_;
    }
    const std::string& ckplusNotes() { return ckplus(), ck_notes_; }

    const DataPaths& paths() const { return paths_; }

  private:
    const ExploreOptions& options_;
    DataPaths paths_;
    std::ostream& err_;
    std::optional<Fer2013Data> fer2013_;
    std::optional<ImageFolderData> ckplus_;
    std::string fer_notes_, ck_notes_;
};

Explored load(const std::string& name, DatasetCache& cache, const ExploreOptions& options,
              std::ostream& err) {
    // CK+ alone gets the same subject split as inside the combined set.
    const SplitFractions ck_fractions{0.8, 0.1, 0.1};
    if (name == "fer2013") {
        const auto& fer = cache.fer2013();
        return {name, "FER-2013", fer.dataset, fer2013CanonicalSplit(fer), cache.fer2013Notes()};
    }
    if (name == "ferplus") {
        err << "loading " << cache.paths().ferplus.string() << '\n';
        const auto start = Clock::now();
        FerPlusOptions plus_options;
        plus_options.fer2013_csv = cache.paths().fer2013;
        plus_options.votes_csv = cache.paths().ferplus;
        plus_options.strict = options.strict;
        FerPlusData plus = loadFerPlus(plus_options);
        const std::string notes = plus.votes_report.summary() +
                                  "; dropped: " + std::to_string(plus.dropped_unknown_or_not_face) +
                                  " unknown or not a face, " +
                                  std::to_string(plus.dropped_by_rule) + " tied votes, " +
                                  std::to_string(plus.dropped_no_votes) + " without votes (" +
                                  fixed(secondsSince(start), 1) + " s)";
        Split split = fer2013CanonicalSplit(plus.data);
        return {name, "FER+ (majority of votes)", std::move(plus.data.dataset), std::move(split),
                notes};
    }
    if (name == "ckplus") {
        const auto& ck = cache.ckplus();
        return {name, "CK+48", ck.dataset,
                stratifiedGroupSplit(ck.dataset, ck_fractions, options.seed),
                cache.ckplusNotes() + "; split by subject 80/10/10, seed " +
                    std::to_string(options.seed)};
    }
    CombinedDataset combined = combineFer2013AndCkPlus(cache.fer2013(), cache.ckplus().dataset,
                                                       ck_fractions, options.seed);
    return {name, "FER-2013 + CK+48", std::move(combined.dataset), std::move(combined.split),
            "FER-2013 in its own split, CK+48 split by subject 80/10/10, seed " +
                std::to_string(options.seed)};
}

void writeImage(const fs::path& path, const cv::Mat& image) {
    if (!cv::imwrite(path.string(), image))
        throw OutputError("cannot write " + path.string());
}

// SMOTE on the training part: timed, with a before/after chart. Returns markdown.
std::string smoteSection(const Explored& explored, const ExploreOptions& options,
                         std::ostream& out) {
    Dataset train = subset(explored.dataset, explored.split.train);
    std::mt19937 rng(static_cast<unsigned>(options.seed));
    const auto start = Clock::now();
    const SmoteReport report = applySmote(train, {}, rng);
    const double seconds = secondsSince(start);
    std::vector<double> before(report.counts_before.begin(), report.counts_before.end());
    std::vector<double> after(report.counts_after.begin(), report.counts_after.end());
    saveGroupedBarChart(options.out / (explored.name + "_smote.png"), train.labels,
                        {"before SMOTE", "after SMOTE"}, {before, after},
                        {explored.title + ": training part before and after SMOTE (k = 5)", "class",
                         "images", 1000, 540});
    std::ostringstream text;
    text << "SMOTE on the training part: " << report.parents.size() << " synthetic images in "
         << fixed(seconds, 2) << " s (" << cv::getNumThreads() << " threads)";
    for (int label : report.labels_too_small)
        text << "; " << train.labels[static_cast<std::size_t>(label)]
             << " has fewer than 2 images and stays as it is";
    text << ".\n";
    out << text.str();
    return text.str();
}

std::string describe(const Explored& explored, const ExploreOptions& options, std::ostream& out) {
    const auto sides = summarise(explored.dataset, explored.split);
    std::ostringstream section;
    section << "## " << explored.title << "\n\n"
            << explored.notes << "\n\n"
            << classTable(explored.dataset.labels, sides) << '\n'
            << pixelTable(sides) << '\n';
    out << section.str();

    std::vector<double> rows[3];
    for (std::size_t s = 0; s < 3; ++s)
        rows[s].assign(sides[s].counts.begin(), sides[s].counts.end());
    saveGroupedBarChart(
        options.out / (explored.name + "_classes.png"), explored.dataset.labels,
        {"train", "validation", "test"}, {rows[0], rows[1], rows[2]},
        {explored.title + ": images per class and split", "class", "images", 1000, 540});
    writeImage(options.out / (explored.name + "_samples.png"),
               sampleGrid(explored.dataset, options.samples, options.seed,
                          explored.title + ": random samples per class"));
    section << "![classes](" << explored.name << "_classes.png)\n![samples](" << explored.name
            << "_samples.png)\n\n";
    if (options.smote) {
        section << smoteSection(explored, options, out) << "\n![smote](" << explored.name
                << "_smote.png)\n\n";
    }
    return section.str();
}

}  // namespace

int runExplore(const ExploreOptions& options, std::ostream& out, std::ostream& err) {
    try {
        std::error_code error;
        fs::create_directories(options.out, error);
        if (error)
            throw OutputError("cannot create " + options.out.string() + ": " + error.message());
        const DataPaths paths = resolvePaths(options);
        DatasetCache cache(options, paths, err);
        std::string summary = "# Dataset exploration\n\n";
        for (const auto& name : chosenDatasets(options, paths, err)) {
            const Explored explored = load(name, cache, options, err);
            summary += describe(explored, options, out);
        }
        std::ofstream file(options.out / "summary.md");
        if (!(file << summary))
            throw OutputError("cannot write " + (options.out / "summary.md").string());
        err << "figures and summary.md written to " << options.out.string() << '\n';
        return kExitOk;
    } catch (const DatasetError& e) {
        err << "emotrace-explore: " << e.what() << '\n';
        return kExitData;
    } catch (const OutputError& e) {
        err << "emotrace-explore: " << e.what() << '\n';
        return kExitOutput;
    }
}

}  // namespace emotrace::explore
