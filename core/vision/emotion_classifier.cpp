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

std::vector<std::vector<float>> classifyFaces(EmotionClassifier& classifier,
                                              std::span<const FaceCrop> faces) {
    std::vector<std::vector<float>> result(faces.size());
    const bool apart = classifier.readsTiltedFacesApart();
    // Two batches at most: the faces each model reads, in order, then back into place.
    for (const bool tilted : {false, true}) {
        std::vector<cv::Mat> batch;
        std::vector<std::size_t> places;
        for (std::size_t i = 0; i < faces.size(); ++i) {
            if ((apart && faces[i].tilted) == tilted) {
                batch.push_back(faces[i].pixels);
                places.push_back(i);
            }
        }
        if (batch.empty())
            continue;
        auto read = tilted ? classifier.classifyTilted(batch) : classifier.classify(batch);
        for (std::size_t j = 0; j < places.size() && j < read.size(); ++j)
            result[places[j]] = std::move(read[j]);
    }
    return result;
}

std::filesystem::path tiltedModelPath(const std::filesystem::path& model) {
    return model.parent_path() / (model.stem().string() + ".tilted" + model.extension().string());
}

std::filesystem::path defaultEmotionModelPath() {
    if (const char* models = std::getenv("EMOTRACE_MODELS"); models && *models)
        return std::filesystem::path(models) / kDefaultEmotionModelFile;
    // models/ sits beside resources/ in the source tree, where builds run in place.
    return std::filesystem::path(EMOTRACE_SOURCE_RESOURCES).parent_path() / "models" /
           kDefaultEmotionModelFile;
}

}  // namespace emotrace
