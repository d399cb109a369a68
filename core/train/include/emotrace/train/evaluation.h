// Evaluating a trained model on a labelled dataset: predictions, loss and the confusion matrix
// from which metrics.h derives accuracy, macro-F1 and the per-class report. Used for the
// validation after each epoch and by emotrace-evaluate / emotrace-experiment on the test split.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "emotrace/dataset.h"
#include "emotrace/model_info.h"
#include "emotrace/train/metrics.h"

namespace emotrace::train {

struct EvaluationOptions {
    int batch_size = 128;
    // Average the softmax of each image and its mirror image (test-time augmentation).
    bool flip_average = false;
    // Also average over copies moved by this many pixels (ModelInfo::shift_average).
    int shift_average = 0;
    int threads = 2;  // at::set_num_threads for the run
    // Score only the classes that have items in the dataset: the 7-class FER-2013 benchmark of
    // an 8-class model (FER-2013 has no contempt), predictions restricted to those classes.
    bool present_classes_only = false;
    // Set: the items whose faces leaned beyond the levelling band (LabeledImage::
    // tilted_beyond_band, through the app's detection) are read by this model instead, as the
    // app reads them with a companion for tilted faces (tiltedModelPath).
    std::filesystem::path tilted_model{};
};

struct Evaluation {
    ConfusionMatrix matrix{{}};  // in the model's label order (see evaluateModelFile)
    double loss = 0.0;           // mean cross-entropy of the true labels
    std::vector<int> truth;      // per item, model label index
    std::vector<int> predicted;  // per item, model label index
    // Per item, the log-probabilities in the matrix's label order (averaged over the views asked
    // for).
    std::vector<std::vector<float>> scores;
};

// Loads an emotrace model file and evaluates it on `data`. Dataset labels map to the model's by
// name; throws ModelError naming a dataset class the model does not know. When fewer classes are
// scored than the model has (a dataset with fewer labels, or present_classes_only), predictions
// are restricted to the scored classes and the matrix, truth and predictions use their order.
Evaluation evaluateModelFile(const std::filesystem::path& model_file, const Dataset& data,
                             const EvaluationOptions& options = {});

// One row per image of `data` (in the order evaluated): origin, group (the CK+ subject),
// truth, prediction and the probability of each scored class, averaged over the views asked for.
// "origin,group,truth,predicted,p_angry,...". Throws std::invalid_argument when the evaluation
// is not of `data`.
std::string predictionsCsv(const Evaluation& evaluation, const Dataset& data);
// Writes predictionsCsv to `path`; throws OutputError naming the path.
void writePredictionsCsv(const Evaluation& evaluation, const Dataset& data,
                         const std::filesystem::path& path);

// For each dataset label, its index among the model's labels; throws ModelError for a missing one.
std::vector<int> mapLabelsToModel(const std::vector<std::string>& dataset_labels,
                                  const std::vector<std::string>& model_labels);

}  // namespace emotrace::train
