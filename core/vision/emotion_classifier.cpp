#include "emotrace/emotion_classifier.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

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

std::filesystem::path defaultEmotionModelPath() {
    if (const char* models = std::getenv("EMOTRACE_MODELS"); models && *models)
        return std::filesystem::path(models) / kDefaultEmotionModelFile;
    // models/ sits beside resources/ in the source tree, where builds run in place.
    return std::filesystem::path(EMOTRACE_SOURCE_RESOURCES).parent_path() / "models" /
           kDefaultEmotionModelFile;
}

}  // namespace emotrace
