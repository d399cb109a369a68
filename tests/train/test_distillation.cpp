// Distillation targets: each training target blended with a teacher model's reading.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "emotrace/error.h"
#include "emotrace/nets.h"
#include "emotrace/train/distillation.h"
#include "emotrace/train/evaluation.h"
#include "test_models.h"
#include "test_support.h"
#include "train_test_data.h"

namespace emotrace::train {
namespace {

// Three classes the teacher knows (it has the paper's eight), in an order other than its own.
Dataset threeClasses() {
    Dataset data = test::stripesDataset(3, 3, 48);
    data.labels = {"sad", "angry", "happy"};
    return data;
}

TEST(Distillation, EachTargetIsTheLabelBlendedWithTheTeachersFlipAveragedReading) {
    test::TempDir dir;
    const auto teacher = test::writeTestModel(dir / "teacher.pt");
    auto data = threeClasses();
    data.items[1].soft_label = {0.5f, 0.25f, 0.25f};  // a target that is already a distribution
    const auto before = data;
    // What the teacher reads, by the evaluation the app's flip averaging uses.
    EvaluationOptions options;
    options.flip_average = true;
    options.threads = 1;
    const auto reading = evaluateModelFile(teacher, before, options);
    const auto& scored = reading.matrix.labels();

    EXPECT_EQ(blendTeacherPredictions(data, teacher, 0.25, 1), data.items.size());
    for (std::size_t i = 0; i < data.items.size(); ++i) {
        SCOPED_TRACE(i);
        const auto& item = data.items[i];
        ASSERT_EQ(item.soft_label.size(), 3u);
        double total = 0.0;
        for (std::size_t d = 0; d < 3; ++d) {
            total += item.soft_label[d];
            std::size_t k = 0;
            while (scored[k] != data.labels[d])
                ++k;
            // The teacher's three probabilities, renormalised over the dataset's classes.
            double sum = 0.0;
            for (float score : reading.scores[i])
                sum += std::exp(score);
            const double taught = std::exp(reading.scores[i][k]) / sum;
            const double own = before.items[i].soft_label.empty()
                                   ? (d == static_cast<std::size_t>(item.label) ? 1.0 : 0.0)
                                   : before.items[i].soft_label[d];
            EXPECT_NEAR(item.soft_label[d], 0.75 * own + 0.25 * taught, 1e-6);
        }
        EXPECT_NEAR(total, 1.0, 1e-5);
        EXPECT_EQ(item.label, before.items[i].label) << "the label stays for the metrics";
    }
}

TEST(Distillation, RefusesAMixOutsideItsRangeAndClassesTheTeacherDoesNotRead) {
    test::TempDir dir;
    const auto teacher = test::writeTestModel(dir / "teacher.pt");
    auto data = threeClasses();
    EXPECT_THROW(blendTeacherPredictions(data, teacher, 0.0, 1), std::invalid_argument);
    EXPECT_THROW(blendTeacherPredictions(data, teacher, 1.5, 1), std::invalid_argument);
    EXPECT_TRUE(data.items[0].soft_label.empty()) << "nothing changed by a refusal";
    data.labels[2] = "boredom";
    EXPECT_THROW(blendTeacherPredictions(data, teacher, 0.5, 1), ModelError);
    EXPECT_THROW(blendTeacherPredictions(data, dir / "missing.pt", 0.5, 1), ModelError);
}

}  // namespace
}  // namespace emotrace::train
