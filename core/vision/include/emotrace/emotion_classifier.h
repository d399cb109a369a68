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

    // A model file may come with a companion fine-tuned on fully levelled crops, for faces
    // whose eye line leans beyond the levelling band (tiltedModelPath). With one, such faces
    // are cropped fully level (CropOptions::level_tilted_fully) and read by classifyTilted;
    // faces within the band are read by classify exactly as without it. classifyFaces does
    // the sorting.
    virtual bool readsTiltedFacesApart() const { return false; }
    // Faces tilted beyond the band, cropped fully level; the same label order as classify.
    virtual std::vector<std::vector<float>> classifyTilted(std::span<const cv::Mat> faces) {
        return classify(faces);
    }
};

// A face ready for the classifier: its crop, and whether its eye line leaned beyond the
// levelling band (beyondLevellingBand), which decides the model that reads it.
struct FaceCrop {
    cv::Mat pixels;
    bool tilted = false;
};

// Reads every face, the tilted ones by the classifier's tilted-face model when it has one, in
// one batch per model. Returns probabilities in the faces' order.
std::vector<std::vector<float>> classifyFaces(EmotionClassifier& classifier,
                                              std::span<const FaceCrop> faces);

// Numerically stable softmax of one row of logits.
std::vector<float> softmax(std::span<const float> logits);
// Index of the largest probability; -1 for an empty vector.
int topClass(std::span<const float> probabilities);

struct ClassifierOptions {
    // Freeze and optimise the TorchScript graph for inference (conv+batch-norm folding, oneDNN
    // layouts): about 3x faster at batch 1 on this CPU. Off only to compare against the plain path.
    bool optimize = true;
    // Average each face with its mirror image; unset: as the model's metadata says (flip_average).
    std::optional<bool> flip_average{};
    // Also average over copies moved by this many pixels; unset: as the metadata says
    // (shift_average). 0 turns it off.
    std::optional<int> shift_average{};
    // Load the companion for tilted faces (tiltedModelPath) when it exists. Off: the one model
    // reads every face, tilted ones levelled to the band's edge.
    bool tilted_companion = true;
};

// Where a model's companion for tilted faces lies: FILE.tilted.pt beside FILE.pt
// (models/emotrace-resnet18.tilted.pt for the shipped model). It has the same labels and input.
std::filesystem::path tiltedModelPath(const std::filesystem::path& model);

// Loads an emotrace model file (TorchScript archive with emotrace.json) or a TorchScript file
// exported from PyTorch with the metadata in FILE.json beside it. Runs one dummy batch to check
// that the output matches the labels. Throws ModelError saying what was expected and found.
// With options.tilted_companion, also loads tiltedModelPath(path) when that file exists; a
// companion whose labels or input differ from the model's is a ModelError.
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
