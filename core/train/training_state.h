// Private to emotrace_train: the full state of a training run as the checkpoint stores it,
// and saving/loading it together with the model and optimiser (torch inside).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "emotrace/train/checkpoint.h"

namespace emotrace::train {

// What must match between a checkpoint and the run resuming it, or the continuation would not
// be the same run.
struct RunIdentity {
    std::string model;
    std::vector<std::string> labels;
    int batch_size = 0;
    std::uint64_t seed = 0;
    std::int64_t training_items = 0;
    bool weighted_sampler = false;
    bool soft_labels = false;
    int input_size = 0;
    // Recorded since session 6; a checkpoint written before does not have them, and a resume
    // of such a checkpoint is not checked on them.
    double mixup_alpha = 0.0;
    double ferplus_mix = 0.0;
    bool ferplus_contempt = false;  // recorded since session 8
    bool through_pipeline = false;  // recorded since session 9
};

struct TrainingState {
    RunIdentity identity;
    CheckpointInfo progress;
    bool stopped_early = false;
    double best_val_accuracy = 0.0;
    // Sums over the steps done so far in an interrupted epoch.
    double partial_loss_sum = 0.0;
    std::int64_t partial_correct = 0;
    std::int64_t partial_seen = 0;
    double partial_seconds = 0.0;
    double partial_cpu_seconds = 0.0;
};

// Writes PATH.partial, flushes it to disk and renames it over PATH. Throws OutputError, in which
// case PATH is untouched.
void saveCheckpoint(const std::filesystem::path& path, const TrainingState& state,
                    const torch::jit::Module& module, torch::optim::Optimizer& optimizer);

// Reads the checkpoint into `module` and `optimizer` and restores torch's random generator.
// Throws CheckpointError when the file is unreadable or truncated, or when its run identity,
// tensor names or shapes differ from `expected` and `module` (naming both sides).
TrainingState loadCheckpoint(const std::filesystem::path& path, const RunIdentity& expected,
                             torch::jit::Module& module, torch::optim::Optimizer& optimizer);

}  // namespace emotrace::train
