// The Table 2 experiment: every model of the paper trained on the combined dataset twice, as a
// baseline and with SMOTE, each evaluated on the test split; the results as a markdown table,
// a CSV and (through a callback, since drawing needs Qt) two figures. Each run lives in its own
// folder and is skipped once finished, resumed from its checkpoint when interrupted.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "emotrace/train/data_sources.h"
#include "emotrace/train/train_setup.h"

namespace emotrace::train {

// The paper's models in its table's order.
std::vector<std::string> table2Models();

// quick: a 1,000-item training subset, 200-item validation and test subsets, 1 epoch of at most
// 5 steps: a check of the whole pipeline for every model (minutes on two idle cores; DenseNet121
// takes most of it), not a measurement. full: the paper's protocol on all the data.
// Options the user gave explicitly are kept (`explicit_*` say which). Throws UsageError for
// another name.
void applyProfile(const std::string& profile, DataSources& sources, TrainSetup& setup,
                  bool explicit_epochs, bool explicit_steps);

struct ExperimentOptions {
    std::string profile = "quick";
    std::vector<std::string> models = table2Models();
    std::vector<std::string> variants{"baseline", "smote"};
    std::filesystem::path out_dir = "experiments/table2";
    TrainSetup setup;     // shared by every run; "smote" adds SMOTE to it
    std::string command;  // recorded in the table
    // Where each finished run's small results (result.json, test_report.txt, test_confusion.csv,
    // log.csv: no checkpoint, no model) are also copied, one folder per run under runs/, so that
    // they can be committed while the experiment goes on elsewhere; a run found there counts as
    // finished. Empty: not copied.
    std::filesystem::path results_dir;
    // Only collect the runs finished so far into the table and figures; train nothing (and need
    // no data: the description comes from the results).
    bool table_only = false;
    const std::atomic<bool>* stop_requested = nullptr;
};

struct RunResult {
    std::string model;
    std::string variant;
    bool done = false;
    double accuracy = 0.0;  // on the test split
    double macro_f1 = 0.0;
    int best_epoch = 0;
    int epochs_run = 0;
    double train_seconds = 0.0;
    double train_cpu_seconds = 0.0;
    std::string data_description{};  // the data it was trained and tested on
    std::string profile{};           // quick or full; empty in results written before it was kept
    // Recall per true class on the test split (from the run's test_confusion.csv), in the order
    // of `labels`; NaN for a class the test split does not hold. Empty when the run's confusion
    // matrix is missing or cannot be read.
    std::vector<std::string> labels{};
    std::vector<double> class_recall{};
    // Every epoch's losses and accuracies (from the run's log.csv); empty when it is missing or
    // cannot be read.
    std::vector<EpochRecord> history{};
};

struct ExperimentResult {
    std::vector<RunResult> runs;  // models x variants, done or not
    bool interrupted = false;
    std::filesystem::path table;  // out_dir/table2.md
};

// The finished run of `model` and `variant` in `runs`; nullptr when there is none.
const RunResult* findFinished(const std::vector<RunResult>& runs, std::string_view model,
                              std::string_view variant);

using FigureWriter =
    std::function<void(const std::vector<RunResult>& runs, const std::filesystem::path& out_dir)>;

ExperimentResult runExperiment(const ExperimentOptions& options, const PreparedData& data,
                               std::ostream& log, const FigureWriter& figures = {});

// The markdown table (one row per model, accuracy and macro-F1 for each variant; "—" for runs
// not finished) with the command and data it came from, the paper's figures beside them, each
// finished run's recall per class, and each one's training and validation curves in figures
// (does it overfit?).
std::string table2Markdown(const std::vector<RunResult>& runs, const ExperimentOptions& options,
                           const std::string& data_description);

}  // namespace emotrace::train
