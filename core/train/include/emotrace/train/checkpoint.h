// What a training checkpoint (out_dir/checkpoint.pt) holds, readable without torch in the
// caller: the run it belongs to, how far it got, and its weights. The file is a torch archive
// written to PATH.partial, flushed and renamed over PATH, so a crash or a full disk leaves the
// last good checkpoint in place.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "emotrace/error.h"
#include "emotrace/nets.h"
#include "emotrace/train/trainer.h"

namespace emotrace::train {

// A checkpoint that is missing, truncated, not a checkpoint, or made by a different run.
class CheckpointError : public ModelError {
  public:
    using ModelError::ModelError;
};

struct CheckpointInfo {
    std::string model;
    std::vector<std::string> labels;
    int completed_epochs = 0;
    int step_in_epoch = 0;  // > 0: interrupted inside epoch completed_epochs + 1
    std::vector<EpochRecord> history;
    int best_epoch = 0;
    double best_val_macro_f1 = 0.0;
    int epochs_without_improvement = 0;
    bool finished = false;  // all epochs done or stopped early
};

CheckpointInfo readCheckpointInfo(const std::filesystem::path& path);

// Writes `text` to `path` through a temporary file and a rename, so a reader (or a crash) sees
// either the old file or the whole new one. Throws OutputError naming the file.
void writeTextAtomically(const std::filesystem::path& path, const std::string& text);

struct NamedWeights {
    std::string name;
    std::vector<std::int64_t> shape;
    std::vector<float> values;
};
// The model's parameters and buffers, in the module's order.
std::vector<NamedWeights> readCheckpointWeights(const std::filesystem::path& path);

// The weights a checkpoint holds (its last completed epoch, or the step it was interrupted at) in
// a copy of `like`, a model file of the same architecture and labels, with like's metadata: a
// run's last epoch as a model, where best_model.pt is the epoch validation picked. Throws
// CheckpointError when the labels, a weight's name or its shape differ.
nets::LoadedModel modelFromCheckpoint(const std::filesystem::path& checkpoint,
                                      const nets::LoadedModel& like);

}  // namespace emotrace::train
