// emotrace-train end to end: the built binary on a tiny generated image folder, as
// docs/training.md describes it: the files a run writes, --resume continuing a shorter run, and
// each refusal with its exit code and a message that names what was expected and what was found.
#ifdef EMOTRACE_TRAIN_BIN

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "emotrace/model_info.h"
#include "emotrace/nets.h"
#include "test_support.h"
#include "tool_command_data.h"

namespace emotrace {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::lines;
using test::readFile;

test::CommandResult runTrain(const fs::path& workdir, const std::vector<std::string>& args) {
    return test::runProgram(EMOTRACE_TRAIN_BIN, workdir, args);
}

constexpr const char* kLogHeader =
    "epoch,train_loss,train_acc,val_loss,val_acc,val_macro_f1,lr,seconds,cpu_seconds";

// The number after `before` in `text` ("test 3" in "...: train 26, validation 3, test 3").
int numberAfter(const std::string& text, const std::string& before) {
    const auto at = text.find(before);
    return at == std::string::npos ? -1 : std::stoi(text.substr(at + before.size()));
}

// A log row without its timing columns (seconds, cpu_seconds): what a repeat must reproduce.
std::string withoutTimings(const std::string& row) {
    auto cells = test::csvCells(row);
    cells.resize(7);
    std::string joined;
    for (const auto& cell : cells)
        joined += (joined.empty() ? "" : ",") + cell;
    return joined;
}

class TrainCommand : public ::testing::Test {
  protected:
    static void TearDownTestSuite() { shared_run_.reset(); }
    void SetUp() override { test::writeClassImageFolder(images_); }

    // One finished one-epoch run, trained on first use and kept for the suite's other tests;
    // a test that changes its files takes a copy.
    static const test::TinyTrainedRun& sharedRun() {
        if (!shared_run_)
            shared_run_ = std::make_unique<test::TinyTrainedRun>();
        return *shared_run_;
    }

    // The tiny run into `out` (relative to this test's folder), plus `more` options.
    test::CommandResult train(const std::string& out, int epochs,
                              const std::vector<std::string>& more = {}) {
        return runTrain(dir_.path(),
                        test::withArguments(test::tinyTrainArguments(images_, out, epochs), more));
    }

    static inline std::unique_ptr<test::TinyTrainedRun> shared_run_;
    test::TempDir dir_;
    const fs::path images_ = dir_ / "images";  // the shared run's images, written again
};

TEST_F(TrainCommand, TinyRunWritesCheckpointLogBestModelAndTestReport) {
    const auto& run = sharedRun().result();
    const auto out = sharedRun().folder();
    for (const char* file : {"checkpoint.pt", "log.csv", "best_model.pt", "test_report.txt",
                             "test_confusion.csv", "test_confusion.png"})
        EXPECT_TRUE(fs::is_regular_file(out / file)) << file;

    const auto log = lines(readFile(out / "log.csv"));
    ASSERT_EQ(log.size(), 2u) << readFile(out / "log.csv");  // header and the one epoch
    EXPECT_EQ(log[0], kLogHeader);
    const auto cells = test::csvCells(log[1]);
    ASSERT_EQ(cells.size(), 9u) << log[1];
    EXPECT_EQ(cells[0], "1");
    const double val_acc = std::stod(cells[4]);
    EXPECT_GE(val_acc, 0.0);
    EXPECT_LE(val_acc, 1.0);

    // The best model is the dashboard's format, with the data and command in its description.
    const auto model = nets::loadModelFile(out / "best_model.pt");
    EXPECT_EQ(model.info.labels, paperLabels());
    EXPECT_EQ(model.info.input_width, 48);
    EXPECT_EQ(model.info.input_height, 48);
    EXPECT_TRUE(contains(model.info.description, "command: emotrace-train"))
        << model.info.description;
    EXPECT_TRUE(model.info.flip_average);  // trained with mirrored faces (the default)

    // The test report covers the whole test split the run announced.
    const int test_items = numberAfter(run.err, ", test ");
    ASSERT_GT(test_items, 0) << run.err;
    EXPECT_EQ(test::confusionTotal(out / "test_confusion.csv"), test_items);
    EXPECT_EQ(lines(readFile(out / "test_confusion.csv"))[0],
              "true\\predicted,angry,contempt,disgust,fear,happy,neutral,sad,surprise");
    EXPECT_TRUE(contains(readFile(out / "test_report.txt"), "macro avg"));
    EXPECT_FALSE(test::imageSize(out / "test_confusion.png").empty());
    EXPECT_TRUE(contains(run.out, "test split: accuracy")) << run.out;
    EXPECT_TRUE(contains(run.err, "best epoch 1: validation macro-F1")) << run.err;
    EXPECT_TRUE(contains(run.err, "model: " + (fs::path("run") / "best_model.pt").string()))
        << run.err;
}

TEST_F(TrainCommand, NoTestSkipsTheTestReport) {
    const auto run = train("run", 1, {"--no-test"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_TRUE(fs::is_regular_file(dir_ / "run" / "best_model.pt"));
    EXPECT_FALSE(fs::exists(dir_ / "run" / "test_report.txt"));
    EXPECT_FALSE(contains(run.out, "test split")) << run.out;
}

TEST_F(TrainCommand, ResumeContinuesAShorterRunExactly) {
    sharedRun().copyTo(dir_ / "resumed");  // one epoch
    const auto first_log = lines(readFile(dir_ / "resumed" / "log.csv"));
    ASSERT_EQ(first_log.size(), 2u);

    const auto resumed = train("resumed", 3, {"--resume"});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    const auto log = lines(readFile(dir_ / "resumed" / "log.csv"));
    ASSERT_EQ(log.size(), 4u) << readFile(dir_ / "resumed" / "log.csv");
    EXPECT_EQ(log[0], kLogHeader);
    EXPECT_EQ(log[1], first_log[1]);  // the first epoch is kept as it was, timings included
    EXPECT_EQ(test::csvCells(log[2])[0], "2");
    EXPECT_EQ(test::csvCells(log[3])[0], "3");

    // The same three epochs in one go: the resumed run continued where the first stopped.
    const auto straight = train("straight", 3);
    ASSERT_EQ(straight.exit_code, 0) << straight.err;
    const auto straight_log = lines(readFile(dir_ / "straight" / "log.csv"));
    ASSERT_EQ(straight_log.size(), 4u);
    for (std::size_t row = 1; row < 4; ++row)
        EXPECT_EQ(withoutTimings(log[row]), withoutTimings(straight_log[row])) << "row " << row;
}

TEST_F(TrainCommand, RefusesAFolderHoldingACheckpointWithoutResume) {
    sharedRun().copyTo(dir_ / "run");
    const auto log_before = readFile(dir_ / "run" / "log.csv");
    const auto again = train("run", 2);
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_TRUE(contains(again.err,
                         "emotrace-train: run already holds a checkpoint: resume it "
                         "(--resume) or choose another output folder"))
        << again.err;
    EXPECT_EQ(readFile(dir_ / "run" / "log.csv"), log_before);  // nothing overwritten
}

TEST_F(TrainCommand, RefusesToResumeTheCheckpointOfAnotherRun) {
    sharedRun().copyTo(dir_ / "run");
    const auto checkpoint = (fs::path("run") / "checkpoint.pt").string();

    const auto batch =
        runTrain(dir_.path(),
                 test::withArguments(test::tinyTrainArguments(images_, "run", 2, 4), {"--resume"}));
    EXPECT_EQ(batch.exit_code, 1);
    EXPECT_TRUE(contains(batch.err, "checkpoint " + checkpoint +
                                        " belongs to a different run: its batch_size is 8, "
                                        "this run has 4"))
        << batch.err;

    const auto model = runTrain(
        dir_.path(), test::withArguments(test::tinyTrainArguments(images_, "run", 2, 8, "mycnn_v2"),
                                         {"--resume"}));
    EXPECT_EQ(model.exit_code, 1);
    EXPECT_TRUE(contains(model.err, "its model is \"mycnn_v1\", this run has \"mycnn_v2\""))
        << model.err;
}

TEST_F(TrainCommand, RefusesATruncatedCheckpointWithItsSize) {
    sharedRun().copyTo(dir_ / "run");
    const auto checkpoint = dir_ / "run" / "checkpoint.pt";
    const auto half = fs::file_size(checkpoint) / 2;
    fs::resize_file(checkpoint, half);
    const auto resumed = train("run", 2, {"--resume"});
    EXPECT_EQ(resumed.exit_code, 1);
    EXPECT_TRUE(contains(resumed.err, "(" + std::to_string(half) +
                                          " bytes) is truncated or not a checkpoint: expected a "
                                          "complete archive written by emotrace-train"))
        << resumed.err;
}

TEST_F(TrainCommand, RefusesAModelFileGivenAsTheCheckpoint) {
    sharedRun().copyTo(dir_ / "run");
    fs::copy_file(dir_ / "run" / "best_model.pt", dir_ / "run" / "checkpoint.pt",
                  fs::copy_options::overwrite_existing);
    const auto resumed = train("run", 2, {"--resume"});
    EXPECT_EQ(resumed.exit_code, 1);
    EXPECT_TRUE(contains(resumed.err,
                         "is a torch archive but not an emotrace checkpoint: "
                         "expected an entry 'state'"))
        << resumed.err;
}

struct Refusal {
    std::vector<std::string> args;
    int exit_code;
    std::string message;  // what the program must say, expected and found
};

TEST_F(TrainCommand, RefusesBadOptionCombinationsAndSaysWhichWithUsageStatus) {
    const std::string images = images_.string();
    const std::vector<Refusal> refusals = {
        {{"--dataset", "folder", "--images", images},
         2,
         "--dataset folder makes all its images a test split: evaluate on it with "
         "emotrace-evaluate, or train on it with --folds K (cross-validation)"},
        {{"--dataset", "ckplus", "--ckplus", images, "--images", images},
         2,
         "--images is for --dataset folder, got --dataset 'ckplus'"},
        {{"--dataset", "folder"}, 2, "--dataset folder needs --images DIR"},
        {{"--dataset", "folder", "--images", images, "--folds", "2", "--ckplus-repeat", "2"},
         2,
         "--ckplus-repeat and --folds do not go together unless --folds-over ckplus"},
        {{"--dataset", "folder", "--images", images, "--folds", "2", "--distill-from", images},
         2,
         "--distill-from and --folds do not go together"},
        {{"--dataset", "ckplus", "--ckplus", images, "--ckplus-repeat", "2"},
         2,
         "it needs --dataset combined, got 'ckplus'"},
        {{"--dataset", "ckplus", "--ckplus", images, "--ferplus-mix", "0.5"},
         2,
         "--ferplus-mix blends FER+ votes into FER-2013's labels: it needs --dataset fer2013 or "
         "combined, got 'ckplus'"},
        {{"--dataset", "ckplus", "--ckplus", images, "--ferplus-contempt"},
         2,
         "--ferplus-contempt relabels FER-2013 training faces: it needs --dataset fer2013 or "
         "combined, got 'ckplus'"},
        {{"--dataset", "ckplus", "--ckplus", images, "--lr-schedule", "cosine", "--epochs", "2",
          "--warmup-epochs", "2"},
         1,
         "warm-up must be at least 0 and shorter than the run's 2 epochs, found 2"},
        {{"--dataset", "ckplus", "--ckplus", images, "--model", "mycnn_v9"},
         1,
         "unknown model 'mycnn_v9': expected one of"},
    };
    for (const auto& refusal : refusals) {
        const auto run = runTrain(
            dir_.path(), test::withArguments(refusal.args, {"--out", "refused", "--no-progress"}));
        EXPECT_EQ(run.exit_code, refusal.exit_code) << refusal.message << "\n" << run.err;
        EXPECT_TRUE(contains(run.err, refusal.message)) << run.err;
        if (refusal.exit_code == 2) {
            EXPECT_TRUE(contains(run.err, "Try 'emotrace-train --help'.")) << run.err;
        }
        EXPECT_FALSE(fs::exists(dir_ / "refused" / "checkpoint.pt")) << refusal.message;
    }
    const auto no_out = runTrain(dir_.path(), {"--dataset", "ckplus", "--ckplus", images});
    EXPECT_EQ(no_out.exit_code, 2);
    EXPECT_TRUE(contains(no_out.err, "--out")) << no_out.err;
}

TEST_F(TrainCommand, MissingDataNamesWhereItLookedAndHowToGiveIt) {
    fs::create_directories(dir_ / "empty");
    const std::string empty = (dir_ / "empty").string();
    const std::vector<Refusal> refusals = {
        {{"--dataset", "ckplus", "--data-cache", empty},
         1,
         "CK+48 folder (one folder per class) not found (tried " + empty +
             "/CK+48): pass --ckplus DIR"},
        {{"--dataset", "fer2013", "--data-cache", empty, "--data", empty},
         1,
         "FER-2013 csv not found (tried " + empty + "/fer2013/fer2013.csv, " + empty +
             "/fer2013/fer2013.csv.xz): pass --fer2013 FILE"},
        {{"--dataset", "ckplus", "--ckplus", "no-such-folder"},
         1,
         "image folder not found: no-such-folder (expected a folder with one sub-folder per "
         "class)"},
        {{"--dataset", "ckplus", "--ckplus", empty},
         1,
         empty + " has no class folders; expected one sub-folder per class"},
    };
    for (const auto& refusal : refusals) {
        const auto run =
            runTrain(dir_.path(), test::withArguments(refusal.args, {"--out", "refused"}));
        EXPECT_EQ(run.exit_code, refusal.exit_code) << run.err;
        EXPECT_TRUE(contains(run.err, "emotrace-train: " + refusal.message)) << run.err;
    }
}

TEST_F(TrainCommand, FoldsTrainOneRunPerFoldOnAnImageFolder) {
    const auto run =
        runTrain(dir_.path(), {"--dataset", "folder", "--images", images_.string(), "--folds", "2",
                               "--model", "mycnn_v1", "--epochs", "1", "--batch-size", "8",
                               "--threads", "1", "--no-progress", "--out", "folds"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    for (const char* fold : {"fold-1", "fold-2"}) {
        EXPECT_TRUE(fs::is_regular_file(dir_ / "folds" / fold / "best_model.pt")) << fold;
        EXPECT_EQ(lines(readFile(dir_ / "folds" / fold / "log.csv")).size(), 2u) << fold;
    }
    const auto folds = lines(readFile(dir_ / "folds" / "folds.csv"));
    ASSERT_EQ(folds.size(), 5u) << readFile(dir_ / "folds" / "folds.csv");
    EXPECT_TRUE(folds[0].starts_with("fold,test_accuracy,test_macro_f1,best_epoch,f1_angry,"))
        << folds[0];
    for (const auto& row : folds)
        EXPECT_EQ(std::count(row.begin(), row.end(), ','),
                  std::count(folds[0].begin(), folds[0].end(), ','))
            << row;
    EXPECT_EQ(test::csvCells(folds[1])[0], "1");
    EXPECT_EQ(test::csvCells(folds[2])[0], "2");
    EXPECT_EQ(test::csvCells(folds[3])[0], "mean");
    EXPECT_EQ(test::csvCells(folds[4])[0], "std");
    EXPECT_TRUE(contains(run.out, "2-fold cross-validation of mycnn_v1: accuracy")) << run.out;
}

TEST_F(TrainCommand, FoldsOverCkplusNeedFoldsAndTheCombinedDataset) {
    const auto run =
        runTrain(dir_.path(), {"--dataset", "folder", "--images", images_.string(), "--folds", "2",
                               "--folds-over", "ckplus", "--out", "x"});
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_TRUE(contains(run.err, "--folds-over ckplus needs --folds K and --dataset combined"))
        << run.err;
}

}  // namespace
}  // namespace emotrace

#endif  // EMOTRACE_TRAIN_BIN
