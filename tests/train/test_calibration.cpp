// Class offsets fitted for macro-F1: they help a model that under-predicts a rare class, never
// make the fitted split worse, and the written model file predicts argmax(scores + offsets).
#include <gtest/gtest.h>

#include <cmath>

#include "emotrace/train/calibration.h"
#include "emotrace/train/evaluation.h"
#include "emotrace/train/trainer.h"
#include "test_support.h"
#include "train_test_data.h"

namespace emotrace::train {
namespace {

TEST(ClassBias, RaisesTheRareClassUntilMacroF1Improves) {
    // 90 items of class 0 scored clearly; 10 of class 1 whose score is always 0.5 below class
    // 0's: unshifted, class 1 is never predicted.
    std::vector<std::vector<float>> scores;
    std::vector<int> truth;
    for (int i = 0; i < 90; ++i) {
        scores.push_back({0.0f, -2.0f});
        truth.push_back(0);
    }
    for (int i = 0; i < 10; ++i) {
        scores.push_back({0.0f, -0.5f});
        truth.push_back(1);
    }
    const auto fit = fitClassBias(scores, truth, 2);
    EXPECT_NEAR(fit.macro_f1_before, (2.0 * 90 / 190) / 2.0, 1e-9);  // class 1 has F1 0
    EXPECT_DOUBLE_EQ(fit.macro_f1_after, 1.0);
    // Any shift of class 1 over class 0 in (0.5, 2] separates them (a tie goes to class 0).
    EXPECT_GT(fit.offsets[1] - fit.offsets[0], 0.5);
    EXPECT_LE(fit.offsets[1] - fit.offsets[0], 2.0 + 1e-9);
    EXPECT_DOUBLE_EQ(macroF1WithOffsets(scores, truth, fit.offsets), fit.macro_f1_after);
}

TEST(ClassBias, NeverWorseThanNoOffsetsAndRejectsMismatchedInput) {
    const std::vector<std::vector<float>> scores = {{1.0f, 0.0f}, {0.0f, 1.0f}};
    const std::vector<int> truth = {0, 1};
    const auto fit = fitClassBias(scores, truth, 2);
    EXPECT_DOUBLE_EQ(fit.macro_f1_after, 1.0);
    EXPECT_EQ(fit.offsets, (std::vector<double>{0.0, 0.0}));  // nothing to gain: unchanged
    EXPECT_THROW(fitClassBias(scores, {0}, 2), std::invalid_argument);
    EXPECT_THROW(fitClassBias(scores, {0, 2}, 2), std::invalid_argument);
}

TEST(ClassBias, TheWrittenModelPredictsWithTheOffsets) {
    const auto data = test::stripesDataset(12, 3);
    test::TempDir dir;
    TrainOptions o;
    o.model = "mycnn_v1";
    o.batch_size = 8;
    o.epochs = 1;
    o.max_steps_per_epoch = 2;  // barely trained, so offsets change predictions
    o.patience = 0;
    o.threads = 1;
    o.show_progress = false;
    o.out_dir = dir / "run";
    const auto result = train(data, data, o);
    const auto before = evaluateModelFile(result.best_model, data, {.threads = 1});
    const std::vector<double> offsets = {0.0, 5.0, -1.0};
    writeModelWithClassOffsets(result.best_model, offsets, "test offsets", dir / "shifted.pt");
    const auto after = evaluateModelFile(dir / "shifted.pt", data, {.threads = 1});
    ASSERT_EQ(after.predicted.size(), before.scores.size());
    for (std::size_t i = 0; i < before.scores.size(); ++i) {
        int expected = 0;
        for (int c = 1; c < 3; ++c) {
            if (before.scores[i][static_cast<std::size_t>(c)] +
                    offsets[static_cast<std::size_t>(c)] >
                before.scores[i][static_cast<std::size_t>(expected)] +
                    offsets[static_cast<std::size_t>(expected)])
                expected = c;
        }
        EXPECT_EQ(after.predicted[i], expected) << "item " << i;
    }
}

}  // namespace
}  // namespace emotrace::train
