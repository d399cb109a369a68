// The metadata an emotion model file carries with it, so the app can load any model the
// training tool produces, or a TorchScript file exported from PyTorch with the same metadata.
// Stored as JSON in the model archive's extra file "emotrace.json" (or beside it as FILE.json).
#pragma once

#include <string>
#include <vector>

namespace emotrace {

struct ModelInfo {
    int format_version = 1;
    std::string architecture;         // "resnet18", "mycnn_v1", ... or "torchscript"
    std::vector<std::string> labels;  // class names in output order
    int input_width = 48;
    int input_height = 48;
    int input_channels = 1;  // grey
    // After scaling to [0,1]: x = (x - mean) / std. mean 0, std 1 is the paper's plain [0,1].
    float mean = 0.0f;
    float std = 1.0f;
    // True when the model outputs logits (softmax is applied by the classifier), false when it
    // outputs probabilities already.
    bool outputs_logits = true;
    // True when the classifier should average each face's probabilities with those of its mirror
    // image. Sound for a model trained with flip augmentation (both are faces it has learned);
    // the trainer sets it then. It costs a second pass (one batch of two per face).
    bool flip_average = false;
    // Pixels; > 0: the classifier also averages over copies of the face moved left, right, up
    // and down by this much (with their mirror images when flip_average), 5x the views. Sound
    // for a model trained with translation augmentation; it costs 5x the classifier's work, which
    // is why the shipped model leaves it at 0 (models/emotrace-resnet18.md).
    int shift_average = 0;
    std::string description;  // free text: training data, command, metrics
};

// The paper's 8 classes in the order used across emotrace.
const std::vector<std::string>& paperLabels();
// FER-2013's 7 classes in its own label order (0..6).
const std::vector<std::string>& fer2013Labels();

std::string toJson(const ModelInfo& info);
// Throws ModelError naming the field that is missing or of the wrong type.
ModelInfo modelInfoFromJson(const std::string& json);
// Checks the invariants (labels non-empty and unique, positive sizes, std > 0); throws ModelError.
void validate(const ModelInfo& info);

}  // namespace emotrace
