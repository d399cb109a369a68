// The training loop on a tiny generated dataset with MyCNNv1 at 16x16: fast enough for every
// test run, real enough to show training works, stops and resumes exactly.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <fstream>

#include "emotrace/error.h"
#include "emotrace/nets.h"
#include "emotrace/train/checkpoint.h"
#include "emotrace/train/evaluation.h"
#include "emotrace/train/trainer.h"
#include "test_support.h"
#include "train_test_data.h"

namespace emotrace::train {
namespace {

TrainOptions tinyOptions(const std::filesystem::path& out) {
    TrainOptions o;
    o.model = "mycnn_v1";
    o.batch_size = 8;
    o.epochs = 2;
    o.patience = 0;
    o.threads = 1;
    o.seed = 123;
    o.show_progress = false;
    o.out_dir = out;
    return o;
}

void expectSameWeights(const std::filesystem::path& a, const std::filesystem::path& b) {
    const auto left = readCheckpointWeights(a);
    const auto right = readCheckpointWeights(b);
    ASSERT_EQ(left.size(), right.size());
    ASSERT_FALSE(left.empty());
    for (std::size_t i = 0; i < left.size(); ++i) {
        EXPECT_EQ(left[i].name, right[i].name);
        EXPECT_EQ(left[i].shape, right[i].shape);
        EXPECT_EQ(left[i].values, right[i].values) << "tensor " << left[i].name << " differs";
    }
}

TEST(Trainer, TwoStepsGiveFiniteLossAndChangeWeights) {
    const auto data = test::stripesDataset(16);
    test::TempDir dir;
    auto o = tinyOptions(dir / "trained");
    o.epochs = 1;
    o.max_steps_per_epoch = 2;
    const auto result = train(data, data, o);
    ASSERT_EQ(result.history.size(), 1u);
    EXPECT_TRUE(std::isfinite(result.history[0].train_loss));
    EXPECT_GT(result.history[0].train_loss, 0.0);

    // With learning rate 0 AdamW leaves every weight at its seeded initial value.
    auto frozen = tinyOptions(dir / "untrained");
    frozen.epochs = 1;
    frozen.max_steps_per_epoch = 2;
    frozen.learning_rate = 0.0;
    train(data, data, frozen);
    const auto before = readCheckpointWeights(dir / "untrained" / "checkpoint.pt");
    const auto after = readCheckpointWeights(result.checkpoint);
    ASSERT_EQ(before.size(), after.size());
    std::size_t changed = 0;
    for (std::size_t i = 0; i < before.size(); ++i)
        changed += before[i].values != after[i].values ? 1 : 0;
    EXPECT_EQ(changed, before.size()) << "every parameter tensor should have moved";
}

TEST(Trainer, TheLastEpochOfACheckpointReadsIntoAModel) {
    const auto data = test::stripesDataset(16);
    test::TempDir dir;
    auto o = tinyOptions(dir / "run");
    o.max_steps_per_epoch = 2;
    const auto result = train(data, data, o);
    const auto best = nets::loadModelFile(result.best_model);
    const auto last = modelFromCheckpoint(result.checkpoint, best);
    EXPECT_EQ(last.info.labels, best.info.labels);
    const auto stored = readCheckpointWeights(result.checkpoint);
    std::vector<torch::Tensor> tensors;
    for (const auto& p : last.module.named_parameters(true))
        tensors.push_back(p.value);
    for (const auto& b : last.module.named_buffers(true))
        tensors.push_back(b.value);
    ASSERT_EQ(tensors.size(), stored.size());
    for (std::size_t i = 0; i < stored.size(); ++i) {
        const auto value = tensors[i].to(torch::kFloat).contiguous();
        const std::vector<float> values(value.data_ptr<float>(),
                                        value.data_ptr<float>() + value.numel());
        EXPECT_EQ(values, stored[i].values) << stored[i].name;
    }

    auto relabelled = best;
    std::swap(relabelled.info.labels[0], relabelled.info.labels[1]);
    EXPECT_THROW(modelFromCheckpoint(result.checkpoint, relabelled), CheckpointError);
    EXPECT_THROW(modelFromCheckpoint(result.best_model, best), CheckpointError);
}

TEST(Trainer, RefusesAShiftAverageTheInputCannotHoldBeforeTraining) {
    const auto data = test::stripesDataset(4);  // 16x16 faces: shifts up to 7 pixels
    test::TempDir dir;
    auto o = tinyOptions(dir.path());
    o.shift_average = 8;
    try {
        train(data, data, o);
        FAIL() << "expected ModelError";
    } catch (const ModelError& e) {
        EXPECT_NE(std::string(e.what()).find("shift_average"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "log.csv")) << "no epoch should have run";
}

TEST(Trainer, LearnsTheGeneratedClassesAndSavesALoadableBestModel) {
    const auto data = test::stripesDataset(24);
    test::TempDir dir;
    auto o = tinyOptions(dir.path());
    o.epochs = 3;
    o.mirrored_in_training = true;
    o.shift_average = 1;
    const auto result = train(data, data, o);
    ASSERT_GE(result.best_epoch, 1);
    EXPECT_GT(result.best_val_accuracy, 0.9);
    const auto evaluation = evaluateModelFile(result.best_model, data, {.threads = 1});
    EXPECT_DOUBLE_EQ(accuracy(evaluation.matrix), result.best_val_accuracy);
    // The model file asks the app to flip-average when training mirrored the faces.
    EXPECT_TRUE(nets::loadModelFile(result.best_model).info.flip_average);
    EXPECT_EQ(nets::loadModelFile(result.best_model).info.shift_average, 1);

    std::ifstream log(result.log);
    std::string header;
    std::getline(log, header);
    EXPECT_EQ(header,
              "epoch,train_loss,train_acc,val_loss,val_acc,val_macro_f1,lr,seconds,cpu_seconds");
    int rows = 0;
    for (std::string line; std::getline(log, line);)
        ++rows;
    EXPECT_EQ(rows, 3);
}

TEST(Trainer, MixupTrainsOnBlendedBatchesAndStillLearnsTheClasses) {
    const auto data = test::stripesDataset(24);
    test::TempDir dir;
    auto plain = tinyOptions(dir / "plain");
    plain.epochs = 1;
    train(data, data, plain);
    auto mixed = tinyOptions(dir / "mixed");
    mixed.mixup_alpha = 0.4f;
    mixed.epochs = 3;
    const auto result = train(data, data, mixed);
    EXPECT_GT(result.best_val_accuracy, 0.9) << "validation images are not mixed";

    // The first epoch of the mixed run saw other inputs than the plain one.
    auto first_epoch = tinyOptions(dir / "mixed-one-epoch");
    first_epoch.mixup_alpha = 0.4f;
    first_epoch.epochs = 1;
    train(data, data, first_epoch);
    const auto a = readCheckpointWeights(dir / "plain" / "checkpoint.pt");
    const auto b = readCheckpointWeights(dir / "mixed-one-epoch" / "checkpoint.pt");
    ASSERT_EQ(a.size(), b.size());
    bool differs = false;
    for (std::size_t i = 0; i < a.size(); ++i)
        differs = differs || a[i].values != b[i].values;
    EXPECT_TRUE(differs);

    auto negative = tinyOptions(dir / "negative");
    negative.mixup_alpha = -1.0f;
    EXPECT_THROW(train(data, data, negative), std::invalid_argument);
}

TEST(Trainer, AModelWithMoreClassesIsScoredOnTheDatasetsClassesOnly) {
    // A 3-class model on a dataset of two of its classes (as the 8-class model on FER-2013's 7):
    // predictions of the missing class are impossible and the report has the dataset's labels.
    const auto three = test::stripesDataset(16, 3);
    test::TempDir dir;
    auto o = tinyOptions(dir.path());
    o.epochs = 2;
    const auto result = train(three, three, o);
    Dataset two;
    two.labels = {"class2", "class0"};  // a different order as well
    for (const auto& item : three.items) {
        if (item.label == 1)
            continue;
        auto copy = item;
        copy.label = item.label == 2 ? 0 : 1;
        two.items.push_back(copy);
    }
    const auto evaluation = evaluateModelFile(result.best_model, two, {.threads = 1});
    EXPECT_EQ(evaluation.matrix.labels(), two.labels);
    ASSERT_EQ(evaluation.predicted.size(), two.items.size());
    for (std::size_t i = 0; i < two.items.size(); ++i) {
        EXPECT_EQ(evaluation.truth[i], two.items[i].label);
        EXPECT_TRUE(evaluation.predicted[i] == 0 || evaluation.predicted[i] == 1);
    }
    const auto full = evaluateModelFile(result.best_model, three, {.threads = 1});
    EXPECT_EQ(full.matrix.labels(), three.labels);

    // The same two classes in the model's own 3-label space, scored on present classes only.
    Dataset sparse = three;
    std::erase_if(sparse.items, [](const LabeledImage& item) { return item.label == 1; });
    const auto present =
        evaluateModelFile(result.best_model, sparse, {.threads = 1, .present_classes_only = true});
    EXPECT_EQ(present.matrix.labels(), (std::vector<std::string>{"class0", "class2"}));
    for (int p : present.predicted)
        EXPECT_TRUE(p == 0 || p == 1);
    const auto all = evaluateModelFile(result.best_model, sparse, {.threads = 1});
    EXPECT_EQ(all.matrix.labels(), three.labels);
}

TEST(Trainer, CosineScheduleWarmsUpThenDecaysToZero) {
    TrainOptions o;
    o.learning_rate = 0.01;
    o.epochs = 4;
    o.lr_schedule = "cosine";
    o.warmup_epochs = 1.0;
    const std::int64_t steps = 10;
    EXPECT_DOUBLE_EQ(scheduledLearningRate(o, 0, steps), 0.001);  // (0 + 1) / 10 of warm-up
    EXPECT_DOUBLE_EQ(scheduledLearningRate(o, 9, steps), 0.01);
    EXPECT_DOUBLE_EQ(scheduledLearningRate(o, 10, steps), 0.01);     // the top of the cosine
    EXPECT_NEAR(scheduledLearningRate(o, 25, steps), 0.005, 1e-12);  // half way down
    EXPECT_NEAR(scheduledLearningRate(o, 40, steps), 0.0, 1e-12);
    for (std::int64_t step = 11; step < 40; ++step)
        EXPECT_LT(scheduledLearningRate(o, step, steps), scheduledLearningRate(o, step - 1, steps));
    o.lr_schedule = "constant";
    EXPECT_DOUBLE_EQ(scheduledLearningRate(o, 25, steps), 0.01);
}

// A resumed two-epoch run ended exactly where the unbroken one did.
void expectSameTwoEpochRun(const TrainResult& unbroken, const TrainResult& resumed) {
    expectSameWeights(unbroken.checkpoint, resumed.checkpoint);
    ASSERT_EQ(resumed.history.size(), 2u);
    EXPECT_EQ(resumed.history[1].train_loss, unbroken.history[1].train_loss);
    EXPECT_EQ(resumed.history[1].val_macro_f1, unbroken.history[1].val_macro_f1);
}

TEST(Trainer, ResumeAfterOneEpochEqualsTwoEpochsStraight) {
    const auto data = test::stripesDataset(12);
    test::TempDir dir;
    auto straight = tinyOptions(dir / "straight");
    const auto full = train(data, data, straight);

    auto split = tinyOptions(dir / "split");
    split.epochs = 1;
    train(data, data, split);
    split.epochs = 2;
    split.resume = true;
    expectSameTwoEpochRun(full, train(data, data, split));
}

// tinyOptions with a random flip, so a resume must also restore the augmentation's draws.
TrainOptions flippingOptions(const std::filesystem::path& out) {
    auto o = tinyOptions(out);
    o.augment = [](cv::Mat& image, std::mt19937& rng) {
        if (rng() % 2)
            cv::flip(image, image, 1);
    };
    return o;
}

TEST(Trainer, InterruptSavesACheckpointThatResumesMidEpochExactly) {
    auto data = test::stripesDataset(12);
    test::TempDir dir;
    const auto straight = flippingOptions(dir / "straight");
    const auto full = train(data, data, straight);

    std::atomic<bool> stop{true};  // as if Ctrl-C came during the first step
    auto interrupted = straight;
    interrupted.out_dir = dir / "interrupted";
    interrupted.stop_requested = &stop;
    const auto first = train(data, data, interrupted);
    EXPECT_TRUE(first.interrupted);
    const auto info = readCheckpointInfo(first.checkpoint);
    EXPECT_EQ(info.completed_epochs, 0);
    EXPECT_EQ(info.step_in_epoch, 1);

    stop = false;
    interrupted.resume = true;
    const auto rest = train(data, data, interrupted);
    EXPECT_FALSE(rest.interrupted);
    expectSameWeights(full.checkpoint, rest.checkpoint);
    EXPECT_EQ(rest.history[0].train_loss, full.history[0].train_loss);
}

// A killed run (no SIGINT to catch) resumes from the last checkpoint written within the epoch and
// ends exactly where the unbroken run does.
TEST(Trainer, ARunKilledMidEpochResumesFromItsPeriodicCheckpointExactly) {
    auto data = test::stripesDataset(12);
    test::TempDir dir;
    auto straight = flippingOptions(dir / "straight");
    straight.checkpoint_minutes = -1.0;
    const auto full = train(data, data, straight);

    // Every step writes one; the folder as it stood after epoch 2's second step is what a kill
    // at that moment would leave behind.
    auto periodic = straight;
    periodic.out_dir = dir / "periodic";
    periodic.checkpoint_minutes = 0.0;
    const auto killed_dir = dir / "killed";
    int mid_epoch_checkpoints = 0;
    periodic.on_mid_epoch_checkpoint = [&](const std::filesystem::path& checkpoint, int step) {
        ++mid_epoch_checkpoints;
        if (step == 2 && readCheckpointInfo(checkpoint).completed_epochs == 1)
            std::filesystem::copy(periodic.out_dir, killed_dir,
                                  std::filesystem::copy_options::recursive);
    };
    const auto uninterrupted = train(data, data, periodic);
    expectSameWeights(full.checkpoint, uninterrupted.checkpoint);
    ASSERT_TRUE(std::filesystem::exists(killed_dir / "checkpoint.pt"));
    const auto info = readCheckpointInfo(killed_dir / "checkpoint.pt");
    EXPECT_EQ(info.completed_epochs, 1);
    EXPECT_EQ(info.step_in_epoch, 2);
    EXPECT_GT(mid_epoch_checkpoints, 2);

    auto resumed = straight;
    resumed.out_dir = killed_dir;
    resumed.resume = true;
    expectSameTwoEpochRun(full, train(data, data, resumed));
}

TEST(Trainer, EarlyStoppingStopsAfterPatienceEpochsWithoutImprovement) {
    const auto data = test::stripesDataset(8);
    test::TempDir dir;
    auto o = tinyOptions(dir.path());
    o.epochs = 10;
    o.patience = 2;
    o.learning_rate = 0.0;  // the model never changes, so validation never improves
    const auto result = train(data, data, o);
    EXPECT_TRUE(result.stopped_early);
    ASSERT_EQ(result.history.size(), 3u);  // the first epoch sets the best, then 2 without
    EXPECT_EQ(result.best_epoch, 1);
    EXPECT_TRUE(readCheckpointInfo(result.checkpoint).finished);

    // A resumed finished run has nothing left to do.
    o.resume = true;
    EXPECT_EQ(train(data, data, o).history.size(), 3u);
}

TEST(Trainer, BalancingOptionsTrainWithFiniteLoss) {
    auto data = test::stripesDataset(8, 3);
    test::TempDir dir;
    auto o = tinyOptions(dir.path());
    o.epochs = 1;
    o.class_weights = {1.0f, 2.0f, 0.5f};
    o.sample_weights.assign(data.items.size(), 1.0);
    o.sample_weights[0] = 10.0;
    o.label_smoothing = 0.1;
    o.soft_labels = true;
    data.items[0].soft_label = {0.6f, 0.4f, 0.0f};
    const auto result = train(data, data, o);
    EXPECT_TRUE(std::isfinite(result.history.at(0).train_loss));
}

// Training `data` with `o` must be refused with a CheckpointError whose message holds `text`.
void expectRefusedResume(const Dataset& data, const TrainOptions& o, const std::string& text) {
    try {
        train(data, data, o);
        FAIL() << "expected a CheckpointError";
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
}

TEST(Trainer, RefusesToOverwriteAnotherRunsCheckpoint) {
    const auto data = test::stripesDataset(4);
    test::TempDir dir;
    auto o = tinyOptions(dir.path());
    o.epochs = 1;
    train(data, data, o);
    EXPECT_THROW(train(data, data, o), std::invalid_argument);
    o.resume = true;
    o.batch_size = 4;
    expectRefusedResume(data, o, "batch_size is 8, this run has 4");
}

TEST(Trainer, RefusesToResumeWithAnotherMixupOrFerPlusBlend) {
    const auto data = test::stripesDataset(4);
    test::TempDir dir;
    auto o = tinyOptions(dir.path());
    o.max_steps_per_epoch = 1;
    o.mixup_alpha = 0.2f;
    o.ferplus_mix = 0.3;
    o.epochs = 1;
    train(data, data, o);
    o.resume = true;
    o.epochs = 2;
    auto other_mixup = o;
    other_mixup.mixup_alpha = 0.4f;
    expectRefusedResume(data, other_mixup, "its mixup_alpha is");
    auto other_blend = o;
    other_blend.ferplus_mix = 0.0;
    expectRefusedResume(data, other_blend, "its ferplus_mix is 0.3");
    auto other_contempt = o;
    other_contempt.ferplus_contempt = true;
    expectRefusedResume(data, other_contempt, "its ferplus_contempt is false");
    auto other_framing = o;
    other_framing.through_pipeline = true;
    expectRefusedResume(data, other_framing, "its through_pipeline is false");
    EXPECT_EQ(train(data, data, o).history.size(), 2u) << "the same settings resume";
}

TEST(Trainer, BadOptionsAndDataAreNamed) {
    const auto data = test::stripesDataset(4);
    test::TempDir dir;
    auto o = tinyOptions(dir.path());
    o.class_weights = {1.0f};
    EXPECT_THROW(train(data, data, o), std::invalid_argument);
    o.class_weights.clear();
    o.model = "no_such_net";
    EXPECT_THROW(train(data, data, o), ModelError);
    o.model = "mycnn_v1";
    auto bad = data;
    bad.items[3].image = cv::Mat(16, 16, CV_32FC1, cv::Scalar(0));
    try {
        train(bad, data, o);
        FAIL() << "expected invalid_argument";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find(bad.items[3].origin), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace emotrace::train
