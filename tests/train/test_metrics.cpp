#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

#include "emotrace/error.h"
#include "emotrace/train/metrics.h"
#include "test_support.h"

namespace emotrace::train {
namespace {

// truth   0 0 1 1 1 2
// predict 0 1 1 1 0 2
// class 0: tp 1, predicted 2, support 2 -> P 1/2, R 1/2, F1 1/2
// class 1: tp 2, predicted 3, support 3 -> P 2/3, R 2/3, F1 2/3
// class 2: tp 1, predicted 1, support 1 -> P 1,   R 1,   F1 1
ConfusionMatrix handExample() {
    const std::vector<int> truth{0, 0, 1, 1, 1, 2};
    const std::vector<int> predicted{0, 1, 1, 1, 0, 2};
    return confusionMatrix({"cat", "dog", "bird"}, truth, predicted);
}

TEST(Metrics, ConfusionMatrixCountsTruthRowsAndPredictedColumns) {
    const auto m = handExample();
    EXPECT_EQ(m.at(0, 0), 1);
    EXPECT_EQ(m.at(0, 1), 1);
    EXPECT_EQ(m.at(1, 0), 1);
    EXPECT_EQ(m.at(1, 1), 2);
    EXPECT_EQ(m.at(2, 2), 1);
    EXPECT_EQ(m.at(2, 0), 0);
    EXPECT_EQ(m.total(), 6);
    EXPECT_EQ(m.support(1), 3);
    EXPECT_EQ(m.predictedAs(1), 3);
}

TEST(Metrics, AccuracyAndMacroF1MatchHandComputedValues) {
    const auto m = handExample();
    EXPECT_DOUBLE_EQ(accuracy(m), 4.0 / 6.0);
    EXPECT_NEAR(macroF1(m), (0.5 + 2.0 / 3.0 + 1.0) / 3.0, 1e-12);
    const auto scores = perClassScores(m);
    ASSERT_EQ(scores.size(), 3u);
    EXPECT_DOUBLE_EQ(scores[0].precision, 0.5);
    EXPECT_DOUBLE_EQ(scores[0].recall, 0.5);
    EXPECT_NEAR(scores[1].precision, 2.0 / 3.0, 1e-12);
    EXPECT_NEAR(scores[1].f1, 2.0 / 3.0, 1e-12);
    EXPECT_DOUBLE_EQ(scores[2].f1, 1.0);
    EXPECT_EQ(scores[1].support, 3);
}

TEST(Metrics, NeverPredictedClassHasZeroPrecisionNotNaN) {
    // truth 0 1, predicted 0 0: class 1 is never predicted.
    const std::vector<int> truth{0, 1};
    const std::vector<int> predicted{0, 0};
    const auto m = confusionMatrix({"a", "b"}, truth, predicted);
    const auto scores = perClassScores(m);
    EXPECT_DOUBLE_EQ(scores[1].precision, 0.0);
    EXPECT_DOUBLE_EQ(scores[1].f1, 0.0);
    EXPECT_DOUBLE_EQ(scores[0].precision, 0.5);
    EXPECT_NEAR(scores[0].f1, 2.0 / 3.0, 1e-12);  // P 1/2, R 1
    EXPECT_NEAR(macroF1(m), (2.0 / 3.0 + 0.0) / 2.0, 1e-12);
}

TEST(Metrics, MacroF1IgnoresClassesAbsentFromTruthAndPredictions) {
    // The hand example with an unused class inserted at index 1.
    const auto with_unused =
        confusionMatrix({"cat", "contempt", "dog", "bird"}, std::vector<int>{0, 0, 2, 2, 2, 3},
                        std::vector<int>{0, 2, 2, 2, 0, 3});
    EXPECT_NEAR(macroF1(with_unused), macroF1(handExample()), 1e-12);
}

TEST(Metrics, ReportHasScikitLearnLayout) {
    const std::string expected =
        "              precision    recall  f1-score   support\n"
        "\n"
        "         cat       0.50      0.50      0.50         2\n"
        "         dog       0.67      0.67      0.67         3\n"
        "        bird       1.00      1.00      1.00         1\n"
        "\n"
        "    accuracy                           0.67         6\n"
        "   macro avg       0.72      0.72      0.72         6\n"
        "weighted avg       0.67      0.67      0.67         6\n";
    EXPECT_EQ(classificationReport(handExample(), 2), expected);
}

TEST(Metrics, ConfusionCsvHasOneRowPerTrueClass) {
    EXPECT_EQ(confusionCsv(handExample()),
              "true\\predicted,cat,dog,bird\n"
              "cat,1,1,0\n"
              "dog,1,2,0\n"
              "bird,0,0,1\n");
    test::TempDir dir;
    writeConfusionCsv(handExample(), dir / "confusion.csv");
    std::ifstream in(dir / "confusion.csv");
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), confusionCsv(handExample()));
}

TEST(Metrics, BadInputIsRejectedWithCounts) {
    const std::vector<int> three{0, 1, 1};
    const std::vector<int> two{0, 1};
    EXPECT_THROW(confusionMatrix({"a", "b"}, three, two), std::invalid_argument);
    ConfusionMatrix m({"a", "b"});
    try {
        m.add(0, 2);
        FAIL() << "expected out_of_range";
    } catch (const std::out_of_range& e) {
        EXPECT_NE(std::string(e.what()).find("class index 2"), std::string::npos) << e.what();
    }
    EXPECT_THROW(writeConfusionCsv(m, "/nonexistent-folder/confusion.csv"), OutputError);
}

TEST(Metrics, MeanAndStdAcrossFolds) {
    const std::vector<double> folds{0.5, 0.7};
    const auto value = meanStd(folds);
    EXPECT_DOUBLE_EQ(value.mean, 0.6);
    EXPECT_NEAR(value.std, 0.1, 1e-12);
    EXPECT_EQ(formatPercentMeanStd(value), "60.00 \u00b1 10.00");
    EXPECT_DOUBLE_EQ(meanStd(std::vector<double>{}).mean, 0.0);
}

TEST(Metrics, BootstrapIntervalOfPerfectPredictionsIsOne) {
    const std::vector<int> truth{0, 1, 0, 1, 1};
    const std::vector<std::string> groups(truth.size());
    const auto b = bootstrapInterval({"a", "b"}, truth, truth, groups, 200);
    EXPECT_DOUBLE_EQ(b.accuracy_low, 1.0);
    EXPECT_DOUBLE_EQ(b.accuracy_high, 1.0);
    EXPECT_DOUBLE_EQ(b.macro_f1_low, 1.0);
    EXPECT_EQ(b.groups, 5u);
    EXPECT_EQ(b.resamples, 200);
}

// 40 items of class a, all right; 20 of class b, half wrong. As single images the 20 b items
// are 20 draws; as two subjects (one all right, one all wrong) they are two, and the
// interval must widen.
TEST(Metrics, BootstrapResamplesWholeGroupsAndTheirIntervalIsWider) {
    std::vector<int> truth, predicted;
    std::vector<std::string> singly, by_subject;
    for (int i = 0; i < 40; ++i) {
        truth.push_back(0);
        predicted.push_back(0);
        singly.emplace_back();
        by_subject.emplace_back();
    }
    for (int i = 0; i < 20; ++i) {
        truth.push_back(1);
        predicted.push_back(i < 10 ? 1 : 0);
        singly.emplace_back();
        by_subject.push_back(i < 10 ? "S001" : "S002");
    }
    const auto point = accuracy(confusionMatrix({"a", "b"}, truth, predicted));
    const auto a = bootstrapInterval({"a", "b"}, truth, predicted, singly, 2000, 7);
    const auto b = bootstrapInterval({"a", "b"}, truth, predicted, by_subject, 2000, 7);
    EXPECT_EQ(a.groups, 60u);
    EXPECT_EQ(b.groups, 42u);
    EXPECT_LT(a.accuracy_low, point);
    EXPECT_GT(a.accuracy_high, point);
    EXPECT_LE(a.macro_f1_low, a.macro_f1_high);
    EXPECT_GT(b.accuracy_high - b.accuracy_low, 1.3 * (a.accuracy_high - a.accuracy_low));
    EXPECT_GT(b.macro_f1_high - b.macro_f1_low, 1.3 * (a.macro_f1_high - a.macro_f1_low));
    // Seeded: the same call gives the same interval.
    const auto again = bootstrapInterval({"a", "b"}, truth, predicted, by_subject, 2000, 7);
    EXPECT_DOUBLE_EQ(again.macro_f1_low, b.macro_f1_low);
    EXPECT_DOUBLE_EQ(again.accuracy_high, b.accuracy_high);
}

TEST(Metrics, BootstrapRejectsMismatchedLengthsAndNoResamples) {
    const std::vector<int> two{0, 1};
    const std::vector<int> three{0, 1, 1};
    const std::vector<std::string> groups(2);
    EXPECT_THROW(bootstrapInterval({"a", "b"}, two, three, groups), std::invalid_argument);
    EXPECT_THROW(bootstrapInterval({"a", "b"}, three, three, groups), std::invalid_argument);
    EXPECT_THROW(bootstrapInterval({"a", "b"}, two, two, groups, 0), std::invalid_argument);
}

}  // namespace
}  // namespace emotrace::train
