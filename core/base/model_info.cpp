#include "emotrace/model_info.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "emotrace/error.h"

namespace emotrace {

const std::vector<std::string>& paperLabels() {
    static const std::vector<std::string> labels{"angry", "contempt", "disgust", "fear",
                                                 "happy", "neutral",  "sad",     "surprise"};
    return labels;
}

const std::vector<std::string>& fer2013Labels() {
    static const std::vector<std::string> labels{"angry", "disgust",  "fear",   "happy",
                                                 "sad",   "surprise", "neutral"};
    return labels;
}

std::string toJson(const ModelInfo& info) {
    nlohmann::ordered_json json{
        {"format_version", info.format_version},
        {"architecture", info.architecture},
        {"labels", info.labels},
        {"input",
         {{"width", info.input_width},
          {"height", info.input_height},
          {"channels", info.input_channels}}},
        {"normalization", {{"mean", info.mean}, {"std", info.std}}},
        {"outputs_logits", info.outputs_logits},
        {"flip_average", info.flip_average},
        {"shift_average", info.shift_average},
        {"description", info.description},
    };
    return json.dump(2);
}

namespace {

template <typename T>
T field(const nlohmann::json& object, const std::string& key, const std::string& where) {
    auto it = object.find(key);
    if (it == object.end()) {
        throw ModelError("model metadata: missing field '" + where + key + "'");
    }
    try {
        return it->get<T>();
    } catch (const nlohmann::json::exception&) {
        throw ModelError("model metadata: field '" + where + key + "' has the wrong type (found " +
                         std::string(it->type_name()) + ")");
    }
}

}  // namespace

ModelInfo modelInfoFromJson(const std::string& text) {
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw ModelError(std::string("model metadata is not valid JSON: ") + e.what());
    }
    if (!json.is_object())
        throw ModelError("model metadata: expected a JSON object");
    ModelInfo info;
    info.format_version = field<int>(json, "format_version", "");
    if (info.format_version > 1) {
        throw ModelError("model metadata format " + std::to_string(info.format_version) +
                         " is newer than this emotrace understands (1): update emotrace");
    }
    info.architecture = field<std::string>(json, "architecture", "");
    info.labels = field<std::vector<std::string>>(json, "labels", "");
    const auto input = field<nlohmann::json>(json, "input", "");
    info.input_width = field<int>(input, "width", "input.");
    info.input_height = field<int>(input, "height", "input.");
    info.input_channels = field<int>(input, "channels", "input.");
    if (json.contains("normalization")) {
        const auto norm = json["normalization"];
        info.mean = field<float>(norm, "mean", "normalization.");
        info.std = field<float>(norm, "std", "normalization.");
    }
    if (json.contains("outputs_logits")) {
        info.outputs_logits = field<bool>(json, "outputs_logits", "");
    }
    if (json.contains("flip_average")) {
        info.flip_average = field<bool>(json, "flip_average", "");
    }
    if (json.contains("shift_average")) {
        info.shift_average = field<int>(json, "shift_average", "");
    }
    if (json.contains("description")) {
        info.description = field<std::string>(json, "description", "");
    }
    validate(info);
    return info;
}

void validate(const ModelInfo& info) {
    if (info.labels.size() < 2) {
        throw ModelError("model metadata: expected at least 2 class labels, found " +
                         std::to_string(info.labels.size()));
    }
    std::set<std::string> unique(info.labels.begin(), info.labels.end());
    if (unique.size() != info.labels.size()) {
        throw ModelError("model metadata: class labels must be unique");
    }
    if (info.input_width <= 0 || info.input_height <= 0) {
        throw ModelError("model metadata: input size must be positive, found " +
                         std::to_string(info.input_width) + "x" +
                         std::to_string(info.input_height));
    }
    if (info.shift_average < 0 ||
        2 * info.shift_average >= std::min(info.input_width, info.input_height)) {
        throw ModelError(
            "model metadata: shift_average must be 0 up to less than half the input "
            "size (" +
            std::to_string(info.input_width) + "x" + std::to_string(info.input_height) +
            "), found " + std::to_string(info.shift_average));
    }
    if (info.input_channels != 1 && info.input_channels != 3) {
        throw ModelError("model metadata: expected 1 (grey) or 3 input channels, found " +
                         std::to_string(info.input_channels));
    }
    if (!(info.std > 0.0f))
        throw ModelError("model metadata: normalization std must be > 0");
}

}  // namespace emotrace
