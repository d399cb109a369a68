// emotrace-experiment: reproduces the paper's Table 2 (every model, baseline and SMOTE, on the
// combined FER-2013 + CK+ set) into a markdown table beside the paper's, a CSV and four figures.
// --profile quick finishes in minutes; --profile full is the paper's protocol. Finished runs are
// skipped and an interrupted one resumes from its checkpoint, so the same command continues the
// experiment.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <iostream>

#include <opencv2/core.hpp>

#include "emotrace/command_line.h"
#include "emotrace/train/arguments.h"
#include "emotrace/train/experiment.h"
#include "emotrace/train/paper_table2.h"
#include "emotrace/charts.h"

namespace {

using namespace emotrace;
using namespace emotrace::train;

std::atomic<bool> interrupt_requested{false};

extern "C" void onInterrupt(int) {
    interrupt_requested = true;
    std::signal(SIGINT, SIG_DFL);
}

constexpr const char* kDescription =
    "Trains every model of the paper's Table 2 as a baseline and with SMOTE and evaluates each "
    "on the test split. Writes OUT/table2.md, OUT/results.csv, "
    "OUT/accuracy_baseline_vs_smote.png, OUT/f1_beside_the_paper.png (both beside the paper's "
    "figures), OUT/f1_baseline_vs_smote.png, OUT/loss_curves.png and one folder per run "
    "under OUT/runs/ (checkpoints, logs, models, test reports). Run the same command again to "
    "continue after an interruption.";

// The command line as a declaration of its options, bound into `options`, `data` and `out`.
void declareOptions(CLI::App& app, ExperimentOptions& options, DataSources& data,
                    std::filesystem::path& out) {
    app.description(kDescription);
    cli::addStandardFlags(app);
    app.add_option("--profile", options.profile,
                   "quick (default: 1,000 training items, 1 epoch of 5 steps) or full (the "
                   "paper's protocol on all the data)");
    app.add_option("--models", options.models,
                   "a subset of the models, comma-separated (default: all, in the table's order)")
        ->delimiter(',');
    app.add_option("--variants", options.variants, "baseline and/or smote (default both)")
        ->delimiter(',')
        ->check(CLI::IsMember({"baseline", "smote"}));
    app.add_option("--out", out, "(default experiments/table2-PROFILE)");
    app.add_option("--results", options.results_dir,
                   "also copy each finished run's small results (result.json, test report, "
                   "confusion matrix, log.csv) to RESULTS/runs/NAME, for committing; runs found "
                   "there count as finished");
    app.add_flag("--table-only", options.table_only,
                 "rewrite the table and figures from the runs finished so far (in OUT and "
                 "RESULTS); needs no data");
    addDataOptions(app, data);
    addTrainOptions(app, options.setup);
}

// The paper's figure for a model, as a percentage; NaN (no bar) where the paper has none.
double paperPercent(const std::string& model, double PublishedResult::*field) {
    const auto row = paperTable2Row(model);
    return row ? 100.0 * (*row).*field : std::nan("");
}

// Baseline and SMOTE here, each beside the paper's (a lighter shade of the same colour).
void saveBesideThePaper(const std::filesystem::path& png, const std::string& measure,
                        const std::vector<std::string>& models, const std::vector<double>& baseline,
                        const std::vector<double>& smote, double PublishedResult::*paper_baseline,
                        double PublishedResult::*paper_smote) {
    std::vector<double> published_baseline, published_smote;
    for (const auto& model : models) {
        published_baseline.push_back(paperPercent(model, paper_baseline));
        published_smote.push_back(paperPercent(model, paper_smote));
    }
    ChartStyle style;
    style.title = "Test " + measure + ": baseline vs SMOTE, here and in the paper";
    style.y_label = measure + " (%)";
    style.width = 1500;
    style.height = 560;
    style.series_rgb = {0x1f77b4, 0xaec7e8, 0xff7f0e, 0xffbb78};
    saveGroupedBarChart(png, models,
                        {"baseline (here)", "baseline (paper)", "SMOTE (here)", "SMOTE (paper)"},
                        {baseline, published_baseline, smote, published_smote}, style);
}

// Training and validation loss by epoch, one panel per model with a finished run: where
// validation loss turns up while training loss falls, the model overfits.
void saveLossCurves(const std::vector<RunResult>& runs, const std::filesystem::path& png) {
    std::vector<std::string> models;
    std::size_t epochs = 0;
    for (const auto& r : runs) {
        if (!r.done || r.history.empty())
            continue;
        if (std::find(models.begin(), models.end(), r.model) == models.end())
            models.push_back(r.model);
        epochs = std::max(epochs, r.history.size());
    }
    if (models.empty())
        return;
    std::vector<double> x;
    for (std::size_t e = 1; e <= epochs; ++e)
        x.push_back(static_cast<double>(e));
    std::vector<LinePanel> panels;
    for (const auto& model : models) {
        LinePanel panel{model, {}};
        for (const char* variant : {"baseline", "smote"}) {
            std::vector<double> training(epochs, std::nan("")), validation(epochs, std::nan(""));
            if (const auto* r = findFinished(runs, model, variant)) {
                for (std::size_t e = 0; e < r->history.size() && e < epochs; ++e) {
                    training[e] = r->history[e].train_loss;
                    validation[e] = r->history[e].val_loss;
                }
            }
            panel.values.push_back(std::move(training));
            panel.values.push_back(std::move(validation));
        }
        panels.push_back(std::move(panel));
    }
    ChartStyle style;
    style.title = "Loss by epoch: validation turning up while training falls is overfitting";
    style.x_label = "epoch";
    style.y_label = "cross-entropy";
    style.width = 380;
    style.height = 250;
    style.series_rgb = {0xaec7e8, 0x1f77b4, 0xffbb78, 0xff7f0e};
    saveLinePanels(
        png, x,
        {"baseline, training", "baseline, validation", "SMOTE, training", "SMOTE, validation"},
        panels, 4, style);
}

void drawFigures(const std::vector<RunResult>& runs, const std::filesystem::path& out) {
    saveLossCurves(runs, out / "loss_curves.png");
    std::vector<std::string> models;
    std::vector<double> baseline_acc, smote_acc, baseline_f1, smote_f1;
    for (const auto& r : runs) {
        if (r.variant != "baseline" || !r.done)
            continue;
        for (const auto& s : runs) {
            if (s.model == r.model && s.variant == "smote" && s.done) {
                models.push_back(r.model);
                baseline_acc.push_back(100.0 * r.accuracy);
                smote_acc.push_back(100.0 * s.accuracy);
                baseline_f1.push_back(100.0 * r.macro_f1);
                smote_f1.push_back(100.0 * s.macro_f1);
            }
        }
    }
    if (models.empty()) {
        std::cerr << "no model has both runs finished yet: no figures\n";
        return;
    }
    saveBesideThePaper(out / "accuracy_baseline_vs_smote.png", "accuracy", models, baseline_acc,
                       smote_acc, &PublishedResult::baseline_accuracy,
                       &PublishedResult::smote_accuracy);
    saveBesideThePaper(out / "f1_beside_the_paper.png", "macro-F1", models, baseline_f1, smote_f1,
                       &PublishedResult::baseline_macro_f1, &PublishedResult::smote_macro_f1);
    ChartStyle f1_style;
    f1_style.title = "Test macro-F1: SMOTE against baseline (above the diagonal: SMOTE helps)";
    f1_style.x_label = "macro-F1 baseline (%)";
    f1_style.y_label = "macro-F1 SMOTE (%)";
    saveScatterWithDiagonal(out / "f1_baseline_vs_smote.png", baseline_f1, smote_f1, models,
                            f1_style);
}

int run(int argc, char** argv) {
    ExperimentOptions options;
    DataSources data_sources;
    std::filesystem::path out;
    CLI::App app{"", "emotrace-experiment"};
    declareOptions(app, options, data_sources, out);
    if (parseToolArguments(app, argc, argv))
        return 0;
    const bool explicit_epochs = app.count("--epochs") > 0;
    const bool explicit_steps = app.count("--max-steps") > 0;
    applyProfile(options.profile, data_sources, options.setup, explicit_epochs, explicit_steps);
    options.out_dir =
        out.empty() ? std::filesystem::path("experiments/table2-" + options.profile) : out;
    options.command = commandLine("emotrace-experiment", argc, argv);
    options.stop_requested = &interrupt_requested;
    if (!data_sources.degrade.empty() && data_sources.degrade != "none")
        throw UsageError(
            "--degrade is for measuring how readings hold up (emotrace-evaluate), "
            "not for Table 2's training runs");
    if (!data_sources.distill_from.empty())
        throw UsageError(
            "--distill-from is not part of the paper's protocol: use it with emotrace-train");
    cv::setNumThreads(1);
    PreparedData data;
    if (!options.table_only) {
        data = prepareData(data_sources, std::cerr);
        std::cerr << data.description << '\n';
    }
    std::signal(SIGINT, onInterrupt);
    const auto result = runExperiment(options, data, std::cerr, drawFigures);
    std::cout << "table: " << result.table.string() << '\n';
    if (result.interrupted) {
        std::cerr << "interrupted: run the same command again to continue\n";
        return 130;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return emotrace::train::runTool("emotrace-experiment", run, argc, argv);
}
