#include "emotrace/label_map.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "emotrace/load_report.h"

namespace emotrace {

namespace {

struct Synonym {
    std::string_view name;
    std::string_view paper_label;
};

// Every name a supported dataset uses for a class. Lower case; lookups lower-case the input.
constexpr std::array<Synonym, 14> kSynonyms{{
    {"angry", "angry"},
    {"anger", "angry"},
    {"contempt", "contempt"},
    {"disgust", "disgust"},
    {"disgusted", "disgust"},
    {"fear", "fear"},
    {"fearful", "fear"},
    {"happy", "happy"},
    {"happiness", "happy"},
    {"neutral", "neutral"},
    {"sad", "sad"},
    {"sadness", "sad"},
    {"surprise", "surprise"},
    {"surprised", "surprise"},
}};

std::string lowercase(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower;
}

const Synonym* findSynonym(std::string_view name) {
    const std::string key = lowercase(name);
    for (const auto& synonym : kSynonyms) {
        if (synonym.name == key)
            return &synonym;
    }
    return nullptr;
}

std::string knownNames() {
    std::string text;
    for (const auto& label : paperLabels()) {
        text += text.empty() ? "" : ", ";
        text += label;
        std::string others;
        for (const auto& synonym : kSynonyms) {
            if (synonym.paper_label == label && synonym.name != label)
                others += (others.empty() ? "" : "/") + std::string(synonym.name);
        }
        if (!others.empty())
            text += " (" + others + ")";
    }
    return text;
}

// Canonical name for known labels, the lower-cased name otherwise: lets datasets with classes
// outside the paper's table be relabelled onto each other by name.
std::string matchKey(std::string_view name) {
    const Synonym* synonym = findSynonym(name);
    return synonym ? std::string(synonym->paper_label) : lowercase(name);
}

}  // namespace

bool isKnownLabel(std::string_view name) {
    return findSynonym(name) != nullptr;
}

std::string canonicalLabel(std::string_view name) {
    const Synonym* synonym = findSynonym(name);
    if (!synonym) {
        throw DatasetError("unknown class name '" + std::string(name) +
                           "'; known names: " + knownNames());
    }
    return std::string(synonym->paper_label);
}

int paperLabelIndex(std::string_view name) {
    const std::string label = canonicalLabel(name);
    const auto& labels = paperLabels();
    return static_cast<int>(std::find(labels.begin(), labels.end(), label) - labels.begin());
}

int fer2013ToPaperIndex(int fer2013_label) {
    const auto& labels = fer2013Labels();
    if (fer2013_label < 0 || fer2013_label >= static_cast<int>(labels.size())) {
        throw DatasetError("FER-2013 label must be 0..6, got " + std::to_string(fer2013_label));
    }
    return paperLabelIndex(labels[static_cast<std::size_t>(fer2013_label)]);
}

const std::vector<std::string>& ferPlusEmotionColumns() {
    static const std::vector<std::string> columns{"neutral", "happiness", "surprise", "sadness",
                                                  "anger",   "disgust",   "fear",     "contempt"};
    return columns;
}

std::vector<int> labelIndexMap(const std::vector<std::string>& from,
                               const std::vector<std::string>& to) {
    std::vector<std::string> to_keys;
    for (const auto& label : to)
        to_keys.push_back(matchKey(label));
    std::vector<int> map;
    for (const auto& label : from) {
        const auto found = std::find(to_keys.begin(), to_keys.end(), matchKey(label));
        if (found == to_keys.end()) {
            std::string names;
            for (const auto& name : to)
                names += (names.empty() ? "" : ", ") + name;
            throw DatasetError("class '" + label + "' has no counterpart among the labels " +
                               names);
        }
        map.push_back(static_cast<int>(found - to_keys.begin()));
    }
    return map;
}

Dataset toLabelSpace(Dataset dataset, const std::vector<std::string>& labels) {
    const std::vector<int> map = labelIndexMap(dataset.labels, labels);
    for (auto& item : dataset.items) {
        if (item.label < 0 || item.label >= static_cast<int>(map.size())) {
            throw DatasetError(item.origin + ": label index " + std::to_string(item.label) +
                               " is outside the dataset's " + std::to_string(map.size()) +
                               " labels");
        }
        item.label = map[static_cast<std::size_t>(item.label)];
        if (!item.soft_label.empty()) {
            std::vector<float> soft(labels.size(), 0.0f);
            for (std::size_t i = 0; i < item.soft_label.size() && i < map.size(); ++i)
                soft[static_cast<std::size_t>(map[i])] += item.soft_label[i];
            item.soft_label = std::move(soft);
        }
    }
    dataset.labels = labels;
    return dataset;
}

Dataset mergeDatasets(std::vector<Dataset> parts, const std::vector<std::string>& labels) {
    Dataset merged;
    merged.labels = labels;
    for (auto& part : parts) {
        Dataset relabelled = toLabelSpace(std::move(part), labels);
        merged.items.insert(merged.items.end(), std::make_move_iterator(relabelled.items.begin()),
                            std::make_move_iterator(relabelled.items.end()));
    }
    return merged;
}

}  // namespace emotrace
