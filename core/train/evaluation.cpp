#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <stdexcept>

#include "emotrace/error.h"
#include "emotrace/nets.h"
#include "emotrace/test_time_views.h"
#include "emotrace/train/batch_loader.h"
#include "module_evaluation.h"

namespace emotrace::train {

std::vector<int> mapLabelsToModel(const std::vector<std::string>& dataset_labels,
                                  const std::vector<std::string>& model_labels) {
    std::vector<int> map;
    for (const auto& label : dataset_labels) {
        const auto found = std::find(model_labels.begin(), model_labels.end(), label);
        if (found == model_labels.end()) {
            std::string known;
            for (const auto& name : model_labels)
                known += (known.empty() ? "" : ", ") + name;
            throw ModelError("the dataset has class '" + label +
                             "', which the model does not know (its classes: " + known + ")");
        }
        map.push_back(static_cast<int>(found - model_labels.begin()));
    }
    return map;
}

Evaluation evaluateModule(torch::jit::Module& module, const Dataset& data, const ModelInfo& info,
                          const EvaluationOptions& options) {
    const auto label_map = mapLabelsToModel(data.labels, info.labels);
    // The dataset classes that are scored: all, or with present_classes_only those that have
    // items (FER-2013 in the 8-class label space has no contempt).
    std::vector<int> scored;  // dataset label indices
    std::vector<int> position(data.labels.size(), -1);
    {
        std::vector<bool> present(data.labels.size(), !options.present_classes_only);
        for (const auto& item : data.items)
            present[static_cast<std::size_t>(item.label)] = true;
        for (std::size_t l = 0; l < data.labels.size(); ++l) {
            if (present[l]) {
                position[l] = static_cast<int>(scored.size());
                scored.push_back(static_cast<int>(l));
            }
        }
    }
    // A model with more classes than are scored (the 8-class model on FER-2013's 7) is scored
    // the way a benchmark of those classes expects: its prediction is the most likely of the
    // scored classes, and the report is in their labels.
    const bool restrict_to_dataset = scored.size() < info.labels.size();
    std::vector<std::int64_t> kept;
    std::vector<std::string> kept_names;
    for (int l : scored) {
        kept.push_back(label_map[static_cast<std::size_t>(l)]);
        kept_names.push_back(data.labels[static_cast<std::size_t>(l)]);
    }
    const auto kept_columns = torch::tensor(kept, torch::kLong);
    Evaluation result;
    result.matrix = ConfusionMatrix(restrict_to_dataset ? kept_names : info.labels);
    if (data.items.empty())
        return result;

    const bool was_training = module.is_training();
    module.eval();
    torch::NoGradGuard no_grad;
    BatchLoaderOptions loader_options;
    loader_options.batch_size = options.batch_size;
    loader_options.mean = info.mean;
    loader_options.std = info.std;
    std::vector<std::size_t> order(data.items.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    BatchLoader loader(data, std::move(order), loader_options);
    const auto height = data.items.front().image.rows;
    const auto width = data.items.front().image.cols;
    const nets::TestTimeViews views{options.flip_average, options.shift_average};
    const int view_count = nets::viewCount(views);
    double loss_sum = 0.0;
    while (auto batch = loader.next()) {
        auto input = torch::from_blob(batch->pixels.data(), {batch->size, 1, height, width});
        if (info.input_channels > 1)
            input = input.expand({batch->size, info.input_channels, height, width});
        auto logits = module.forward({nets::expandViews(input, views)}).toTensor();
        if (restrict_to_dataset)
            logits = logits.index_select(1, kept_columns);
        // One view: log_softmax directly, which stays finite where a probability underflows.
        // Several: the mean of their softmax distributions, back in log space for the loss.
        const auto log_probs =
            view_count == 1 ? torch::log_softmax(logits, 1)
                            : nets::averageViews(torch::softmax(logits, 1), view_count).log();
        std::vector<std::int64_t> targets(static_cast<std::size_t>(batch->size));
        for (std::size_t i = 0; i < targets.size(); ++i)
            targets[i] = restrict_to_dataset
                             ? position[static_cast<std::size_t>(batch->labels[i])]
                             : label_map[static_cast<std::size_t>(batch->labels[i])];
        auto target = torch::from_blob(targets.data(), {batch->size}, torch::kLong);
        loss_sum += torch::nll_loss(log_probs, target, {}, at::Reduction::Sum).item<double>();
        const auto scores = log_probs.contiguous();
        const auto* score = scores.data_ptr<float>();
        const auto columns = static_cast<std::size_t>(scores.size(1));
        for (std::int64_t i = 0; i < batch->size; ++i) {
            const auto* row = score + static_cast<std::size_t>(i) * columns;
            result.scores.emplace_back(row, row + columns);
        }
        const auto predicted = log_probs.argmax(1).contiguous();
        const auto* p = predicted.data_ptr<std::int64_t>();
        for (std::size_t i = 0; i < targets.size(); ++i) {
            result.truth.push_back(static_cast<int>(targets[i]));
            result.predicted.push_back(static_cast<int>(p[i]));
            result.matrix.add(result.truth.back(), result.predicted.back());
        }
        loader.recycle(std::move(batch));
    }
    result.loss = loss_sum / static_cast<double>(data.items.size());
    module.train(was_training);
    return result;
}

namespace {

Evaluation evaluateOneModelFile(const std::filesystem::path& model_file, const Dataset& data,
                                const EvaluationOptions& options) {
    auto loaded = nets::loadModelFile(model_file);
    nets::checkOutputsMatchLabels(loaded, model_file);
    if (!loaded.info.outputs_logits) {
        throw ModelError("model " + model_file.string() +
                         " outputs probabilities; evaluation expects a model that outputs logits "
                         "(outputs_logits true in its metadata)");
    }
    if (!data.items.empty() && (data.items.front().image.cols != loaded.info.input_width ||
                                data.items.front().image.rows != loaded.info.input_height)) {
        throw ModelError("model " + model_file.string() + " expects " +
                         std::to_string(loaded.info.input_width) + "x" +
                         std::to_string(loaded.info.input_height) + " images, the dataset has " +
                         std::to_string(data.items.front().image.cols) + "x" +
                         std::to_string(data.items.front().image.rows));
    }
    // The views asked for must fit the model's input, with the metadata's message if not.
    auto asked = loaded.info;
    asked.flip_average = options.flip_average;
    asked.shift_average = options.shift_average;
    validate(asked);
    return evaluateModule(loaded.module, data, loaded.info, options);
}

}  // namespace

Evaluation evaluateModelFile(const std::filesystem::path& model_file, const Dataset& data,
                             const EvaluationOptions& options) {
    at::set_num_threads(std::max(options.threads, 1));
    auto upright = evaluateOneModelFile(model_file, data, options);
    if (options.tilted_model.empty())
        return upright;
    // Both models read every face, so that both score the same classes in the same order
    // (present_classes_only looks at the whole split); each face then keeps the reading of the
    // model the app would give it. Twice the work, for an evaluation only.
    auto tilted = evaluateOneModelFile(options.tilted_model, data, options);
    if (tilted.matrix.labels() != upright.matrix.labels())
        throw ModelError("the companion for tilted faces " + options.tilted_model.string() +
                         " scores other classes than " + model_file.string() +
                         ": expected the same classes in the same order");
    Evaluation result;
    result.matrix = ConfusionMatrix(upright.matrix.labels());
    double loss_sum = 0.0;
    for (std::size_t i = 0; i < data.items.size(); ++i) {
        const Evaluation& from = data.items[i].tilted_beyond_band ? tilted : upright;
        result.truth.push_back(from.truth[i]);
        result.predicted.push_back(from.predicted[i]);
        result.scores.push_back(from.scores[i]);
        result.matrix.add(from.truth[i], from.predicted[i]);
        loss_sum -= from.scores[i][static_cast<std::size_t>(from.truth[i])];
    }
    result.loss = data.items.empty() ? 0.0 : loss_sum / static_cast<double>(data.items.size());
    return result;
}

}  // namespace emotrace::train

namespace emotrace::train {

namespace {

// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
std::string csvField(const std::string& text) {
    if (text.find_first_of(",\"\n\r") == std::string::npos)
        return text;
    std::string quoted = "\"";
    for (char c : text) {
        if (c == '"')
            quoted += '"';
        quoted += c;
    }
    return quoted + '"';
}

}  // namespace

std::string predictionsCsv(const Evaluation& evaluation, const Dataset& data) {
    const auto& labels = evaluation.matrix.labels();
    const std::size_t n = evaluation.truth.size();
    if (n != data.items.size() || evaluation.predicted.size() != n || evaluation.scores.size() != n)
        throw std::invalid_argument("predictions: the evaluation has " + std::to_string(n) +
                                    " items, the dataset " + std::to_string(data.items.size()));
    // Through the app's detection (recrop.h) two more columns say how the app saw each face.
    const bool through_pipeline =
        std::any_of(data.items.begin(), data.items.end(),
                    [](const LabeledImage& item) { return item.reading_quality.has_value(); });
    std::string csv = "origin,group,truth,predicted";
    for (const auto& label : labels)
        csv += ",p_" + csvField(label);
    if (through_pipeline)
        csv += ",reading_quality,eye_tilt_degrees";
    csv += '\n';
    char number[32];
    for (std::size_t i = 0; i < n; ++i) {
        csv += csvField(data.items[i].origin) + ',' + csvField(data.items[i].group) + ',' +
               csvField(labels.at(static_cast<std::size_t>(evaluation.truth[i]))) + ',' +
               csvField(labels.at(static_cast<std::size_t>(evaluation.predicted[i])));
        for (float log_probability : evaluation.scores[i]) {
            std::snprintf(number, sizeof number, ",%.5f", std::exp(log_probability));
            csv += number;
        }
        if (through_pipeline) {
            const auto& item = data.items[i];
            csv += ',';
            if (item.reading_quality) {
                std::snprintf(number, sizeof number, "%.3f", *item.reading_quality);
                csv += number;
            }
            csv += ',';
            if (item.eye_tilt_degrees) {
                std::snprintf(number, sizeof number, "%.2f", *item.eye_tilt_degrees);
                csv += number;
            }
        }
        csv += '\n';
    }
    return csv;
}

void writePredictionsCsv(const Evaluation& evaluation, const Dataset& data,
                         const std::filesystem::path& path) {
    const auto csv = predictionsCsv(evaluation, data);
    std::ofstream out(path, std::ios::binary);
    out << csv;
    if (!out.flush())
        throw OutputError("could not write " + path.string());
}

}  // namespace emotrace::train
