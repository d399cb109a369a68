// Class offsets for the final layer, fitted on the validation split for macro-F1. A network
// trained on FER-2013's skew (disgust is 1.5 % of it, contempt exists only in CK+) predicts the
// rare classes too seldom; adding a constant per class to the logits moves the decision
// boundaries without retraining. The offsets are chosen on validation data only and written into
// the model file's last bias, so the dashboard and every tool run the calibrated model as is.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace emotrace::train {

struct ClassBiasFit {
    std::vector<double> offsets;  // per class, added to the logits
    double macro_f1_before = 0.0;
    double macro_f1_after = 0.0;  // never below macro_f1_before: zero offsets are a candidate
};

// Coordinate ascent over per-class offsets in [-range, range] (steps of `step`), maximising the
// macro-F1 of argmax(scores + offsets) against truth. scores[i] holds one log-probability (or
// logit) per class. Deterministic. Throws std::invalid_argument for mismatched sizes.
ClassBiasFit fitClassBias(const std::vector<std::vector<float>>& scores,
                          const std::vector<int>& truth, int classes, double range = 3.0,
                          double step = 0.05, int rounds = 4);

// macro-F1 of argmax(scores + offsets) against truth, over the classes 0..classes-1.
double macroF1WithOffsets(const std::vector<std::vector<float>>& scores,
                          const std::vector<int>& truth, const std::vector<double>& offsets);

// Copies a model file to `out` with `offsets` added to its last one-dimensional parameter of one
// value per class (the classifier's bias) and `note` appended to its description. Throws
// ModelError when the model has no such parameter, OutputError when `out` cannot be written.
void writeModelWithClassOffsets(const std::filesystem::path& model,
                                const std::vector<double>& offsets, const std::string& note,
                                const std::filesystem::path& out);

}  // namespace emotrace::train
