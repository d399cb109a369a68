// Each training option's effect on the loss the trainer minimises, checked against the loss
// computed by hand (log-softmax and the option's formula in plain C++) from the model's logits.
//
// How: a run is trained one epoch, then resumed for a second with learning rate 0, so the second
// epoch's recorded training loss is the loss of known weights (the checkpoint's) on a known batch
// (the whole set in one batch, in the order and with the blending the trainer's loader makes).
// ResNet18 has no dropout: in training mode its logits are a function of the batch alone
// (batch-norm uses the batch's statistics), so they are recomputed in training mode here.
// "Finite loss" is not enough: a dropped `ce.weight(...)` still trains (issue 24).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "emotrace/nets.h"
#include "emotrace/train/batch_loader.h"
#include "emotrace/train/checkpoint.h"
#include "emotrace/train/trainer.h"
#include "test_support.h"
#include "train_test_data.h"

namespace emotrace::train {
namespace {

constexpr int kClasses = 3;
constexpr int kProbeEpoch = 2;

Dataset probeData() {
    return test::stripesDataset(4, kClasses, 32, 7);  // 12 items, 4 per class; 32x32 for ResNet18
}

TrainOptions baseOptions(const std::filesystem::path& out, std::size_t items) {
    TrainOptions o;
    o.model = "resnet18";
    o.batch_size = static_cast<int>(items);  // one batch per epoch
    o.epochs = kProbeEpoch - 1;
    o.patience = 0;
    o.threads = 1;
    o.seed = 5;
    o.learning_rate = 3e-4;  // far from fitting: the per-class losses still differ
    o.weight_decay = 0.0;
    o.show_progress = false;
    o.out_dir = out;
    return o;
}

// What the probe epoch saw: the batch as the trainer's loader made it and the logits of the
// weights it was computed with, per item.
struct Probe {
    double recorded_loss = 0.0;
    Batch batch;
    std::vector<std::vector<double>> logits;  // [item][class]
};

// Trains `first` for one epoch (so the classes start to be told apart and the per-class losses
// differ), then one more epoch with learning rate 0 and `probe` (the options under test).
Probe probeLoss(const Dataset& data, TrainOptions first, TrainOptions probe) {
    const auto first_result = train(data, data, first);
    EXPECT_EQ(first_result.history.size(), static_cast<std::size_t>(kProbeEpoch - 1));
    probe.out_dir = first.out_dir;
    probe.resume = true;
    probe.epochs = kProbeEpoch;
    probe.learning_rate = 0.0;
    const auto result = train(data, data, probe);
    Probe p;
    if (result.history.size() != static_cast<std::size_t>(kProbeEpoch)) {
        ADD_FAILURE() << "the probe epoch did not run";
        return p;
    }
    p.recorded_loss = result.history.back().train_loss;

    // The batch: the epoch order the trainer uses (a seeded shuffle, or draws by sample weight)
    // through a loader with the trainer's options.
    std::vector<std::size_t> order(data.items.size());
    auto rng = batchGenerator(probe.seed, kProbeEpoch, -1);
    if (probe.sample_weights.empty()) {
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::shuffle(order.begin(), order.end(), rng);
    } else {
        std::discrete_distribution<std::size_t> pick(probe.sample_weights.begin(),
                                                     probe.sample_weights.end());
        for (auto& index : order)
            index = pick(rng);
    }
    BatchLoaderOptions loader;
    loader.batch_size = probe.batch_size;
    loader.soft_targets = probe.soft_labels || probe.mixup_alpha > 0.0f;
    loader.mixup_alpha = probe.mixup_alpha;
    loader.seed = probe.seed;
    loader.epoch = kProbeEpoch;
    BatchLoader batches(data, order, loader);
    auto batch = batches.next();
    if (!batch || batches.next()) {
        ADD_FAILURE() << "expected exactly one batch";
        return p;
    }
    p.batch = *batch;

    const auto model =
        modelFromCheckpoint(result.checkpoint, nets::loadModelFile(result.best_model));
    auto module = model.module;
    module.train();  // as the trainer ran it
    const int size = data.items.front().image.cols;
    torch::NoGradGuard no_grad;
    const auto input = torch::from_blob(p.batch.pixels.data(), {p.batch.size, 1, size, size});
    const auto logits = module.forward({input}).toTensor().to(torch::kDouble).contiguous();
    for (int i = 0; i < p.batch.size; ++i) {
        const double* row = logits.data_ptr<double>() + static_cast<std::ptrdiff_t>(i) * kClasses;
        p.logits.emplace_back(row, row + kClasses);
    }
    return p;
}

// -log softmax(logits)[c], by hand.
std::vector<double> negativeLogProbabilities(const std::vector<double>& logits) {
    const double top = *std::max_element(logits.begin(), logits.end());
    double sum = 0.0;
    for (double z : logits)
        sum += std::exp(z - top);
    const double log_sum = top + std::log(sum);
    std::vector<double> result;
    for (double z : logits)
        result.push_back(log_sum - z);
    return result;
}

double itemLoss(const Probe& p, int item) {
    return negativeLogProbabilities(p.logits[static_cast<std::size_t>(
        item)])[static_cast<std::size_t>(p.batch.labels[static_cast<std::size_t>(item)])];
}

double plainCrossEntropy(const Probe& p) {
    double sum = 0.0;
    for (int i = 0; i < p.batch.size; ++i)
        sum += itemLoss(p, i);
    return sum / p.batch.size;
}

// The recorded loss is a float; the hand computation is in double.
constexpr double kTolerance = 2e-5;

class TrainingLoss : public ::testing::Test {
  protected:
    Dataset data = probeData();
    test::TempDir dir;
    TrainOptions first = baseOptions(dir / "run", data.items.size());
};

TEST_F(TrainingLoss, PlainCrossEntropyIsTheMeanOfMinusLogTheLabelsProbability) {
    const auto p = probeLoss(data, first, first);
    EXPECT_NEAR(p.recorded_loss, plainCrossEntropy(p), kTolerance);
    EXPECT_GT(plainCrossEntropy(p), 0.01) << "the fixture needs a loss well above 0";
}

// PyTorch's weighted mean: sum of w[y] * loss / sum of w[y].
TEST_F(TrainingLoss, ClassWeightsWeighEachItemByItsClassAndNormaliseByTheirSum) {
    auto probe = first;
    probe.class_weights = {1.0f, 4.0f, 0.25f};
    const auto p = probeLoss(data, first, probe);
    double weighted = 0.0;
    double weights = 0.0;
    for (int i = 0; i < p.batch.size; ++i) {
        const double w = probe.class_weights[static_cast<std::size_t>(p.batch.labels[i])];
        weighted += w * itemLoss(p, i);
        weights += w;
    }
    EXPECT_NEAR(p.recorded_loss, weighted / weights, kTolerance);
    EXPECT_GT(std::abs(weighted / weights - plainCrossEntropy(p)), 100 * kTolerance)
        << "the fixture must make the weights matter";
}

// (1 - e) * -log p[y] + e * mean over classes of -log p[c].
TEST_F(TrainingLoss, LabelSmoothingMixesInTheMeanOverAllClasses) {
    auto probe = first;
    probe.label_smoothing = 0.2;
    const auto p = probeLoss(data, first, probe);
    double expected = 0.0;
    for (int i = 0; i < p.batch.size; ++i) {
        const auto nll = negativeLogProbabilities(p.logits[static_cast<std::size_t>(i)]);
        const double uniform = std::accumulate(nll.begin(), nll.end(), 0.0) / kClasses;
        expected += 0.8 * itemLoss(p, i) + 0.2 * uniform;
    }
    expected /= p.batch.size;
    EXPECT_NEAR(p.recorded_loss, expected, kTolerance);
    EXPECT_GT(std::abs(expected - plainCrossEntropy(p)), 100 * kTolerance);
}

// -sum over classes of t[c] * log p[c], averaged over the batch.
TEST_F(TrainingLoss, SoftLabelsAreTheTargetDistribution) {
    // Two items carry votes split between classes; the rest fall back to one-hot.
    data.items[0].soft_label = {0.5f, 0.25f, 0.25f};
    data.items[4].soft_label = {0.0f, 0.3f, 0.7f};
    first.soft_labels = true;
    const auto p = probeLoss(data, first, first);
    double expected = 0.0;
    double hard = 0.0;
    for (int i = 0; i < p.batch.size; ++i) {
        const auto nll = negativeLogProbabilities(p.logits[static_cast<std::size_t>(i)]);
        for (int c = 0; c < kClasses; ++c)
            expected += p.batch.soft_targets[static_cast<std::size_t>(i * kClasses + c)] *
                        nll[static_cast<std::size_t>(c)];
        hard += itemLoss(p, i);
    }
    EXPECT_NEAR(p.recorded_loss, expected / p.batch.size, kTolerance);
    EXPECT_GT(std::abs(expected - hard) / p.batch.size, 100 * kTolerance);
    // The loader's targets are the votes (and one-hot elsewhere), not the labels.
    int from_votes = 0;
    for (int i = 0; i < p.batch.size; ++i) {
        const float* t = &p.batch.soft_targets[static_cast<std::size_t>(i * kClasses)];
        from_votes += std::count_if(t, t + kClasses, [](float v) { return v > 0.0f && v < 1.0f; });
    }
    EXPECT_EQ(from_votes, 2 + 3);
}

// The sampler decides which items the loss is taken over: all the weight on one item makes
// every draw that item, so the epoch's loss is that item's.
TEST_F(TrainingLoss, SampleWeightsChooseTheItemsTheLossIsTakenOver) {
    first.sample_weights.assign(data.items.size(), 1.0);
    auto probe = first;
    probe.sample_weights.assign(data.items.size(), 0.0);
    probe.sample_weights[5] = 1.0;
    const auto p = probeLoss(data, first, probe);
    ASSERT_EQ(p.batch.size, static_cast<int>(data.items.size()));
    for (int i = 0; i < p.batch.size; ++i)
        ASSERT_EQ(p.batch.labels[i], data.items[5].label);
    const auto only =
        negativeLogProbabilities(p.logits[0])[static_cast<std::size_t>(data.items[5].label)];
    EXPECT_NEAR(p.recorded_loss, only, kTolerance);

    // With uniform weights the draws cover several items and the loss is their mean.
    test::TempDir other;
    auto uniform_first = baseOptions(other / "run", data.items.size());
    uniform_first.sample_weights.assign(data.items.size(), 1.0);
    const auto u = probeLoss(data, uniform_first, uniform_first);
    EXPECT_NEAR(u.recorded_loss, plainCrossEntropy(u), kTolerance);
    EXPECT_GT(std::abs(u.recorded_loss - p.recorded_loss), 100 * kTolerance);
}

// Mixup: the loss of the blended images against the blended targets, -sum t[c] log p[c].
TEST_F(TrainingLoss, MixupTakesTheLossOfBlendedImagesAgainstBlendedTargets) {
    first.mixup_alpha = 0.4f;
    const auto p = probeLoss(data, first, first);
    double expected = 0.0;
    double against_labels = 0.0;
    int blended = 0;
    for (int i = 0; i < p.batch.size; ++i) {
        const auto nll = negativeLogProbabilities(p.logits[static_cast<std::size_t>(i)]);
        for (int c = 0; c < kClasses; ++c) {
            const float t = p.batch.soft_targets[static_cast<std::size_t>(i * kClasses + c)];
            expected += t * nll[static_cast<std::size_t>(c)];
            blended += t > 0.0f && t < 1.0f ? 1 : 0;
        }
        against_labels += itemLoss(p, i);
    }
    ASSERT_GT(blended, 0) << "the batch was not blended";
    EXPECT_NEAR(p.recorded_loss, expected / p.batch.size, kTolerance);
    EXPECT_GT(std::abs(expected - against_labels) / p.batch.size, 100 * kTolerance);
}

}  // namespace
}  // namespace emotrace::train
