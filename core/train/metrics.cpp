#include "emotrace/train/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <random>
#include <stdexcept>
#include <unordered_map>

#include "emotrace/error.h"

namespace emotrace::train {

namespace {

double ratio(double numerator, double denominator) {
    return denominator > 0.0 ? numerator / denominator : 0.0;
}

bool occurs(const ConfusionMatrix& matrix, int c) {
    return matrix.support(c) > 0 || matrix.predictedAs(c) > 0;
}

std::string padLeft(const std::string& text, std::size_t width) {
    return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

std::string fixed(double value, int digits) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
    return buffer;
}

// One line of the report: name right-aligned, then columns 9 wide after a space, as
// scikit-learn's "{:>{width}s} " + " {:>9}" * 4.
std::string reportLine(const std::string& name, std::size_t width,
                       const std::vector<std::string>& cells) {
    std::string line = padLeft(name, width) + ' ';
    for (const auto& cell : cells)
        line += ' ' + padLeft(cell, 9);
    return line + '\n';
}

}  // namespace

ConfusionMatrix::ConfusionMatrix(std::vector<std::string> labels)
    : labels_(std::move(labels)), counts_(labels_.size() * labels_.size(), 0) {}

void ConfusionMatrix::add(int truth, int predicted, std::int64_t count) {
    for (int index : {truth, predicted}) {
        if (index < 0 || index >= classes()) {
            throw std::out_of_range("class index " + std::to_string(index) + " is outside the " +
                                    std::to_string(classes()) + " labels of the confusion matrix");
        }
    }
    counts_[static_cast<std::size_t>(truth * classes() + predicted)] += count;
}

std::int64_t ConfusionMatrix::at(int truth, int predicted) const {
    return counts_.at(static_cast<std::size_t>(truth * classes() + predicted));
}

std::int64_t ConfusionMatrix::total() const {
    return std::accumulate(counts_.begin(), counts_.end(), std::int64_t{0});
}

std::int64_t ConfusionMatrix::support(int truth) const {
    std::int64_t sum = 0;
    for (int p = 0; p < classes(); ++p)
        sum += at(truth, p);
    return sum;
}

std::int64_t ConfusionMatrix::predictedAs(int predicted) const {
    std::int64_t sum = 0;
    for (int t = 0; t < classes(); ++t)
        sum += at(t, predicted);
    return sum;
}

ConfusionMatrix confusionMatrix(const std::vector<std::string>& labels, std::span<const int> truth,
                                std::span<const int> predicted) {
    if (truth.size() != predicted.size()) {
        throw std::invalid_argument("confusion matrix: " + std::to_string(truth.size()) +
                                    " true labels but " + std::to_string(predicted.size()) +
                                    " predictions");
    }
    ConfusionMatrix matrix(labels);
    for (std::size_t i = 0; i < truth.size(); ++i)
        matrix.add(truth[i], predicted[i]);
    return matrix;
}

std::vector<ClassScores> perClassScores(const ConfusionMatrix& matrix) {
    std::vector<ClassScores> scores(static_cast<std::size_t>(matrix.classes()));
    for (int c = 0; c < matrix.classes(); ++c) {
        auto& s = scores[static_cast<std::size_t>(c)];
        const auto hits = static_cast<double>(matrix.at(c, c));
        s.support = matrix.support(c);
        s.precision = ratio(hits, static_cast<double>(matrix.predictedAs(c)));
        s.recall = ratio(hits, static_cast<double>(s.support));
        s.f1 = ratio(2.0 * s.precision * s.recall, s.precision + s.recall);
    }
    return scores;
}

double accuracy(const ConfusionMatrix& matrix) {
    std::int64_t hits = 0;
    for (int c = 0; c < matrix.classes(); ++c)
        hits += matrix.at(c, c);
    return ratio(static_cast<double>(hits), static_cast<double>(matrix.total()));
}

double macroF1(const ConfusionMatrix& matrix) {
    const auto scores = perClassScores(matrix);
    double sum = 0.0;
    int counted = 0;
    for (int c = 0; c < matrix.classes(); ++c) {
        if (occurs(matrix, c)) {
            sum += scores[static_cast<std::size_t>(c)].f1;
            ++counted;
        }
    }
    return ratio(sum, counted);
}

std::string classificationReport(const ConfusionMatrix& matrix, int digits) {
    const auto scores = perClassScores(matrix);
    std::size_t width = std::string("weighted avg").size();
    for (const auto& label : matrix.labels())
        width = std::max(width, label.size());
    width = std::max(width, static_cast<std::size_t>(digits));

    std::string report = reportLine("", width, {"precision", "recall", "f1-score", "support"});
    report += '\n';
    ClassScores macro;
    ClassScores weighted;
    int counted = 0;
    const auto total = matrix.total();
    for (int c = 0; c < matrix.classes(); ++c) {
        if (!occurs(matrix, c))
            continue;
        const auto& s = scores[static_cast<std::size_t>(c)];
        report += reportLine(matrix.labels()[static_cast<std::size_t>(c)], width,
                             {fixed(s.precision, digits), fixed(s.recall, digits),
                              fixed(s.f1, digits), std::to_string(s.support)});
        ++counted;
        macro.precision += s.precision;
        macro.recall += s.recall;
        macro.f1 += s.f1;
        const double share = ratio(static_cast<double>(s.support), static_cast<double>(total));
        weighted.precision += share * s.precision;
        weighted.recall += share * s.recall;
        weighted.f1 += share * s.f1;
    }
    report += '\n';
    report += reportLine("accuracy", width,
                         {"", "", fixed(accuracy(matrix), digits), std::to_string(total)});
    const auto averageLine = [&](const std::string& name, const ClassScores& s, double divisor) {
        return reportLine(
            name, width,
            {fixed(ratio(s.precision, divisor), digits), fixed(ratio(s.recall, divisor), digits),
             fixed(ratio(s.f1, divisor), digits), std::to_string(total)});
    };
    report += averageLine("macro avg", macro, counted);
    report += averageLine("weighted avg", weighted, 1.0);
    return report;
}

std::string confusionCsv(const ConfusionMatrix& matrix) {
    std::string csv = "true\\predicted";
    for (const auto& label : matrix.labels())
        csv += ',' + label;
    csv += '\n';
    for (int t = 0; t < matrix.classes(); ++t) {
        csv += matrix.labels()[static_cast<std::size_t>(t)];
        for (int p = 0; p < matrix.classes(); ++p)
            csv += ',' + std::to_string(matrix.at(t, p));
        csv += '\n';
    }
    return csv;
}

void writeConfusionCsv(const ConfusionMatrix& matrix, const std::filesystem::path& path) {
    std::ofstream out(path);
    out << confusionCsv(matrix);
    out.flush();
    if (!out)
        throw OutputError("could not write the confusion matrix to " + path.string());
}

BootstrapInterval bootstrapInterval(const std::vector<std::string>& labels,
                                    std::span<const int> truth, std::span<const int> predicted,
                                    std::span<const std::string> groups, int resamples,
                                    std::uint32_t seed) {
    if (truth.size() != predicted.size() || truth.size() != groups.size())
        throw std::invalid_argument(
            "bootstrap: expected as many predictions and groups as true labels (" +
            std::to_string(truth.size()) + "), found " + std::to_string(predicted.size()) +
            " and " + std::to_string(groups.size()));
    if (resamples < 1)
        throw std::invalid_argument("bootstrap: resamples must be at least 1, found " +
                                    std::to_string(resamples));
    std::vector<std::vector<std::size_t>> clusters;
    std::unordered_map<std::string, std::size_t> cluster_of;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        if (groups[i].empty()) {
            clusters.push_back({i});
            continue;
        }
        const auto [it, added] = cluster_of.emplace(groups[i], clusters.size());
        if (added)
            clusters.emplace_back();
        clusters[it->second].push_back(i);
    }
    BootstrapInterval interval;
    interval.resamples = resamples;
    interval.groups = clusters.size();
    if (clusters.empty())
        return interval;
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> pick(0, clusters.size() - 1);
    std::vector<double> accuracies, macro_f1s;
    for (int r = 0; r < resamples; ++r) {
        ConfusionMatrix matrix(labels);
        for (std::size_t g = 0; g < clusters.size(); ++g)
            for (std::size_t i : clusters[pick(rng)])
                matrix.add(truth[i], predicted[i]);
        accuracies.push_back(accuracy(matrix));
        macro_f1s.push_back(macroF1(matrix));
    }
    const auto percentile = [](std::vector<double>& values, double q) {
        const auto k =
            static_cast<std::size_t>(std::lround(q * static_cast<double>(values.size() - 1)));
        std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k),
                         values.end());
        return values[k];
    };
    interval.accuracy_low = percentile(accuracies, 0.025);
    interval.accuracy_high = percentile(accuracies, 0.975);
    interval.macro_f1_low = percentile(macro_f1s, 0.025);
    interval.macro_f1_high = percentile(macro_f1s, 0.975);
    return interval;
}

MeanStd meanStd(std::span<const double> values) {
    if (values.empty())
        return {};
    const double n = static_cast<double>(values.size());
    const double mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
    double squares = 0.0;
    for (double v : values)
        squares += (v - mean) * (v - mean);
    return {mean, std::sqrt(squares / n)};
}

std::string formatPercentMeanStd(const MeanStd& value) {
    return fixed(100.0 * value.mean, 2) + " \u00b1 " + fixed(100.0 * value.std, 2);
}

}  // namespace emotrace::train
