// Distillation targets: a model that reads one framing well teaches a student that must read
// another. The levelled crop costs the shipped model about a point of macro-F1 when it is
// fine-tuned on it (docs/quality.md): the fine-tunes drift towards neutral and lose disgust.
// Blending each training target with the shipped model's own reading of the face, in the framing
// it was trained on, keeps its class balance in the student.
#pragma once

#include <cstddef>
#include <filesystem>

#include "emotrace/dataset.h"

namespace emotrace::train {

// Each training item's target becomes (1 - mix) x its target (its soft label, or its label as
// one-hot) + mix x the teacher's probabilities for the item's image as it is now, averaged with
// its mirror image (as the app reads a face). Call it before the images are re-framed. Returns
// the number of items blended (all of them). Throws std::invalid_argument for a mix outside
// (0, 1] or a soft label of the wrong length, ModelError when the teacher cannot be loaded or
// does not know a label of the dataset.
std::size_t blendTeacherPredictions(Dataset& training, const std::filesystem::path& teacher,
                                    double mix, int threads);

}  // namespace emotrace::train
