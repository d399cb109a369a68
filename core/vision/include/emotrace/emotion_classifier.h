// Emotion classification behind one interface. Implementations take a batch of preprocessed
// faces (CV_32FC1 in [0,1], the model's input size) and return one probability vector each.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <opencv2/core.hpp>

#include "emotrace/model_info.h"

namespace emotrace {

class EmotionClassifier {
  public:
    virtual ~EmotionClassifier() = default;
    virtual const ModelInfo& info() const = 0;
    // All faces of a frame in one batch. Returns probabilities in the model's label order.
    virtual std::vector<std::vector<float>> classify(std::span<const cv::Mat> faces) = 0;
};

// Numerically stable softmax of one row of logits.
std::vector<float> softmax(std::span<const float> logits);
// Index of the largest probability; -1 for an empty vector.
int topClass(std::span<const float> probabilities);

struct ClassifierOptions {
    // Freeze and optimise the TorchScript graph for inference (conv+batch-norm folding, oneDNN
    // layouts): about 3x faster at batch 1 on this CPU. Off only to compare against the plain path.
    bool optimize = true;
    // Average each face with its mirror image; unset: as the model's metadata says (flip_average).
    std::optional<bool> flip_average;
    // Also average over copies moved by this many pixels; unset: as the metadata says
    // (shift_average). 0 turns it off.
    std::optional<int> shift_average;
};

// Loads an emotrace model file (TorchScript archive with emotrace.json) or a TorchScript file
// exported from PyTorch with the metadata in FILE.json beside it. Runs one dummy batch to check
// that the output matches the labels. Throws ModelError saying what was expected and found.
std::unique_ptr<EmotionClassifier> loadEmotionClassifier(const std::filesystem::path& path,
                                                         const ClassifierOptions& options = {});

// The model emotrace runs when none is named: models/emotrace-resnet18.pt (see its card,
// models/emotrace-resnet18.md), looked up in $EMOTRACE_MODELS, else the source tree's models/.
// The file may be absent (a checkout without it); callers say so and run without emotions.
inline constexpr const char* kDefaultEmotionModelFile = "emotrace-resnet18.pt";
std::filesystem::path defaultEmotionModelPath();

// Threads LibTorch may use for one forward pass (process-wide; LibTorch starts at 1 here).
// Budget it with the capture thread and OpenCV's pool: on 2 cores, 2 is fastest for inference.
void setInferenceThreads(int threads);

}  // namespace emotrace
