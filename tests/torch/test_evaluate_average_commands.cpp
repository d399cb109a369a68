// emotrace-evaluate and emotrace-average end to end: the built binaries on models a tiny
// training run produced and on the tiny generated image folder (docs/training.md).
#ifdef EMOTRACE_TRAIN_BIN

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "emotrace/model_info.h"
#include "emotrace/nets.h"
#include "test_models.h"
#include "test_support.h"
#include "tool_command_data.h"

namespace emotrace {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::lines;
using test::readFile;

class TrainedModelCommand : public ::testing::Test {
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

    // Another one-epoch run into dir_/out, with `seed`.
    fs::path trainAnother(const std::string& out, int seed) {
        const auto args = test::withArguments(test::tinyTrainArguments(images_, out, 1),
                                              {"--seed", std::to_string(seed), "--no-test"});
        const auto run = test::runProgram(EMOTRACE_TRAIN_BIN, dir_.path(), args);
        EXPECT_EQ(run.exit_code, 0) << run.err;
        return dir_ / out;
    }

    test::CommandResult evaluate(const std::vector<std::string>& args) {
        return test::runProgram(EMOTRACE_EVALUATE_BIN, dir_.path(), args);
    }
    test::CommandResult average(const std::vector<std::string>& args) {
        return test::runProgram(EMOTRACE_AVERAGE_BIN, dir_.path(), args);
    }
    // emotrace-evaluate's options for the whole image folder, one thread.
    std::vector<std::string> onTheFolder(const fs::path& model) const {
        return {model.string(),   "--dataset", "folder", "--images",
                images_.string(), "--threads", "1"};
    }

    static inline std::unique_ptr<test::TinyTrainedRun> shared_run_;
    test::TempDir dir_;
    const fs::path images_ = dir_ / "images";  // the shared run's images, written again
    const int images_count_ = test::imageCount(test::tinyClasses());
};

TEST_F(TrainedModelCommand, EvaluateWritesReportConfusionAndOnePredictionPerImage) {
    const auto model = sharedRun().folder() / "best_model.pt";
    const auto run = evaluate(test::withArguments(
        onTheFolder(model), {"--as-the-app-runs", "--bootstrap", "50", "--out", "eval"}));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const std::string count = std::to_string(images_count_);
    EXPECT_TRUE(contains(run.out, model.string() + " on the test split (" + count +
                                      " images, flip-averaged): accuracy"))
        << run.out;
    EXPECT_TRUE(contains(
        run.out, "95% bootstrap interval (50 resamples of " + count + " subjects or images)"))
        << run.out;

    const auto out = dir_ / "eval";
    EXPECT_TRUE(contains(readFile(out / "report.txt"), "macro avg"));
    EXPECT_EQ(test::confusionTotal(out / "confusion.csv"), images_count_);
    EXPECT_FALSE(test::imageSize(out / "confusion.png").empty());

    const auto predictions = lines(readFile(out / "predictions.csv"));
    ASSERT_EQ(predictions.size(), static_cast<std::size_t>(images_count_) + 1);
    EXPECT_EQ(predictions[0],
              "origin,group,truth,predicted,p_angry,p_contempt,p_disgust,p_fear,p_happy,"
              "p_neutral,p_sad,p_surprise");
    const auto first = test::csvCells(predictions[1]);
    ASSERT_EQ(first.size(), 12u) << predictions[1];
    EXPECT_EQ(first[0], "images/angry/face_00.png");
    EXPECT_EQ(first[2], "angry");
    double total = 0.0;
    for (std::size_t c = 4; c < first.size(); ++c)
        total += std::stod(first[c]);
    EXPECT_NEAR(total, 1.0, 1e-3);
}

TEST_F(TrainedModelCommand, EvaluateRefusesWhatIsNotAModelItCanScore) {
    std::ofstream(dir_ / "notes.pt") << "not a model\n";
    test::writeTestModel(dir_ / "two_classes.pt", {"happy", "sad"});
    const auto checkpoint = (sharedRun().folder() / "checkpoint.pt").string();
    struct Case {
        std::string model;
        std::string message;
    };
    const std::vector<Case> cases = {
        {"missing.pt", "model file not found: missing.pt"},
        {"notes.pt",
         "'notes.pt' is not a TorchScript model archive (expected a file written by emotrace or "
         "torch.jit.save)"},
        {checkpoint, "'" + checkpoint + "' has no emotrace metadata: expected an"},
        {"two_classes.pt",
         "the dataset has class 'angry', which the model does not know (its classes: happy, "
         "sad)"},
    };
    for (const auto& c : cases) {
        const auto run = evaluate(onTheFolder(c.model));
        EXPECT_EQ(run.exit_code, 1) << c.model;
        EXPECT_TRUE(contains(run.err, "emotrace-evaluate: " + c.message)) << run.err;
        EXPECT_TRUE(run.out.empty()) << run.out;
    }
}

TEST_F(TrainedModelCommand, EvaluateRefusesToFitClassBiasOnTheTestSplit) {
    test::writeTestModel(dir_ / "model.pt");
    const auto run =
        evaluate(test::withArguments(onTheFolder("model.pt"), {"--fit-class-bias", "fitted.pt"}));
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_TRUE(contains(run.err,
                         "--fit-class-bias fits on the validation split only (--split "
                         "validation)"))
        << run.err;
    EXPECT_TRUE(contains(run.err, "Try 'emotrace-evaluate --help'.")) << run.err;
    EXPECT_FALSE(fs::exists(dir_ / "fitted.pt"));
}

TEST_F(TrainedModelCommand, EvaluateRefusesATiltedFaceModelWhereNoFaceIsTurned) {
    test::writeTestModel(dir_ / "model.pt");
    test::writeTestModel(dir_ / "other.pt");
    // Without the app's detection no crop is turned, so no face would reach the second model.
    const auto without_pipeline =
        evaluate(test::withArguments(onTheFolder("model.pt"), {"--tilted-model", "other.pt"}));
    EXPECT_EQ(without_pipeline.exit_code, 2);
    EXPECT_TRUE(contains(without_pipeline.err,
                         "--tilted-model reads the faces the app's crop "
                         "turns: it needs --through-pipeline"))
        << without_pipeline.err;
    const auto both = evaluate(test::withArguments(
        onTheFolder("model.pt"),
        {"--through-pipeline", "--tilted-model", "other.pt", "--no-tilted-model"}));
    EXPECT_EQ(both.exit_code, 2);
    EXPECT_TRUE(contains(both.err, "contradict each other")) << both.err;
    const auto unlevelled =
        evaluate(test::withArguments(onTheFolder("model.pt"), {"--through-pipeline", "--unlevelled",
                                                               "--tilted-model", "other.pt"}));
    EXPECT_EQ(unlevelled.exit_code, 2);
    EXPECT_TRUE(contains(unlevelled.err, "--unlevelled turns no face")) << unlevelled.err;
}

std::vector<torch::Tensor> parameters(const fs::path& model_file) {
    std::vector<torch::Tensor> tensors;
    for (const auto& p : nets::loadModelFile(model_file).module.named_parameters(true))
        tensors.push_back(p.value);
    return tensors;
}

TEST_F(TrainedModelCommand, AverageOfTwoTrainedModelsIsAModelWithTheirMeanWeights) {
    const auto a = sharedRun().folder() / "best_model.pt";
    const auto b = trainAnother("b", 2) / "best_model.pt";
    const auto run = average({"--out", "mean.pt", a.string(), b.string()});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out, "wrote mean.pt\n");

    const auto mean = nets::loadModelFile(dir_ / "mean.pt");
    EXPECT_EQ(mean.info.labels, paperLabels());
    EXPECT_TRUE(contains(mean.info.description, "The mean of the weights of 2 models"))
        << mean.info.description;
    const auto pa = parameters(a), pb = parameters(b), pm = parameters(dir_ / "mean.pt");
    ASSERT_EQ(pm.size(), pa.size());
    ASSERT_FALSE(pm.empty());
    for (std::size_t i = 0; i < pm.size(); ++i)
        EXPECT_TRUE(torch::allclose(pm[i], (pa[i] + pb[i]) / 2, 1e-5, 1e-6)) << "parameter " << i;
}

TEST_F(TrainedModelCommand, AverageTurnsARunsCheckpointIntoAModelFile) {
    const auto run = average({"--out", "last.pt", "--metadata-from",
                              (sharedRun().folder() / "best_model.pt").string(),
                              (sharedRun().folder() / "checkpoint.pt").string()});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_TRUE(contains(run.err, "checkpoint.pt (checkpoint, 1 epochs)")) << run.err;
    // One epoch: its last epoch is its best, so the weights are the best model's.
    const auto last = parameters(dir_ / "last.pt");
    const auto best = parameters(sharedRun().folder() / "best_model.pt");
    ASSERT_EQ(last.size(), best.size());
    for (std::size_t i = 0; i < last.size(); ++i)
        EXPECT_TRUE(torch::equal(last[i], best[i])) << "parameter " << i;
    EXPECT_TRUE(contains(nets::loadModelFile(dir_ / "last.pt").info.description,
                         "The weights of one model"));
}

TEST_F(TrainedModelCommand, AverageRefusesTooFewInputsACheckpointFirstAndOtherLabels) {
    const auto checkpoint = (sharedRun().folder() / "checkpoint.pt").string();
    const auto best = (sharedRun().folder() / "best_model.pt").string();
    test::writeTestModel(dir_ / "two_classes.pt", {"happy", "sad"});

    const auto one = average({"--out", "mean.pt", best});
    EXPECT_EQ(one.exit_code, 2);
    EXPECT_TRUE(contains(one.err,
                         "expected at least two INPUTs (model files or checkpoints), "
                         "got 1"))
        << one.err;

    const auto checkpoint_first = average({"--out", "mean.pt", checkpoint, best});
    EXPECT_EQ(checkpoint_first.exit_code, 2);
    EXPECT_TRUE(contains(checkpoint_first.err,
                         "the first INPUT must be a model file (its metadata is kept), got the "
                         "checkpoint " +
                             checkpoint))
        << checkpoint_first.err;

    const auto other_labels = average({"--out", "mean.pt", best, "two_classes.pt"});
    EXPECT_EQ(other_labels.exit_code, 1);
    EXPECT_TRUE(contains(other_labels.err, "cannot average: model 2 has other labels than model 1"))
        << other_labels.err;
    EXPECT_FALSE(fs::exists(dir_ / "mean.pt"));
}

}  // namespace
}  // namespace emotrace

#endif  // EMOTRACE_TRAIN_BIN
