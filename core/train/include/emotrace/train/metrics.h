// Classification metrics for evaluating emotion models: the confusion matrix, accuracy, macro-F1,
// a per-class report in the layout of scikit-learn's classification_report, the matrix as CSV,
// and mean +- standard deviation across folds. Plain C++ (no torch), so any tool can use it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace emotrace::train {

// Rows are true classes, columns predicted classes, in the order of `labels`.
class ConfusionMatrix {
  public:
    explicit ConfusionMatrix(std::vector<std::string> labels);

    // Throws std::out_of_range naming the index and the number of classes.
    void add(int truth, int predicted, std::int64_t count = 1);
    std::int64_t at(int truth, int predicted) const;

    int classes() const { return static_cast<int>(labels_.size()); }
    const std::vector<std::string>& labels() const { return labels_; }
    std::int64_t total() const;
    std::int64_t support(int truth) const;          // row sum: items of that class
    std::int64_t predictedAs(int predicted) const;  // column sum

  private:
    std::vector<std::string> labels_;
    std::vector<std::int64_t> counts_;
};

// The matrix for paired true and predicted class indices; throws std::invalid_argument when the
// lengths differ, std::out_of_range for an index outside the labels.
ConfusionMatrix confusionMatrix(const std::vector<std::string>& labels, std::span<const int> truth,
                                std::span<const int> predicted);

struct ClassScores {
    double precision = 0.0;
    double recall = 0.0;
    double f1 = 0.0;
    std::int64_t support = 0;
};

// Per class; a ratio with a zero denominator counts as 0 (scikit-learn's zero_division=0).
std::vector<ClassScores> perClassScores(const ConfusionMatrix& matrix);
// Fraction of items on the diagonal; 0 for an empty matrix.
double accuracy(const ConfusionMatrix& matrix);
// Unweighted mean of the per-class F1 over the classes that occur in the truth or the
// predictions, as scikit-learn's f1_score(average="macro") without an explicit label list: a
// class absent from both (contempt in FER-2013) neither helps nor hurts.
double macroF1(const ConfusionMatrix& matrix);

// precision / recall / f1-score / support per class, then accuracy, macro avg and weighted avg,
// with `digits` decimals, as scikit-learn's classification_report prints them.
std::string classificationReport(const ConfusionMatrix& matrix, int digits = 4);

// "true\predicted,angry,...\nangry,12,..." with one row per true class.
std::string confusionCsv(const ConfusionMatrix& matrix);
// Writes confusionCsv to `path`; throws OutputError naming the path.
void writeConfusionCsv(const ConfusionMatrix& matrix, const std::filesystem::path& path);

// A 95 % percentile-bootstrap interval of accuracy and macro-F1. Whole groups are resampled
// with replacement (all frames of a CK+ subject together; an item without a group alone), so a
// class that rests on the frames of a few subjects gets the wide interval it deserves.
struct BootstrapInterval {
    double accuracy_low = 0.0, accuracy_high = 0.0;
    double macro_f1_low = 0.0, macro_f1_high = 0.0;
    int resamples = 0;
    std::size_t groups = 0;
};
// `groups` has one entry per item (empty: the item is its own group). Seeded, so repeatable.
// Throws std::invalid_argument when the lengths differ or resamples < 1.
BootstrapInterval bootstrapInterval(const std::vector<std::string>& labels,
                                    std::span<const int> truth, std::span<const int> predicted,
                                    std::span<const std::string> groups, int resamples = 1000,
                                    std::uint32_t seed = 0);

struct MeanStd {
    double mean = 0.0;
    double std = 0.0;  // population standard deviation (numpy's default, ddof=0)
};
// Across folds; {0, 0} for no values.
MeanStd meanStd(std::span<const double> values);
// "59.00 ± 1.23" for values in [0,1] shown as percentages with two decimals.
std::string formatPercentMeanStd(const MeanStd& value);

}  // namespace emotrace::train
