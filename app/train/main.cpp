// emotrace-train: trains one model from the zoo on FER-2013, FER+, CK+48 or the combined set,
// with checkpoints every epoch (Ctrl-C saves one; --resume continues exactly), a per-epoch CSV
// log, the best epoch saved as a model file the dashboard loads, and a test-split report.
#include <atomic>
#include <cmath>
#include <csignal>
#include <fstream>
#include <iostream>

#include <opencv2/core.hpp>

#include "emotrace/command_line.h"
#include "emotrace/train/arguments.h"
#include "emotrace/train/cross_validation.h"
#include "emotrace/train/data_sources.h"
#include "emotrace/train/evaluation.h"
#include "emotrace/train/train_setup.h"
#include "emotrace/charts.h"

namespace {

using namespace emotrace;
using namespace emotrace::train;

// Only a flag: the training loop polls it after each step, finishes that step and saves.
std::atomic<bool> interrupt_requested{false};

extern "C" void onInterrupt(int) {
    interrupt_requested = true;
    std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

struct TrainCommand {
    DataSources data;
    TrainSetup setup;
    std::filesystem::path out;
    bool test = true;
    int folds = 0;
    std::string folds_over = "all";  // all | ckplus
};

constexpr const char* kDescription =
    "Trains a model and writes into DIR: checkpoint.pt (every epoch), log.csv, best_model.pt "
    "(the epoch with the best validation macro-F1, loadable by the dashboard) and, unless "
    "--no-test, the best model's test_report.txt, test_confusion.csv and test_confusion.png.";

// The command line as a declaration of its options, bound into `c`.
void declareOptions(CLI::App& app, TrainCommand& c) {
    app.description(kDescription);
    cli::addStandardFlags(app);
    app.add_option("--out", c.out, "output folder")->required();
    app.add_flag("--resume", c.setup.train.resume, "continue the run in DIR from its checkpoint");
    app.add_flag_callback(
        "--no-test", [&c] { c.test = false; }, "skip the test-split evaluation at the end");
    app.add_option("--folds", c.folds,
                   "k-fold cross-validation instead: the dataset's parts pooled, K stratified "
                   "folds grouped by subject, DIR/fold-N per fold, and accuracy / macro-F1 per "
                   "fold with mean +- std (DIR/folds.csv)")
        ->check(CLI::Range(2, 100));
    app.add_option("--folds-over", c.folds_over,
                   "with --folds and --dataset combined: all (default: FER-2013 and CK+ pooled "
                   "into the folds) or ckplus (only CK+'s subjects rotate through the test folds; "
                   "FER-2013's training and validation parts are in every fold's training and "
                   "validation, its test part is not used): contempt by subject, as the model "
                   "card reports it")
        ->check(CLI::IsMember({"all", "ckplus"}));
    addDataOptions(app, c.data);
    addTrainOptions(app, c.setup);
}

void writeTestReport(const std::filesystem::path& model, const Dataset& test,
                     const std::filesystem::path& out, int threads) {
    EvaluationOptions options;
    options.threads = threads;
    const auto evaluation = evaluateModelFile(model, test, options);
    const auto report = classificationReport(evaluation.matrix);
    std::cout << "test split: accuracy " << 100.0 * accuracy(evaluation.matrix) << "%, macro-F1 "
              << 100.0 * macroF1(evaluation.matrix) << "%\n"
              << report;
    std::ofstream text(out / "test_report.txt");
    text << report;
    if (!text.flush())
        throw OutputError("could not write " + (out / "test_report.txt").string());
    writeConfusionCsv(evaluation.matrix, out / "test_confusion.csv");
    std::vector<std::vector<long long>> counts;
    for (int t = 0; t < evaluation.matrix.classes(); ++t) {
        counts.emplace_back();
        for (int p = 0; p < evaluation.matrix.classes(); ++p)
            counts.back().push_back(evaluation.matrix.at(t, p));
    }
    ChartStyle style;
    style.title = "Test confusion matrix";
    saveConfusionMatrix(out / "test_confusion.png", evaluation.matrix.labels(), counts, style);
}

int runFolds(TrainCommand& command, const PreparedData& data, const std::string& command_line,
             std::size_t ckplus_repeat) {
    Dataset all = data.train;
    for (const auto* part : {&data.validation, &data.test})
        all.items.insert(all.items.end(), part->items.begin(), part->items.end());
    train::FoldsBeside beside;
    if (command.folds_over == "ckplus") {
        // CK+ frames carry their subject as group; FER-2013's images have none.
        const auto has_subject = [](const LabeledImage& item) { return !item.group.empty(); };
        std::erase_if(all.items, [&](const LabeledImage& item) { return !has_subject(item); });
        beside.training.labels = beside.validation.labels = all.labels;
        for (const auto& item : data.train.items) {
            if (!has_subject(item))
                beside.training.items.push_back(item);
        }
        for (const auto& item : data.validation.items) {
            if (!has_subject(item))
                beside.validation.items.push_back(item);
        }
        std::cerr << "folds over CK+: " << all.items.size() << " frames rotate; "
                  << beside.training.items.size() << " FER-2013 training and "
                  << beside.validation.items.size() << " validation images are in every fold\n";
    }
    beside.folded_training_repeat = ckplus_repeat;
    const std::string repeated = ckplus_repeat > 1 ? ", each CK+ frame of a fold's training part " +
                                                         std::to_string(ckplus_repeat) + " times"
                                                   : "";
    command.setup.train.out_dir = command.out;
    command.setup.train.description = data.description + repeated + ", pooled for " +
                                      std::to_string(command.folds) +
                                      "-fold cross-validation; command: " + command_line;
    const auto result = crossValidate(all, command.folds, command.setup, std::cerr, beside);
    if (result.interrupted) {
        std::cerr << "interrupted: continue with the same command (folds resume)\n";
        return 130;
    }
    std::cout << command.folds << "-fold cross-validation of " << command.setup.train.model
              << ": accuracy " << formatPercentMeanStd(result.accuracy) << " %, macro-F1 "
              << formatPercentMeanStd(result.macro_f1) << " % (mean \u00b1 std across folds; "
              << (command.out / "folds.csv").string() << ")\n";
    for (std::size_t c = 0; c < result.labels.size() && c < result.class_f1.size(); ++c) {
        if (!std::isnan(result.class_f1[c].mean))
            std::cout << "  F1 " << result.labels[c] << ": "
                      << formatPercentMeanStd(result.class_f1[c]) << " %\n";
    }
    return 0;
}

int run(int argc, char** argv) {
    TrainCommand command;
    CLI::App app{"", "emotrace-train"};
    declareOptions(app, command);
    if (parseToolArguments(app, argc, argv))
        return 0;
    const std::string command_line = commandLine("emotrace-train", argc, argv);
    if (command.folds_over != "all" && (command.folds == 0 || command.data.dataset != "combined"))
        throw UsageError("--folds-over ckplus needs --folds K and --dataset combined");
    if (command.folds > 0 && command.data.ckplus_repeat > 1 && command.folds_over != "ckplus")
        throw UsageError(
            "--ckplus-repeat and --folds do not go together unless --folds-over ckplus (there "
            "the copies are made inside each fold's training part): the pooled folds would hold "
            "a frame's copies on the test side");
    if (command.folds > 0 && !command.data.distill_from.empty())
        throw UsageError(
            "--distill-from and --folds do not go together: the teacher's readings would carry "
            "what it learnt from the subjects a fold holds out");
    // With --folds-over ckplus the repeat belongs to each fold's training part, not to the
    // combined split's training part the folds are pooled from.
    std::size_t fold_ckplus_repeat = 1;
    if (command.folds > 0) {
        fold_ckplus_repeat = command.data.ckplus_repeat;
        command.data.ckplus_repeat = 1;
    }
    if (!command.data.degrade.empty() && command.data.degrade != "none")
        throw UsageError(
            "--degrade is for measuring how readings hold up (emotrace-evaluate), not for "
            "training: training augments its own rotations, scales and blur");
    cv::setNumThreads(1);  // augmentation runs in the loader thread; torch has the cores
    command.data.teacher_threads = command.setup.train.threads;
    auto data = prepareData(command.data, std::cerr);
    std::cerr << data.description << '\n';
    auto& setup = command.setup;
    // Targets blended with FER+ votes or a teacher's readings are distributions: the trainer
    // learns them, not the label.
    if (command.data.ferplus_mix > 0.0 || !command.data.distill_from.empty())
        setup.train.soft_labels = true;
    setup.train.ferplus_mix = command.data.ferplus_mix;
    setup.train.ferplus_contempt = command.data.ferplus_contempt;
    setup.train.through_pipeline = command.data.through_pipeline;
    setup.train.stop_requested = &interrupt_requested;
    std::signal(SIGINT, onInterrupt);
    if (command.folds > 0)
        return runFolds(command, data, command_line, fold_ckplus_repeat);
    if (command.data.dataset == "folder")
        throw UsageError(
            "--dataset folder makes all its images a test split: evaluate on it with "
            "emotrace-evaluate, or train on it with --folds K (cross-validation)");
    applyBalancingAndAugmentation(setup, data.train, std::cerr);
    setup.train.out_dir = command.out;
    setup.train.description = data.description + "; command: " + command_line;
    const auto result = train::train(data.train, data.validation, setup.train);
    if (result.interrupted) {
        std::cerr << "interrupted: continue with the same command and --resume\n";
        return 130;
    }
    std::cerr << "best epoch " << result.best_epoch << ": validation macro-F1 "
              << 100.0 * result.best_val_macro_f1 << "%, accuracy "
              << 100.0 * result.best_val_accuracy << "%"
              << (result.stopped_early ? " (stopped early)" : "")
              << "\nmodel: " << result.best_model.string() << '\n';
    if (command.test && !data.test.items.empty())
        writeTestReport(result.best_model, data.test, command.out, setup.train.threads);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return emotrace::train::runTool("emotrace-train", run, argc, argv);
}
