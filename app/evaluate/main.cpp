// emotrace-evaluate: a model file on a dataset split -> accuracy, macro-F1, the per-class
// report, the confusion matrix as CSV and PNG; optionally averaging each face with its mirror.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "emotrace/emotion_classifier.h"
#include "emotrace/load_report.h"
#include "emotrace/nets.h"
#include "emotrace/command_line.h"
#include "emotrace/train/arguments.h"
#include "emotrace/train/calibration.h"
#include "emotrace/train/data_sources.h"
#include "emotrace/train/evaluation.h"
#include "emotrace/train/metrics.h"
#include "emotrace/types.h"
#include "emotrace/charts.h"

namespace {

using namespace emotrace;
using namespace emotrace::train;

struct EvaluateCommand {
    std::filesystem::path model;
    DataSources data;
    EvaluationOptions evaluation;
    std::string split = "test";
    std::filesystem::path out;
    std::filesystem::path fit_class_bias;
    bool as_the_app_runs = false;
    bool no_tilted_model = false;
    int bootstrap_resamples = 1000;
};

constexpr const char* kDescription =
    "Evaluates an emotrace model file on a split of a dataset and prints accuracy, macro-F1 and "
    "the per-class report with a 95 % bootstrap interval; with --out DIR also writes "
    "report.txt, confusion.csv, confusion.png and predictions.csv (each image's truth, "
    "prediction, probabilities).";

// The command line as a declaration of its options, bound into `c`.
void declareOptions(CLI::App& app, EvaluateCommand& c) {
    app.description(kDescription);
    cli::addStandardFlags(app);
    app.add_option("MODEL", c.model, "the emotrace model file")->required();
    app.add_option("--split", c.split, "test | validation | train (default test)")
        ->check(CLI::IsMember({"test", "validation", "train"}));
    app.add_flag("--flip-average", c.evaluation.flip_average,
                 "average each face's softmax with its mirror image's");
    app.add_option("--shift-average", c.evaluation.shift_average,
                   "also average over copies moved by D pixels left, right, up, down")
        ->check(CLI::Range(0, 1024));
    app.add_flag("--as-the-app-runs", c.as_the_app_runs,
                 "the views the model's metadata asks for (flip_average, shift_average): the "
                 "figures of the path the dashboard and emotrace-analyze run");
    app.add_option("--tilted-model", c.evaluation.tilted_model,
                   "with --through-pipeline: faces whose eyes lean beyond the levelling band are "
                   "levelled fully and read by this model, as the app reads them with a "
                   "companion for tilted faces (default with --as-the-app-runs: MODEL's "
                   "companion FILE.tilted.pt when it exists)");
    app.add_flag("--no-tilted-model", c.no_tilted_model,
                 "with --as-the-app-runs: read every face with MODEL, its companion for tilted "
                 "faces left out");
    app.add_flag("--present-classes-only", c.evaluation.present_classes_only,
                 "score only the classes the split has items of, predictions restricted to them "
                 "(the 7-class FER-2013 benchmark of an 8-class model)");
    app.add_option("--bootstrap", c.bootstrap_resamples,
                   "resamples for the 95 % interval of accuracy and macro-F1 (default 1000; 0: "
                   "none). Resamples whole CK+ subjects, FER-2013 images singly")
        ->check(CLI::Range(0, 1000000));
    app.add_option("--batch-size", c.evaluation.batch_size, "(default 128)")
        ->check(CLI::Range(1, 65536));
    app.add_option("--threads", c.evaluation.threads, "(default 2)")->check(CLI::Range(1, 256));
    app.add_option("--out", c.out, "where to write the report files");
    app.add_option("--fit-class-bias", c.fit_class_bias,
                   "(with --split validation) fit one logit offset per class that maximises "
                   "macro-F1 on the split, and write the model with the offsets in its last "
                   "bias to FILE (models/emotrace-resnet18.md)");
    addDataOptions(app, c.data);
}

// What needs more than one option to check.
void checkCombinations(const EvaluateCommand& c) {
    if (!c.fit_class_bias.empty() &&
        (c.split != "validation" || c.evaluation.present_classes_only ||
         c.evaluation.flip_average || c.evaluation.shift_average > 0 || c.as_the_app_runs))
        throw UsageError(
            "--fit-class-bias fits on the validation split only (--split validation), "
            "without --present-classes-only or averaging over views: the test split stays "
            "untouched for the final figures");
}

std::string viewsText(const EvaluationOptions& o) {
    if (o.shift_average > 0)
        return ", averaged over the face moved " + std::to_string(o.shift_average) +
               " pixels each way" + (o.flip_average ? " and the mirror images" : "");
    return o.flip_average ? ", flip-averaged" : "";
}

std::string intervalText(const BootstrapInterval& b) {
    char text[256];
    std::snprintf(text, sizeof text,
                  "95%% bootstrap interval (%d resamples of %zu subjects or images): accuracy "
                  "%.2f-%.2f%%, macro-F1 %.2f-%.2f%%\n",
                  b.resamples, b.groups, 100.0 * b.accuracy_low, 100.0 * b.accuracy_high,
                  100.0 * b.macro_f1_low, 100.0 * b.macro_f1_high);
    return text;
}

// Through the app's detection: how the readings the app would keep (quality at or above
// kLowQuality) score against those it would flag as low quality.
std::string qualitySplitText(const Evaluation& e, const Dataset& split) {
    std::vector<int> kept_truth, kept_predicted, dropped_truth, dropped_predicted;
    for (std::size_t i = 0; i < split.items.size() && i < e.truth.size(); ++i) {
        const auto& quality = split.items[i].reading_quality;
        if (!quality)
            return {};  // not through the pipeline: nothing measured
        const bool kept = *quality >= kLowQuality;
        (kept ? kept_truth : dropped_truth).push_back(e.truth[i]);
        (kept ? kept_predicted : dropped_predicted).push_back(e.predicted[i]);
    }
    const auto line = [&](const char* what, const std::vector<int>& truth,
                          const std::vector<int>& predicted) {
        char text[256];
        if (truth.empty()) {
            std::snprintf(text, sizeof text, "%s: none\n", what);
            return std::string(text);
        }
        const auto matrix = confusionMatrix(e.matrix.labels(), truth, predicted);
        std::snprintf(
            text, sizeof text, "%s: %zu faces (%.1f %%), accuracy %.2f%%, macro-F1 %.2f%%\n", what,
            truth.size(),
            100.0 * static_cast<double>(truth.size()) / static_cast<double>(e.truth.size()),
            100.0 * accuracy(matrix), 100.0 * macroF1(matrix));
        return std::string(text);
    };
    char rule[96];
    std::snprintf(rule, sizeof rule, "\nReading quality (docs/quality.md), low below %.2f:\n",
                  kLowQuality);
    return rule + line("  kept (quality >= low)", kept_truth, kept_predicted) +
           line("  flagged low", dropped_truth, dropped_predicted);
}

void writeFiles(const Evaluation& e, const std::string& report, const std::filesystem::path& out,
                const std::string& title) {
    std::filesystem::create_directories(out);
    std::ofstream text(out / "report.txt");
    text << report;
    if (!text.flush())
        throw OutputError("could not write " + (out / "report.txt").string());
    writeConfusionCsv(e.matrix, out / "confusion.csv");
    std::vector<std::vector<long long>> counts;
    for (int t = 0; t < e.matrix.classes(); ++t) {
        counts.emplace_back();
        for (int p = 0; p < e.matrix.classes(); ++p)
            counts.back().push_back(e.matrix.at(t, p));
    }
    ChartStyle style;
    style.title = title;
    saveConfusionMatrix(out / "confusion.png", e.matrix.labels(), counts, style);
}

int run(int argc, char** argv) {
    EvaluateCommand command;
    CLI::App app{"", "emotrace-evaluate"};
    declareOptions(app, command);
    if (parseToolArguments(app, argc, argv))
        return 0;
    checkCombinations(command);
    if (!command.data.distill_from.empty())
        throw UsageError("--distill-from makes training targets: it is for emotrace-train");
    auto options = command.evaluation;
    if (!options.tilted_model.empty() && !command.data.through_pipeline)
        throw UsageError(
            "--tilted-model reads the faces the app's crop turns: it needs "
            "--through-pipeline");
    if (!options.tilted_model.empty() && !command.fit_class_bias.empty())
        throw UsageError("--fit-class-bias fits one model's offsets: leave out --tilted-model");
    if (!options.tilted_model.empty() && command.no_tilted_model)
        throw UsageError("--tilted-model and --no-tilted-model contradict each other");
    // The companion by default, as the app runs; not with --unlevelled, which turns no face and
    // so would give it none (the crop before levelling, measured as it was).
    if (command.as_the_app_runs && command.data.through_pipeline && !command.data.unlevelled &&
        options.tilted_model.empty() && !command.no_tilted_model &&
        std::filesystem::is_regular_file(tiltedModelPath(command.model)))
        options.tilted_model = tiltedModelPath(command.model);
    if (!options.tilted_model.empty()) {
        if (command.data.unlevelled)
            throw UsageError(
                "--unlevelled turns no face, so no face would reach the tilted-face "
                "model: leave out --tilted-model");
        std::cerr << "faces beyond the levelling band: levelled fully and read by "
                  << options.tilted_model.string() << "\n";
    }
    auto sources = command.data;
    sources.level_tilted_fully = !options.tilted_model.empty();
    sources.pipeline_splits = {command.split};
    const auto data = prepareData(sources, std::cerr);
    const Dataset& split = command.split == "test"         ? data.test
                           : command.split == "validation" ? data.validation
                                                           : data.train;
    if (split.items.empty())
        throw DatasetError("the " + command.split + " split of " + data.description + " is empty");
    if (command.as_the_app_runs) {
        const auto info = nets::loadModelFile(command.model).info;
        options.flip_average = info.flip_average;
        options.shift_average = info.shift_average;
    }
    const auto evaluation = evaluateModelFile(command.model, split, options);
    auto report = classificationReport(evaluation.matrix);
    if (command.bootstrap_resamples > 0) {
        std::vector<std::string> groups;
        for (const auto& item : split.items)
            groups.push_back(item.group);
        report += "\n" + intervalText(bootstrapInterval(evaluation.matrix.labels(),
                                                        evaluation.truth, evaluation.predicted,
                                                        groups, command.bootstrap_resamples));
    }
    report += qualitySplitText(evaluation, split);
    std::cout << command.model.string() << " on the " << command.split << " split ("
              << split.items.size() << " images" << viewsText(options) << "): accuracy "
              << 100.0 * accuracy(evaluation.matrix) << "%, macro-F1 "
              << 100.0 * macroF1(evaluation.matrix) << "%, loss " << evaluation.loss << "\n\n"
              << report;
    if (!command.out.empty()) {
        writeFiles(evaluation, report, command.out,
                   command.model.filename().string() + " on " + command.split);
        writePredictionsCsv(evaluation, split, command.out / "predictions.csv");
    }
    if (!command.fit_class_bias.empty()) {
        const auto fit =
            fitClassBias(evaluation.scores, evaluation.truth, evaluation.matrix.classes());
        std::string offsets;
        char text[64];
        for (std::size_t c = 0; c < fit.offsets.size(); ++c) {
            std::snprintf(text, sizeof text, "%s%s %+.2f", c == 0 ? "" : ", ",
                          evaluation.matrix.labels()[c].c_str(), fit.offsets[c]);
            offsets += text;
        }
        std::snprintf(text, sizeof text, "%.2f%% to %.2f%%", 100.0 * fit.macro_f1_before,
                      100.0 * fit.macro_f1_after);
        const std::string note =
            "class logit offsets fitted on the validation split for "
            "macro-F1 (" +
            std::string(text) + "): " + offsets;
        writeModelWithClassOffsets(command.model, fit.offsets, note, command.fit_class_bias);
        std::cout << "\n" << note << "\nwrote " << command.fit_class_bias.string() << '\n';
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return emotrace::train::runTool("emotrace-evaluate", run, argc, argv);
}
