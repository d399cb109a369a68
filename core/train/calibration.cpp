#include "emotrace/train/calibration.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "emotrace/error.h"
#include "emotrace/nets.h"

namespace emotrace::train {

namespace {

int argmaxWithOffsets(const std::vector<float>& row, const std::vector<double>& offsets) {
    int best = 0;
    double best_value = -INFINITY;
    for (std::size_t c = 0; c < row.size(); ++c) {
        const double value = static_cast<double>(row[c]) + offsets[c];
        if (value > best_value) {
            best_value = value;
            best = static_cast<int>(c);
        }
    }
    return best;
}

}  // namespace

double macroF1WithOffsets(const std::vector<std::vector<float>>& scores,
                          const std::vector<int>& truth, const std::vector<double>& offsets) {
    const std::size_t classes = offsets.size();
    std::vector<double> true_positive(classes), predicted(classes), actual(classes);
    for (std::size_t i = 0; i < scores.size(); ++i) {
        const auto p = static_cast<std::size_t>(argmaxWithOffsets(scores[i], offsets));
        const auto t = static_cast<std::size_t>(truth[i]);
        predicted[p] += 1.0;
        actual[t] += 1.0;
        if (p == t)
            true_positive[p] += 1.0;
    }
    // As metrics.h's macroF1: the mean over classes that occur in truth or in predictions.
    double sum = 0.0;
    int counted = 0;
    for (std::size_t c = 0; c < classes; ++c) {
        if (actual[c] == 0.0 && predicted[c] == 0.0)
            continue;
        sum += 2.0 * true_positive[c] / (actual[c] + predicted[c]);
        ++counted;
    }
    return counted > 0 ? sum / counted : 0.0;
}

ClassBiasFit fitClassBias(const std::vector<std::vector<float>>& scores,
                          const std::vector<int>& truth, int classes, double range, double step,
                          int rounds) {
    if (scores.size() != truth.size())
        throw std::invalid_argument("class bias: " + std::to_string(scores.size()) +
                                    " score rows but " + std::to_string(truth.size()) + " labels");
    if (classes < 1 || step <= 0.0 || range < 0.0)
        throw std::invalid_argument("class bias: classes, step and range must be positive");
    for (std::size_t i = 0; i < scores.size(); ++i) {
        if (scores[i].size() != static_cast<std::size_t>(classes) || truth[i] < 0 ||
            truth[i] >= classes)
            throw std::invalid_argument("class bias: row " + std::to_string(i) + " has " +
                                        std::to_string(scores[i].size()) + " scores and label " +
                                        std::to_string(truth[i]) + " for " +
                                        std::to_string(classes) + " classes");
    }
    ClassBiasFit fit;
    fit.offsets.assign(static_cast<std::size_t>(classes), 0.0);
    fit.macro_f1_before = macroF1WithOffsets(scores, truth, fit.offsets);
    double best = fit.macro_f1_before;
    const int steps = static_cast<int>(std::lround(range / step));
    for (int round = 0; round < rounds; ++round) {
        bool improved = false;
        for (std::size_t c = 0; c < fit.offsets.size(); ++c) {
            double chosen = fit.offsets[c];
            for (int k = -steps; k <= steps; ++k) {
                fit.offsets[c] = k * step;
                const double value = macroF1WithOffsets(scores, truth, fit.offsets);
                // Strictly better only, so ties keep the smaller change.
                if (value > best + 1e-12) {
                    best = value;
                    chosen = fit.offsets[c];
                    improved = true;
                }
            }
            fit.offsets[c] = chosen;
        }
        if (!improved)
            break;
    }
    fit.macro_f1_after = best;
    return fit;
}

void writeModelWithClassOffsets(const std::filesystem::path& model,
                                const std::vector<double>& offsets, const std::string& note,
                                const std::filesystem::path& out) {
    auto loaded = nets::loadModelFile(model);
    torch::Tensor bias;
    std::string bias_name;
    for (const auto& parameter : loaded.module.named_parameters(/*recurse=*/true)) {
        if (parameter.value.dim() == 1 &&
            parameter.value.size(0) == static_cast<std::int64_t>(offsets.size())) {
            bias = parameter.value;  // the last such parameter is the classifier's bias
            bias_name = parameter.name;
        }
    }
    if (!bias.defined()) {
        throw ModelError("model " + model.string() + " has no bias of " +
                         std::to_string(offsets.size()) +
                         " values (one per class) to add class offsets to");
    }
    {
        torch::NoGradGuard no_grad;
        bias.add_(torch::tensor(std::vector<float>(offsets.begin(), offsets.end())));
    }
    auto info = loaded.info;
    info.description += (info.description.empty() ? "" : "; ") + note;
    nets::saveModelFile(loaded.module, info, out);
}

}  // namespace emotrace::train
