#include "emotrace/neutral_baseline.h"

#include <algorithm>
#include <cmath>

namespace emotrace {

namespace {

// Below this a probability counts as this: the model's softmax never gives an exact 0, and a
// log of 0 would let one reading decide the mean.
constexpr double kProbabilityFloor = 1e-6;

double safeLog(float probability) {
    return std::log(std::max(static_cast<double>(probability), kProbabilityFloor));
}

}  // namespace

std::optional<NeutralBaseline> fitNeutralBaseline(std::span<const std::vector<float>> readings,
                                                  const std::vector<std::string>& labels,
                                                  const BaselineOptions& options) {
    const auto neutral = std::find(labels.begin(), labels.end(), "neutral");
    if (neutral == labels.end())
        return std::nullopt;
    const auto neutral_index = static_cast<std::size_t>(neutral - labels.begin());
    std::vector<double> mean_logs(labels.size(), 0.0);
    std::size_t frames = 0;
    for (const auto& reading : readings) {
        if (reading.size() != labels.size())
            continue;
        for (std::size_t c = 0; c < labels.size(); ++c)
            mean_logs[c] += safeLog(reading[c]);
        ++frames;
    }
    if (frames < std::max<std::size_t>(options.minimum_frames, 1))
        return std::nullopt;
    NeutralBaseline baseline;
    baseline.frames = frames;
    baseline.log_offsets.assign(labels.size(), 0.0);
    for (std::size_t c = 0; c < labels.size(); ++c)
        mean_logs[c] /= static_cast<double>(frames);
    for (std::size_t c = 0; c < labels.size(); ++c) {
        if (c == neutral_index)
            continue;
        const double excess = mean_logs[c] - mean_logs[neutral_index] + options.margin;
        baseline.log_offsets[c] = -std::max(0.0, excess);
    }
    return baseline;
}

std::vector<float> applyNeutralBaseline(const NeutralBaseline& baseline,
                                        std::span<const float> probabilities) {
    if (probabilities.size() != baseline.log_offsets.size())
        return {probabilities.begin(), probabilities.end()};
    std::vector<double> logs(probabilities.size());
    for (std::size_t c = 0; c < probabilities.size(); ++c)
        logs[c] = safeLog(probabilities[c]) + baseline.log_offsets[c];
    const double top = *std::max_element(logs.begin(), logs.end());
    double sum = 0.0;
    for (auto& value : logs) {
        value = std::exp(value - top);
        sum += value;
    }
    std::vector<float> out(probabilities.size());
    for (std::size_t c = 0; c < probabilities.size(); ++c)
        out[c] = static_cast<float>(logs[c] / sum);
    return out;
}

}  // namespace emotrace
