// emotrace-experiment and emotrace-explore end to end: the built binaries on the tiny generated
// image folder read as a CK+-style set (docs/table2.md, docs/datasets.md).
#ifdef EMOTRACE_EXPERIMENT_BIN

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.h"
#include "tool_command_data.h"

namespace emotrace {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::lines;
using test::readFile;

class DatasetToolCommand : public ::testing::Test {
  protected:
    void SetUp() override { test::writeClassImageFolder(images_); }

    test::CommandResult experiment(const std::vector<std::string>& more) {
        const std::vector<std::string> tiny = {
            "--profile", "quick",    "--dataset",     "ckplus", "--ckplus",    images_.string(),
            "--models",  "mycnn_v1", "--batch-size",  "8",      "--max-steps", "2",
            "--threads", "1",        "--no-progress", "--out",  "exp"};
        return test::runProgram(EMOTRACE_EXPERIMENT_BIN, dir_.path(),
                                test::withArguments(tiny, more));
    }
    test::CommandResult explore(const std::vector<std::string>& args) {
        return test::runProgram(EMOTRACE_EXPLORE_BIN, dir_.path(), args);
    }

    test::TempDir dir_;
    const fs::path images_ = dir_ / "images";
};

// The markdown table row whose first cell is `first` ("| mycnn_v1 | ..."), empty when none is.
std::string tableRow(const std::string& table, const std::string& first) {
    for (const auto& line : lines(table)) {
        if (line.rfind("| " + first + " |", 0) == 0)
            return line;
    }
    return {};
}

TEST_F(DatasetToolCommand, ExperimentQuickProfileWritesTableResultsRunsAndFigures) {
    const auto run = experiment({});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out, "table: " + (fs::path("exp") / "table2.md").string() + "\n");
    const auto out = dir_ / "exp";

    const auto results = lines(readFile(out / "results.csv"));
    ASSERT_EQ(results.size(), 3u) << readFile(out / "results.csv");
    EXPECT_EQ(results[0],
              "model,variant,done,test_accuracy,test_macro_f1,best_epoch,epochs_run,"
              "train_seconds,train_cpu_seconds");
    EXPECT_EQ(results[1].rfind("mycnn_v1,baseline,1,", 0), 0u) << results[1];
    EXPECT_EQ(results[2].rfind("mycnn_v1,smote,1,", 0), 0u) << results[2];
    for (std::size_t r = 1; r < 3; ++r)
        EXPECT_EQ(test::csvCells(results[r])[6], "1") << "the quick profile runs one epoch";

    const auto table = readFile(out / "table2.md");
    const auto row = tableRow(table, "mycnn_v1");
    ASSERT_FALSE(row.empty()) << table;
    EXPECT_FALSE(contains(row, "| — | — |")) << "both variants finished: " << row;
    EXPECT_TRUE(contains(row, "1/1 ; 1/1")) << row;  // best / run epochs of each variant
    EXPECT_TRUE(tableRow(table, "resnet18").empty()) << "only the models asked for";
    EXPECT_TRUE(contains(table, "Profile: quick;")) << table;
    EXPECT_TRUE(contains(table, "Command: `emotrace-experiment --profile quick")) << table;

    for (const char* variant : {"baseline", "smote"}) {
        const auto folder = out / "runs" / (std::string("mycnn_v1-") + variant);
        for (const char* file : {"result.json", "log.csv", "checkpoint.pt", "best_model.pt",
                                 "test_report.txt", "test_confusion.csv"})
            EXPECT_TRUE(fs::is_regular_file(folder / file)) << variant << ": " << file;
        const auto result = nlohmann::json::parse(readFile(folder / "result.json"));
        EXPECT_EQ(result["model"], "mycnn_v1");
        EXPECT_EQ(result["variant"], variant);
        EXPECT_EQ(result["epochs_run"], 1);
    }
    for (const char* figure : {"accuracy_baseline_vs_smote.png", "f1_baseline_vs_smote.png"})
        EXPECT_FALSE(test::imageSize(out / figure).empty()) << figure;
}

TEST_F(DatasetToolCommand, ExperimentRerunSkipsFinishedRunsAndTableOnlyNeedsNoData) {
    ASSERT_EQ(experiment({"--variants", "baseline"}).exit_code, 0);
    const auto results_before = readFile(dir_ / "exp" / "results.csv");

    const auto again = experiment({"--variants", "baseline"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_TRUE(contains(again.err, "mycnn_v1 baseline: done before, skipped")) << again.err;
    EXPECT_EQ(readFile(dir_ / "exp" / "results.csv"), results_before);

    // --table-only reads the finished runs, not the images (moved away here).
    fs::rename(images_, dir_ / "moved");
    const auto table_only =
        test::runProgram(EMOTRACE_EXPERIMENT_BIN, dir_.path(),
                         {"--table-only", "--models", "mycnn_v1,mycnn_v2", "--out", "exp"});
    ASSERT_EQ(table_only.exit_code, 0) << table_only.err;
    const auto table = readFile(dir_ / "exp" / "table2.md");
    const auto done = tableRow(table, "mycnn_v1");
    const auto not_run = tableRow(table, "mycnn_v2");
    ASSERT_FALSE(done.empty()) << table;
    // Baseline finished: its accuracy and macro-F1 are figures; SMOTE's are not.
    EXPECT_NE(done.rfind("| mycnn_v1 | — |", 0), 0u) << done;
    EXPECT_TRUE(contains(done, "| — | — | — | — | 1/1 ; — |")) << done;
    EXPECT_EQ(not_run.rfind("| mycnn_v2 | — | — | — | — |", 0), 0u) << table;
    EXPECT_TRUE(contains(not_run, "| — ; — | — ; — |")) << "one entry per variant: " << not_run;
    // The profile the runs were trained with, not the option's default.
    EXPECT_TRUE(contains(table, "Profile: quick;")) << table;
    const auto results = lines(readFile(dir_ / "exp" / "results.csv"));
    ASSERT_EQ(results.size(), 5u) << readFile(dir_ / "exp" / "results.csv");
    EXPECT_EQ(results[1].rfind("mycnn_v1,baseline,1,", 0), 0u) << results[1];
    EXPECT_EQ(results[2].rfind("mycnn_v1,smote,0,", 0), 0u) << results[2];
    EXPECT_EQ(results[3].rfind("mycnn_v2,baseline,0,", 0), 0u) << results[3];
}

TEST_F(DatasetToolCommand, ExperimentRefusesAnUnknownProfileOrVariant) {
    const auto profile = test::runProgram(EMOTRACE_EXPERIMENT_BIN, dir_.path(),
                                          {"--profile", "medium", "--table-only", "--out", "exp"});
    EXPECT_EQ(profile.exit_code, 2);
    EXPECT_TRUE(contains(profile.err, "--profile expects quick or full, got 'medium'"))
        << profile.err;
    const auto variant = test::runProgram(EMOTRACE_EXPERIMENT_BIN, dir_.path(),
                                          {"--variants", "mixup", "--table-only"});
    EXPECT_EQ(variant.exit_code, 2);
    EXPECT_TRUE(contains(variant.err, "mixup")) << variant.err;
    EXPECT_FALSE(fs::exists(dir_ / "exp" / "table2.md"));
}

TEST_F(DatasetToolCommand, ExploreSummarisesTheFolderWithChartsAndSamples) {
    const auto run = explore({"--datasets", "ckplus", "--ckplus", images_.string(), "--out",
                              "explore", "--samples", "3", "--smote"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto out = dir_ / "explore";
    const auto summary = readFile(out / "summary.md");
    EXPECT_TRUE(contains(summary, "## CK+48")) << summary;
    // The last column ("all") counts every image of each class.
    for (const auto& c : test::tinyClasses()) {
        const auto row = tableRow(summary, c.label);
        ASSERT_FALSE(row.empty()) << c.label << " not in\n" << summary;
        const auto last_cell = row.substr(row.rfind('|', row.size() - 2));
        EXPECT_EQ(last_cell.rfind("| " + std::to_string(c.count) + " (", 0), 0u) << row;
    }
    const std::string total = "**" + std::to_string(test::imageCount(test::tinyClasses())) + "**";
    EXPECT_TRUE(contains(summary, total)) << summary;
    EXPECT_EQ(test::imageSize(out / "ckplus_classes.png"), cv::Size(1000, 540));
    EXPECT_EQ(test::imageSize(out / "ckplus_smote.png"), cv::Size(1000, 540));
    EXPECT_FALSE(test::imageSize(out / "ckplus_samples.png").empty());
    EXPECT_TRUE(contains(run.out, "SMOTE on the training part:")) << run.out;
}

TEST_F(DatasetToolCommand, ExploreRefusesUnknownDatasetsAndMissingDataWithItsExitCodes) {
    const auto unknown = explore({"--datasets", "ckplus,mnist", "--out", "explore"});
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_TRUE(contains(unknown.err,
                         "unknown dataset 'mnist'; --datasets takes fer2013, "
                         "ferplus, ckplus, combined"))
        << unknown.err;

    fs::create_directories(dir_ / "empty");
    const auto nothing = explore({"--data", (dir_ / "empty").string(), "--out", "explore"});
    EXPECT_EQ(nothing.exit_code, 3);
    EXPECT_TRUE(contains(nothing.err, "no datasets found under " + (dir_ / "empty").string() +
                                          " (expected fer2013/fer2013.csv[.xz] or CK+48/)"))
        << nothing.err;

    const auto missing = explore({"--datasets", "ckplus", "--ckplus", "no-such", "--out", "x"});
    EXPECT_EQ(missing.exit_code, 3);
    EXPECT_TRUE(contains(missing.err, "image folder not found: no-such")) << missing.err;
}

}  // namespace
}  // namespace emotrace

#endif  // EMOTRACE_EXPERIMENT_BIN
