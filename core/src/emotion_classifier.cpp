#include "emotrace/emotion_classifier.h"

#include <algorithm>
#include <cmath>

namespace emotrace {

std::vector<float> softmax(std::span<const float> logits) {
    std::vector<float> out(logits.size());
    if (logits.empty())
        return out;
    // Subtracting the maximum keeps exp() from overflowing on large logits.
    const float max = *std::max_element(logits.begin(), logits.end());
    double sum = 0.0;
    for (std::size_t i = 0; i < logits.size(); ++i) {
        out[i] = std::exp(logits[i] - max);
        sum += out[i];
    }
    for (auto& p : out)
        p = static_cast<float>(p / sum);
    return out;
}

int topClass(std::span<const float> probabilities) {
    if (probabilities.empty())
        return -1;
    return static_cast<int>(std::max_element(probabilities.begin(), probabilities.end()) -
                            probabilities.begin());
}

}  // namespace emotrace
