#include "emotrace/train/experiment.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "emotrace/balancing.h"
#include "emotrace/train/checkpoint.h"
#include "emotrace/train/evaluation.h"
#include "emotrace/train/metrics.h"
#include "emotrace/train/paper_table2.h"

namespace emotrace::train {

namespace {

namespace fs = std::filesystem;

std::string percent(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", 100.0 * value);
    return text;
}

// Recall per true class from a confusion matrix's counts; NaN for a class with no true items.
std::vector<double> recallPerClass(const std::vector<std::vector<long long>>& counts) {
    std::vector<double> recall;
    for (std::size_t t = 0; t < counts.size(); ++t) {
        long long total = 0;
        for (long long n : counts[t])
            total += n;
        recall.push_back(total > 0 && t < counts[t].size()
                             ? static_cast<double>(counts[t][t]) / static_cast<double>(total)
                             : std::nan(""));
    }
    return recall;
}

// The labels and per-class recall of a confusion CSV as writeConfusionCsv writes it; nothing when
// it is missing or not that shape (the table then shows no recall for the run, rather than a
// wrong one).
void readClassRecall(const fs::path& path, RunResult& r) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line))
        return;
    const auto cells = [](const std::string& text) {
        std::vector<std::string> out;
        std::stringstream stream(text);
        std::string cell;
        while (std::getline(stream, cell, ','))
            out.push_back(cell);
        return out;
    };
    const auto header = cells(line);
    if (header.size() < 2)
        return;
    const std::vector<std::string> labels(header.begin() + 1, header.end());
    std::vector<std::vector<long long>> counts;
    while (std::getline(in, line)) {
        if (line.empty())
            continue;
        const auto row = cells(line);
        if (row.size() != header.size() || counts.size() >= labels.size() ||
            row[0] != labels[counts.size()])
            return;
        std::vector<long long> numbers;
        try {
            for (std::size_t i = 1; i < row.size(); ++i)
                numbers.push_back(std::stoll(row[i]));
        } catch (const std::logic_error&) {
            return;
        }
        counts.push_back(std::move(numbers));
    }
    if (counts.size() != labels.size())
        return;
    r.labels = labels;
    r.class_recall = recallPerClass(counts);
}

std::string readAll(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::optional<RunResult> readResult(const fs::path& path) {
    std::ifstream in(path);
    if (!in)
        return std::nullopt;
    try {
        const auto j = nlohmann::json::parse(in);
        RunResult r;
        r.model = j.at("model").get<std::string>();
        r.variant = j.at("variant").get<std::string>();
        r.accuracy = j.at("test_accuracy").get<double>();
        r.macro_f1 = j.at("test_macro_f1").get<double>();
        r.best_epoch = j.at("best_epoch").get<int>();
        r.epochs_run = j.at("epochs_run").get<int>();
        r.train_seconds = j.at("train_seconds").get<double>();
        r.train_cpu_seconds = j.value("train_cpu_seconds", 0.0);
        r.data_description = j.value("data", std::string());
        r.profile = j.value("profile", std::string());
        r.done = true;
        readClassRecall(path.parent_path() / "test_confusion.csv", r);
        if (auto history = parseHistoryCsv(readAll(path.parent_path() / "log.csv")))
            r.history = std::move(*history);
        return r;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;  // a damaged result is redone, not trusted
    }
}

void writeResult(const fs::path& path, const RunResult& r) {
    const nlohmann::ordered_json j{{"model", r.model},
                                   {"variant", r.variant},
                                   {"test_accuracy", r.accuracy},
                                   {"test_macro_f1", r.macro_f1},
                                   {"best_epoch", r.best_epoch},
                                   {"epochs_run", r.epochs_run},
                                   {"train_seconds", r.train_seconds},
                                   {"train_cpu_seconds", r.train_cpu_seconds},
                                   {"data", r.data_description},
                                   {"profile", r.profile}};
    writeTextAtomically(path, j.dump(2) + "\n");
}

std::string resultsCsv(const std::vector<RunResult>& runs) {
    std::string csv =
        "model,variant,done,test_accuracy,test_macro_f1,best_epoch,epochs_run,"
        "train_seconds,train_cpu_seconds\n";
    for (const auto& r : runs) {
        csv += r.model + ',' + r.variant + ',' + (r.done ? "1" : "0") + ',' +
               std::to_string(r.accuracy) + ',' + std::to_string(r.macro_f1) + ',' +
               std::to_string(r.best_epoch) + ',' + std::to_string(r.epochs_run) + ',' +
               std::to_string(r.train_seconds) + ',' + std::to_string(r.train_cpu_seconds) + '\n';
    }
    return csv;
}

std::string signedPercent(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%+.2f", 100.0 * value);
    return text;
}

// The finished runs that have what `has` asks for, models in the table's order, baseline before
// SMOTE.
template <typename Has>
std::vector<const RunResult*> finishedRuns(const std::vector<RunResult>& runs,
                                           const std::vector<std::string>& models, Has has) {
    std::vector<const RunResult*> rows;
    for (const auto& model : models) {
        for (const char* variant : {"baseline", "smote"}) {
            const auto* r = findFinished(runs, model, variant);
            if (r && has(*r))
                rows.push_back(r);
        }
    }
    return rows;
}

// Each finished run's recall per class, models in the table's order, baseline before SMOTE;
// empty when no finished run has one.
std::string recallMarkdown(const std::vector<RunResult>& runs,
                           const std::vector<std::string>& models) {
    const auto rows =
        finishedRuns(runs, models, [](const RunResult& r) { return !r.class_recall.empty(); });
    if (rows.empty())
        return {};
    const auto& labels = rows.front()->labels;
    std::ostringstream md;
    md << "\n**Recall per class** on the test split, in % (the share of each class's test "
          "images the model names correctly; — : the class is not in the test split):\n\n"
          "| Model | Variant |";
    for (const auto& label : labels)
        md << ' ' << label << " |";
    md << "\n|---|---|";
    for (std::size_t i = 0; i < labels.size(); ++i)
        md << "---:|";
    md << '\n';
    for (const auto* r : rows) {
        md << "| " << r->model << " | " << r->variant << " |";
        for (const auto& label : labels) {
            const auto at = std::find(r->labels.begin(), r->labels.end(), label);
            const auto index = static_cast<std::size_t>(at - r->labels.begin());
            char value[32] = "—";
            if (at != r->labels.end() && !std::isnan(r->class_recall[index]))
                std::snprintf(value, sizeof value, "%.1f", 100.0 * r->class_recall[index]);
            md << ' ' << value << " |";
        }
        md << '\n';
    }
    return md.str();
}

// Each finished run's training curve in figures: the losses and accuracies at its first, lowest
// and last epochs. Empty when no finished run has its log.
std::string fitMarkdown(const std::vector<RunResult>& runs,
                        const std::vector<std::string>& models) {
    const auto rows =
        finishedRuns(runs, models, [](const RunResult& r) { return !r.history.empty(); });
    if (rows.empty())
        return {};
    std::ostringstream md;
    md << "\n**Does it overfit?** Each run's training and validation curves, from its `log.csv`. "
          "Overfitting shows as validation loss rising from its lowest while training loss "
          "still falls, and as training accuracy pulling away from validation accuracy. "
          "Training accuracy is the running share over each epoch's augmented batches (dropout "
          "on; for SMOTE, the balanced set with its synthetic images), so it understates how well "
          "the network fits its training images. Gap: training minus validation accuracy at the "
          "last epoch, in points.\n\n"
          "| Model | Variant | Epochs | Training loss, first → last | Validation loss, lowest "
          "(epoch) → last | Training acc., last | Validation acc., last | Gap |\n"
          "|---|---|---:|---|---|---:|---:|---:|\n";
    for (const auto* r : rows) {
        const auto& first = r->history.front();
        const auto& last = r->history.back();
        const auto lowest = std::min_element(
            r->history.begin(), r->history.end(),
            [](const EpochRecord& a, const EpochRecord& b) { return a.val_loss < b.val_loss; });
        char line[256];
        std::snprintf(line, sizeof line, "| %s | %s | %d | %.3f → %.3f | %.3f (%d) → %.3f | ",
                      r->model.c_str(), r->variant.c_str(), last.epoch, first.train_loss,
                      last.train_loss, lowest->val_loss, lowest->epoch, last.val_loss);
        md << line << percent(last.train_accuracy) << " | " << percent(last.val_accuracy) << " | "
           << signedPercent(last.train_accuracy - last.val_accuracy) << " |\n";
    }
    return md.str();
}

// The files of a finished run worth keeping in the repository (small, text).
constexpr const char* kPublishedFiles[] = {"result.json", "test_report.txt", "test_confusion.csv",
                                           "log.csv"};

// Copies a finished run's small results to results_dir/runs/NAME (result.json last, so that a
// folder with a result.json is complete).
void publish(const ExperimentOptions& o, const fs::path& folder, const std::string& name) {
    if (o.results_dir.empty())
        return;
    const auto target = o.results_dir / "runs" / name;
    fs::create_directories(target);
    for (const char* file : kPublishedFiles) {
        if (std::string(file) != "result.json" && fs::exists(folder / file))
            writeTextAtomically(target / file, readAll(folder / file));
    }
    writeTextAtomically(target / "result.json", readAll(folder / "result.json"));
}

// One run: train (resuming when a checkpoint is there), then evaluate the best model on test.
RunResult runOne(const ExperimentOptions& o, const std::string& model, const std::string& variant,
                 const Dataset& training, const PreparedData& data, std::ostream& log,
                 bool& interrupted) {
    const auto name = model + "-" + variant;
    const auto folder = o.out_dir / "runs" / name;
    if (auto done = readResult(folder / "result.json")) {
        log << model << " " << variant << ": done before, skipped\n";
        if (!o.results_dir.empty() && !fs::exists(o.results_dir / "runs" / name / "result.json"))
            publish(o, folder, name);
        return *done;
    }
    if (!o.results_dir.empty()) {
        if (auto done = readResult(o.results_dir / "runs" / name / "result.json")) {
            log << model << " " << variant << ": done before (in " << o.results_dir.string()
                << "), skipped\n";
            return *done;
        }
    }
    if (o.table_only)
        return {.model = model, .variant = variant};
    log << "== " << model << " " << variant << " ==\n";
    auto setup = o.setup;
    setup.train.model = model;
    setup.balancing.smote = false;  // `training` is already SMOTEd for that variant
    setup.train.out_dir = folder;
    setup.train.resume = true;
    setup.train.stop_requested = o.stop_requested;
    setup.train.description = data.description + "; " + variant + "; " + o.command;
    Dataset train_set = training;
    applyBalancingAndAugmentation(setup, train_set, log);
    const auto trained = train(train_set, data.validation, setup.train);
    RunResult r{.model = model, .variant = variant};
    if (trained.interrupted) {
        interrupted = true;
        return r;
    }
    EvaluationOptions evaluation_options;
    evaluation_options.threads = setup.train.threads;
    const auto test = evaluateModelFile(trained.best_model, data.test, evaluation_options);
    r.done = true;
    r.data_description = data.description;
    r.profile = o.profile;
    r.accuracy = accuracy(test.matrix);
    r.macro_f1 = macroF1(test.matrix);
    r.best_epoch = trained.best_epoch;
    r.epochs_run = static_cast<int>(trained.history.size());
    r.labels = test.matrix.labels();
    for (const auto& scores : perClassScores(test.matrix))
        r.class_recall.push_back(scores.support > 0 ? scores.recall : std::nan(""));
    r.history = trained.history;
    for (const auto& epoch : trained.history) {
        r.train_seconds += epoch.seconds;
        r.train_cpu_seconds += epoch.cpu_seconds;
    }
    writeTextAtomically(folder / "test_report.txt", classificationReport(test.matrix));
    writeConfusionCsv(test.matrix, folder / "test_confusion.csv");
    writeResult(folder / "result.json", r);
    publish(o, folder, name);
    log << model << " " << variant << ": test accuracy " << percent(r.accuracy) << "%, macro-F1 "
        << percent(r.macro_f1) << "%\n";
    return r;
}

Dataset smoteTrainingSet(const Dataset& training, const TrainSetup& setup, std::ostream& log) {
    Dataset smoted = training;
    std::mt19937 rng(static_cast<std::uint32_t>(setup.train.seed));
    SmoteOptions options;
    options.k = setup.balancing.smote_k;
    const auto report = applySmote(smoted, options, rng);
    log << "SMOTE: " << smoted.items.size() << " training items after adding "
        << report.parents.size() << " synthetic ones\n";
    return smoted;
}

}  // namespace

std::vector<std::string> table2Models() {
    return {"mycnn_v1", "mycnn_v2",   "mycnn_v3", "mycnn_v4", "mycnn_v5",   "mycnn_v6",
            "ma2024",   "two_branch", "resnet18", "vgg16",    "densenet121"};
}

const RunResult* findFinished(const std::vector<RunResult>& runs, std::string_view model,
                              std::string_view variant) {
    for (const auto& r : runs) {
        if (r.model == model && r.variant == variant && r.done)
            return &r;
    }
    return nullptr;
}

void applyProfile(const std::string& profile, DataSources& sources, TrainSetup& setup,
                  bool explicit_epochs, bool explicit_steps) {
    if (profile == "full")
        return;
    if (profile != "quick")
        throw UsageError("--profile expects quick or full, got '" + profile + "'");
    if (sources.max_train_items == 0)
        sources.max_train_items = 1000;
    if (sources.max_eval_items == 0)
        sources.max_eval_items = 200;
    if (!explicit_epochs)
        setup.train.epochs = 1;
    if (!explicit_steps)
        setup.train.max_steps_per_epoch = 5;
}

std::string table2Markdown(const std::vector<RunResult>& runs, const ExperimentOptions& o,
                           const std::string& data_description) {
    std::ostringstream md;
    md << "| Model | Accuracy (baseline) | Macro-F1 (baseline) | Accuracy (SMOTE) | "
          "Macro-F1 (SMOTE) | Δ accuracy | Δ macro-F1 | best / run epochs | CPU min |\n"
          "|---|---:|---:|---:|---:|---:|---:|---|---|\n";
    auto data = data_description;
    for (const auto& model : o.models) {
        md << "| " << model;
        const auto* baseline = findFinished(runs, model, "baseline");
        const auto* smote = findFinished(runs, model, "smote");
        for (const auto* r : {baseline, smote}) {
            md << " | " << (r ? percent(r->accuracy) : "—") << " | "
               << (r ? percent(r->macro_f1) : "—");
            if (r && data.empty())
                data = r->data_description;
        }
        const bool both = baseline && smote;
        md << " | " << (both ? signedPercent(smote->accuracy - baseline->accuracy) : "—") << " | "
           << (both ? signedPercent(smote->macro_f1 - baseline->macro_f1) : "—") << " | ";
        // By position, not by pointer: two runs not finished are both null.
        const RunResult* pair[] = {baseline, smote};
        for (int i = 0; i < 2; ++i) {
            const auto* r = pair[i];
            md << (i == 1 ? " ; " : "")
               << (r ? std::to_string(r->best_epoch) + "/" + std::to_string(r->epochs_run) : "—");
        }
        md << " | ";
        for (int i = 0; i < 2; ++i) {
            const auto* r = pair[i];
            char minutes[32] = "—";
            if (r && r->train_cpu_seconds > 0.0)
                std::snprintf(minutes, sizeof minutes, "%.0f", r->train_cpu_seconds / 60.0);
            md << (i == 1 ? " ; " : "") << minutes;
        }
        md << " |\n";
    }
    // Rebuilt from committed results, the table states the profile the runs were trained with,
    // not the option's default.
    std::string profile = o.profile;
    if (o.table_only) {
        std::set<std::string> recorded;
        int unrecorded = 0;
        for (const auto& r : runs) {
            if (!r.done)
                continue;
            if (r.profile.empty())
                ++unrecorded;
            else
                recorded.insert(r.profile);
        }
        profile.clear();
        for (const auto& name : recorded)
            profile += (profile.empty() ? "" : ", ") + name;
        if (unrecorded > 0) {
            profile += (profile.empty() ? "" : "; ") + std::to_string(unrecorded) +
                       " run(s) from before the profile was recorded, trained with the command "
                       "in docs/table2.md";
        }
        if (profile.empty())
            profile = "none finished";
    }
    md << "\nTest-split accuracy and macro-F1 in %; Δ: SMOTE minus baseline, in points; epochs and "
          "CPU minutes (processor time of all threads, training and validation) as baseline ; "
          "SMOTE; — : run not finished (or, for CPU time, not recorded). CPU minutes grow "
          "several-fold for epochs that shared the cores with another training run (their threads "
          "wait for each other), so they compare runs only where both ran alone. Profile: "
       << profile << "; data: " << (data.empty() ? "not recorded" : data) << ".\n\nCommand: `"
       << o.command << "`\n";
    md << paperComparisonMarkdown(runs, o.models);
    md << recallMarkdown(runs, o.models);
    md << fitMarkdown(runs, o.models);
    return md.str();
}

ExperimentResult runExperiment(const ExperimentOptions& o, const PreparedData& data,
                               std::ostream& log, const FigureWriter& figures) {
    fs::create_directories(o.out_dir / "runs");
    ExperimentResult result;
    result.table = o.out_dir / "table2.md";
    for (const auto& variant : o.variants) {
        if (variant != "baseline" && variant != "smote")
            throw UsageError("variants are baseline and smote, got '" + variant + "'");
    }
    std::optional<Dataset> smoted;  // made once, shared by every model's SMOTE run
    for (const auto& model : o.models) {
        for (const auto& variant : o.variants) {
            if (result.interrupted) {
                result.runs.push_back({.model = model, .variant = variant});
                continue;
            }
            const bool smote = variant == "smote" || o.setup.balancing.smote;
            if (smote && !smoted && !o.table_only)
                smoted = smoteTrainingSet(data.train, o.setup, log);
            result.runs.push_back(runOne(o, model, variant, smote && smoted ? *smoted : data.train,
                                         data, log, result.interrupted));
            // Written after every run, so a long experiment always has its table so far.
            writeTextAtomically(result.table, table2Markdown(result.runs, o, data.description));
            writeTextAtomically(o.out_dir / "results.csv", resultsCsv(result.runs));
        }
    }
    if (figures)
        figures(result.runs, o.out_dir);
    return result;
}

}  // namespace emotrace::train
