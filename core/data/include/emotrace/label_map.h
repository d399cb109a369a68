// The merged label space: every dataset's own class names and indices mapped explicitly onto the
// paper's 8 classes (paperLabels(): angry, contempt, disgust, fear, happy, neutral, sad,
// surprise), so FER-2013, FER+ and CK+ can be trained and evaluated together. The table is in
// docs/datasets.md.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "emotrace/dataset.h"
#include "emotrace/model_info.h"

namespace emotrace {

// The paper class a dataset's class name stands for, case-insensitively: "anger" -> "angry",
// "happiness" -> "happy", "sadness" -> "sad", "surprised" -> "surprise"; the paper's own names
// map to themselves. Throws DatasetError naming the name and the known ones.
std::string canonicalLabel(std::string_view name);
bool isKnownLabel(std::string_view name);
// Index of canonicalLabel(name) in paperLabels().
int paperLabelIndex(std::string_view name);

// FER-2013's label 0..6 (angry, disgust, fear, happy, sad, surprise, neutral) as an index into
// paperLabels(). Throws DatasetError for other values.
int fer2013ToPaperIndex(int fer2013_label);

// FER+'s eight emotion vote columns in file order (neutral, happiness, surprise, sadness, anger,
// disgust, fear, contempt); the file's unknown and NF columns follow them.
const std::vector<std::string>& ferPlusEmotionColumns();

// For each label of `from`, its index in `to`, matching by canonical name (exact name for labels
// outside the known table). Throws DatasetError naming a label of `from` with no counterpart.
std::vector<int> labelIndexMap(const std::vector<std::string>& from,
                               const std::vector<std::string>& to);

// The same items relabelled into `labels` (labels and soft labels); throws as labelIndexMap.
Dataset toLabelSpace(Dataset dataset, const std::vector<std::string>& labels);

// One dataset of the parts' items in order, each part relabelled into `labels`. The paper's
// combined set is mergeDatasets({fer2013, ckplus}); splits.h has the split that goes with it.
Dataset mergeDatasets(std::vector<Dataset> parts,
                      const std::vector<std::string>& labels = paperLabels());

}  // namespace emotrace
