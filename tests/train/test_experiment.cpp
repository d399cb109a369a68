#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "emotrace/train/experiment.h"
#include "emotrace/train/paper_table2.h"
#include "test_support.h"
#include "train_test_data.h"

namespace emotrace::train {
namespace {

PreparedData tinyData() {
    PreparedData data;
    data.train = test::stripesDataset(12, 3, 16, 1);
    data.validation = test::stripesDataset(4, 3, 16, 2);
    data.test = test::stripesDataset(4, 3, 16, 3);
    // Unbalanced, so SMOTE has something to do.
    data.train.items.resize(data.train.items.size() - 6);
    data.description = "generated stripes";
    return data;
}

std::string readText(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

ExperimentOptions quickOptions(const std::filesystem::path& out) {
    ExperimentOptions o;
    DataSources ignored;
    applyProfile("quick", ignored, o.setup, false, false);
    o.models = {"mycnn_v1"};
    o.out_dir = out;
    o.command = "emotrace-experiment --profile quick --models mycnn_v1";
    o.setup.train.batch_size = 8;
    o.setup.train.threads = 1;
    o.setup.train.show_progress = false;
    return o;
}

TEST(Experiment, QuickProfileWritesTheTableAndSkipsFinishedRuns) {
    test::TempDir dir;
    const auto options = quickOptions(dir.path());
    std::ostringstream log;
    int figure_calls = 0;
    const auto result =
        runExperiment(options, tinyData(), log,
                      [&](const std::vector<RunResult>& runs, const std::filesystem::path&) {
                          ++figure_calls;
                          EXPECT_EQ(runs.size(), 2u);
                      });
    EXPECT_FALSE(result.interrupted);
    ASSERT_EQ(result.runs.size(), 2u);
    EXPECT_TRUE(result.runs[0].done && result.runs[1].done);
    EXPECT_EQ(result.runs[1].variant, "smote");
    EXPECT_EQ(figure_calls, 1);
    const auto table = readText(result.table);
    EXPECT_NE(table.find("| Model | Accuracy (baseline)"), std::string::npos) << table;
    EXPECT_NE(table.find("| mycnn_v1 | "), std::string::npos) << table;
    EXPECT_EQ(table.find("| —"), std::string::npos) << "every run finished:\n" << table;
    EXPECT_NE(table.find(options.command), std::string::npos);
    EXPECT_NE(log.str().find("SMOTE: "), std::string::npos) << log.str();
    EXPECT_TRUE(std::filesystem::exists(dir / "runs/mycnn_v1-smote/test_report.txt"));
    EXPECT_TRUE(std::filesystem::exists(dir / "results.csv"));

    std::ostringstream again;
    const auto second = runExperiment(options, tinyData(), again);
    EXPECT_NE(again.str().find("mycnn_v1 baseline: done before, skipped"), std::string::npos)
        << again.str();
    EXPECT_EQ(second.runs[0].accuracy, result.runs[0].accuracy);
}

TEST(Experiment, TableOnlyReportsWithoutTraining) {
    test::TempDir dir;
    auto options = quickOptions(dir.path());
    options.table_only = true;
    std::ostringstream log;
    const auto result = runExperiment(options, tinyData(), log);
    ASSERT_EQ(result.runs.size(), 2u);
    EXPECT_FALSE(result.runs[0].done || result.runs[1].done);
    EXPECT_NE(readText(result.table).find("| mycnn_v1 | — | — | — | — |"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir / "runs/mycnn_v1-baseline/checkpoint.pt"));
}

TEST(Experiment, FinishedRunsArePublishedAndTheTableIsRebuiltFromThemWithoutData) {
    test::TempDir dir;
    auto options = quickOptions(dir / "work");
    options.variants = {"baseline"};
    options.results_dir = dir / "committed";
    std::ostringstream log;
    const auto trained = runExperiment(options, tinyData(), log);
    ASSERT_TRUE(trained.runs.at(0).done);
    const auto published = dir / "committed/runs/mycnn_v1-baseline";
    for (const char* file : {"result.json", "test_report.txt", "test_confusion.csv", "log.csv"})
        EXPECT_TRUE(std::filesystem::exists(published / file)) << file;
    EXPECT_FALSE(std::filesystem::exists(published / "best_model.pt"));
    EXPECT_FALSE(std::filesystem::exists(published / "checkpoint.pt"));
    EXPECT_EQ(readText(published / "log.csv"),
              readText(dir / "work/runs/mycnn_v1-baseline/log.csv"));

    // A fresh clone: no work folder, no data, only the committed results.
    auto rebuild = quickOptions(dir / "fresh");
    rebuild.variants = {"baseline"};
    rebuild.results_dir = dir / "committed";
    rebuild.table_only = true;
    std::ostringstream again;
    const auto table = runExperiment(rebuild, PreparedData{}, again);
    ASSERT_TRUE(table.runs.at(0).done) << again.str();
    EXPECT_EQ(table.runs[0].accuracy, trained.runs[0].accuracy);
    EXPECT_GT(table.runs[0].train_cpu_seconds, 0.0);
    const auto markdown = readText(table.table);
    EXPECT_NE(markdown.find("data: generated stripes"), std::string::npos) << markdown;
    EXPECT_EQ(table.runs[0].profile, "quick");
    EXPECT_NE(markdown.find("Profile: quick;"), std::string::npos) << markdown;
    // The recall per class comes back from the committed confusion matrix.
    EXPECT_EQ(table.runs[0].labels, trained.runs[0].labels);
    ASSERT_EQ(table.runs[0].class_recall.size(), trained.runs[0].class_recall.size());
    for (std::size_t c = 0; c < table.runs[0].class_recall.size(); ++c)
        EXPECT_DOUBLE_EQ(table.runs[0].class_recall[c], trained.runs[0].class_recall[c]);
    EXPECT_NE(markdown.find("**Recall per class**"), std::string::npos) << markdown;
    EXPECT_NE(markdown.find("| mycnn_v1 | baseline |"), std::string::npos) << markdown;
    // So do its training curves, from the committed log.
    ASSERT_EQ(table.runs[0].history.size(), trained.runs[0].history.size());
    EXPECT_NEAR(table.runs[0].history.back().val_loss, trained.runs[0].history.back().val_loss,
                1e-6);
    EXPECT_NE(markdown.find("**Does it overfit?**"), std::string::npos) << markdown;

    // A damaged confusion matrix gives no recall rather than a wrong one, a damaged log no
    // curve; the run still counts.
    {
        std::ofstream damaged(published / "test_confusion.csv");
        damaged << "true\\predicted,a,b,c\na,1,2\n";
        std::ofstream log_damaged(published / "log.csv");
        log_damaged << "epoch,train_loss\n1,0.5,\n";
    }
    std::ostringstream third;
    const auto without = runExperiment(rebuild, PreparedData{}, third);
    ASSERT_TRUE(without.runs.at(0).done);
    EXPECT_TRUE(without.runs[0].class_recall.empty());
    EXPECT_EQ(readText(without.table).find("**Recall per class**"), std::string::npos);
    EXPECT_TRUE(without.runs[0].history.empty());
    EXPECT_EQ(readText(without.table).find("**Does it overfit?**"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir / "fresh/runs/mycnn_v1-baseline/checkpoint.pt"));
}

// Results committed before the profile was kept say so instead of claiming the option's default.
TEST(Experiment, ATableRebuiltFromOlderResultsDoesNotClaimAProfile) {
    ExperimentOptions o;
    o.models = {"mycnn_v1", "mycnn_v2"};
    o.table_only = true;
    RunResult old{.model = "mycnn_v1", .variant = "baseline", .done = true};
    RunResult recorded{.model = "mycnn_v1", .variant = "smote", .done = true};
    recorded.profile = "full";
    const auto table = table2Markdown({old, recorded}, o, "data");
    EXPECT_NE(table.find("Profile: full; 1 run(s) from before the profile was recorded"),
              std::string::npos)
        << table;
    EXPECT_EQ(table.find("Profile: quick"), std::string::npos) << table;
    EXPECT_NE(table.find("| mycnn_v2 | — | — | — | — | — | — | — ; — | — ; — |"), std::string::npos)
        << table;
}

TEST(Experiment, TableGivesTheDifferenceEpochsAndCpuTime) {
    ExperimentOptions o;
    o.models = {"resnet18"};
    const auto run = [](const char* variant, double accuracy, double f1, int best, int epochs,
                        double cpu) {
        return RunResult{.model = "resnet18",
                         .variant = variant,
                         .done = true,
                         .accuracy = accuracy,
                         .macro_f1 = f1,
                         .best_epoch = best,
                         .epochs_run = epochs,
                         .train_cpu_seconds = cpu};
    };
    const std::vector<RunResult> runs{run("baseline", 0.60, 0.45, 7, 10, 1200.0),
                                      run("smote", 0.59, 0.5323, 5, 8, 2400.0)};
    const auto table = table2Markdown(runs, o, "data");
    EXPECT_NE(table.find("| resnet18 | 60.00 | 45.00 | 59.00 | 53.23 | -1.00 | +8.23 | 7/10 ; 5/8 "
                         "| 20 ; 40 |"),
              std::string::npos)
        << table;
}

TEST(Experiment, TableSetsEachRunBesideThePapersFigures) {
    ExperimentOptions o;
    o.models = {"two_branch", "resnet18", "vgg16"};
    const std::vector<RunResult> runs{
        {.model = "resnet18",
         .variant = "baseline",
         .done = true,
         .accuracy = 0.6,
         .macro_f1 = 0.45},
        {.model = "resnet18", .variant = "smote", .done = true, .accuracy = 0.6, .macro_f1 = 0.55},
        {.model = "two_branch",
         .variant = "baseline",
         .done = true,
         .accuracy = 0.5,
         .macro_f1 = 0.4}};
    const auto table = table2Markdown(runs, o, "data");
    ASSERT_NE(table.find("**Beside the paper**"), std::string::npos) << table;
    // Here, the paper's 51.41 / 40.09 / 59.00 / 53.23, the difference, and what SMOTE changed in
    // each (here +0.00 and +10.00; in the paper +7.59 and +13.14).
    EXPECT_NE(table.find("| resnet18 | 60.00 | 51.41 | +8.59 | 45.00 | 40.09 | +4.91 | 60.00 | "
                         "59.00 | +1.00 | 55.00 | 53.23 | +1.77 | +0.00 ; +7.59 | +10.00 ; "
                         "+13.14 |"),
              std::string::npos)
        << table;
    EXPECT_NE(table.find("| two_branch | 50.00 | — | — | 40.00 | — | — | — | — | — | — | — | — | "
                         "— ; — | — ; — |"),
              std::string::npos)
        << "the paper's table has no two-branch row\n"
        << table;
    EXPECT_NE(table.find("| vgg16 | — | 24.28 | — | — | 4.88 | — | — | 16.83 | — | — | 3.60 | — | "
                         "— ; -7.45 | — ; -1.28 |"),
              std::string::npos)
        << "a run not finished still shows the paper's figures\n"
        << table;
}

TEST(Experiment, TableOfModelsThePaperDidNotRunHasNoComparison) {
    ExperimentOptions o;
    o.models = {"two_branch"};
    const auto table = table2Markdown({}, o, "data");
    EXPECT_EQ(table.find("Beside the paper"), std::string::npos) << table;
}

TEST(Experiment, ThePapersTableHasARowForEachOfItsTenModels) {
    int rows = 0;
    for (const auto& model : table2Models()) {
        const auto row = paperTable2Row(model);
        if (model == "two_branch") {
            EXPECT_FALSE(row) << "not in the paper's table";
            continue;
        }
        ASSERT_TRUE(row) << model;
        ++rows;
        for (double value : {row->baseline_accuracy, row->baseline_macro_f1, row->smote_accuracy,
                             row->smote_macro_f1}) {
            EXPECT_GT(value, 0.0) << model;
            EXPECT_LT(value, 1.0) << model << ": a fraction, not a percentage";
        }
    }
    EXPECT_EQ(rows, 10);
    EXPECT_DOUBLE_EQ(paperTable2Row("resnet18")->smote_accuracy, 0.59);
    EXPECT_DOUBLE_EQ(paperTable2Row("resnet18")->smote_macro_f1, 0.5323);
    EXPECT_FALSE(paperTable2Row("resnet18_cifar"));
}

TEST(Experiment, TableGivesEachFinishedRunsRecallPerClass) {
    ExperimentOptions o;
    o.models = {"mycnn_v1", "resnet18"};
    RunResult baseline{.model = "resnet18", .variant = "baseline", .done = true};
    baseline.labels = {"angry", "contempt", "happy"};
    baseline.class_recall = {0.5, std::nan(""), 0.875};
    RunResult smote = baseline;
    smote.variant = "smote";
    smote.class_recall = {0.25, std::nan(""), 1.0};
    RunResult unfinished{.model = "mycnn_v1", .variant = "baseline"};
    const auto table = table2Markdown({unfinished, smote, baseline}, o, "data");
    EXPECT_NE(table.find("| Model | Variant | angry | contempt | happy |"), std::string::npos)
        << table;
    const auto first = table.find("| resnet18 | baseline | 50.0 | — | 87.5 |");
    const auto second = table.find("| resnet18 | smote | 25.0 | — | 100.0 |");
    ASSERT_NE(first, std::string::npos) << table;
    ASSERT_NE(second, std::string::npos) << table;
    EXPECT_LT(first, second) << "baseline before SMOTE";
    EXPECT_EQ(table.find("| mycnn_v1 | baseline |"), std::string::npos) << "not finished";
}

EpochRecord epochRecord(int epoch, double train_loss, double train_accuracy, double val_loss,
                        double val_accuracy) {
    return {.epoch = epoch,
            .train_loss = train_loss,
            .train_accuracy = train_accuracy,
            .val_loss = val_loss,
            .val_accuracy = val_accuracy};
}

TEST(Experiment, TableGivesEachRunsCurveAtItsFirstLowestAndLastEpoch) {
    ExperimentOptions o;
    o.models = {"vgg16", "resnet18"};
    // Validation loss lowest at epoch 2, then rising while training loss falls: overfitting.
    RunResult overfits{.model = "resnet18", .variant = "smote", .done = true};
    overfits.history = {epochRecord(1, 1.5, 0.40, 1.30, 0.45),
                        epochRecord(2, 1.1, 0.60, 1.05, 0.58),
                        epochRecord(3, 0.7, 0.80, 1.20, 0.57)};
    RunResult baseline{.model = "resnet18", .variant = "baseline", .done = true};
    baseline.history = {epochRecord(1, 1.8, 0.25, 1.75, 0.26)};
    RunResult no_log{.model = "vgg16", .variant = "baseline", .done = true};
    const auto table = table2Markdown({overfits, no_log, baseline}, o, "data");
    EXPECT_NE(table.find("**Does it overfit?**"), std::string::npos) << table;
    const auto first = table.find(
        "| resnet18 | baseline | 1 | 1.800 → 1.800 | 1.750 (1) → 1.750 | 25.00 | "
        "26.00 | -1.00 |");
    const auto second = table.find(
        "| resnet18 | smote | 3 | 1.500 → 0.700 | 1.050 (2) → 1.200 | 80.00 | 57.00 | "
        "+23.00 |");
    ASSERT_NE(first, std::string::npos) << table;
    ASSERT_NE(second, std::string::npos) << table;
    EXPECT_LT(first, second) << "baseline before SMOTE";
    EXPECT_EQ(table.find("| vgg16 | baseline | "), std::string::npos) << "no log, no curve row";

    EXPECT_EQ(table2Markdown({no_log}, o, "data").find("**Does it overfit?**"), std::string::npos);
}

TEST(Experiment, TrainingLogReadsBackAndADamagedOneIsRefused) {
    const std::vector<EpochRecord> history{{1, 1.25, 0.5, 1.125, 0.55, 0.4, 0.001, 12.5, 20.25},
                                           {2, 1.0, 0.625, 1.0625, 0.6, 0.45, 0.001, 11.0, 19.5}};
    const auto csv = historyCsv(history);
    const auto parsed = parseHistoryCsv(csv);
    ASSERT_TRUE(parsed);
    ASSERT_EQ(parsed->size(), 2u);
    EXPECT_EQ((*parsed)[1].epoch, 2);
    EXPECT_DOUBLE_EQ((*parsed)[1].train_accuracy, 0.625);
    EXPECT_DOUBLE_EQ((*parsed)[1].val_loss, 1.0625);
    EXPECT_DOUBLE_EQ((*parsed)[0].cpu_seconds, 20.25);
    EXPECT_EQ(historyCsv(*parsed), csv);

    EXPECT_TRUE(parseHistoryCsv(historyCsv({})));
    EXPECT_FALSE(parseHistoryCsv(""));
    EXPECT_FALSE(parseHistoryCsv("epoch,loss\n1,2\n")) << "another header";
    const auto header = csv.substr(0, csv.find('\n') + 1);
    EXPECT_FALSE(parseHistoryCsv(header + "1,1.2,0.5\n")) << "a short row";
    EXPECT_FALSE(parseHistoryCsv(header + "1,1,1,1,1,1,1,1,1,9\n")) << "a long row";
    EXPECT_FALSE(parseHistoryCsv(header + "2,1,1,1,1,1,1,1,1\n")) << "epochs must count from 1";
    EXPECT_FALSE(parseHistoryCsv(header + "1,x,1,1,1,1,1,1,1\n")) << "not a number";
}

TEST(Experiment, QuickProfileKeepsExplicitChoicesAndRejectsUnknownProfiles) {
    DataSources sources;
    TrainSetup setup;
    setup.train.epochs = 4;
    applyProfile("quick", sources, setup, true, false);
    EXPECT_EQ(setup.train.epochs, 4);
    EXPECT_EQ(setup.train.max_steps_per_epoch, 5);
    EXPECT_EQ(sources.max_train_items, 1000u);
    TrainSetup full;
    DataSources all;
    applyProfile("full", all, full, false, false);
    EXPECT_EQ(full.train.epochs, 10);
    EXPECT_EQ(all.max_train_items, 0u);
    EXPECT_THROW(applyProfile("medium", all, full, false, false), UsageError);
}

TEST(Experiment, TableMarksRunsNotFinished) {
    ExperimentOptions o;
    o.models = {"resnet18", "vgg16"};
    o.command = "cmd";
    const std::vector<RunResult> runs{RunResult{.model = "resnet18",
                                                .variant = "baseline",
                                                .done = true,
                                                .accuracy = 0.59,
                                                .macro_f1 = 0.5323}};
    const auto table = table2Markdown(runs, o, "data");
    EXPECT_NE(table.find("| resnet18 | 59.00 | 53.23 | — | — |"), std::string::npos) << table;
    EXPECT_NE(table.find("| vgg16 | — | — | — | — |"), std::string::npos) << table;
}

}  // namespace
}  // namespace emotrace::train
