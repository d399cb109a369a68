// The training loop of emotrace-train and emotrace-experiment: a model from the zoo by name,
// trained on a Dataset with the paper's protocol by default (AdamW lr 1e-3 wd 1e-4, batch 32,
// up to 10 epochs, early stopping on validation macro-F1 with patience 3). It writes into
// out_dir, after every epoch: checkpoint.pt (to resume exactly), log.csv (one row an epoch) and,
// when validation macro-F1 improves, best_model.pt in the dashboard's model format.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "emotrace/dataset.h"
#include "emotrace/train/batch_loader.h"

namespace emotrace::train {

struct EpochRecord;

struct TrainOptions {
    std::string model = "resnet18";            // a zoo name: resnet18, mycnn_v1, ...
    bool freeze_backbone = false;              // train only the last block and the classifier
    std::filesystem::path pretrained_weights;  // ImageNet weights supplied by the user, or empty

    int epochs = 10;
    int patience = 3;  // epochs without a better validation macro-F1 before stopping; 0: never
    int batch_size = 32;
    double learning_rate = 1e-3;
    double weight_decay = 1e-4;
    double label_smoothing = 0.0;
    // "constant" (the paper) or "cosine": linear warm-up over warmup_epochs, then a cosine decay
    // to zero at the last step of `epochs`. The rate is a function of the step alone, so a
    // resumed run follows the same curve.
    std::string lr_schedule = "constant";
    double warmup_epochs = 0.0;
    bool soft_labels = false;  // learn LabeledImage::soft_label where present (FER+ votes)
    // Mixup's alpha (0: off): batches blended with themselves, pixels and targets
    // (BatchLoaderOptions::mixup_alpha); the loss then learns the blended targets.
    float mixup_alpha = 0.0f;
    // The data's FER+ blend (DataSources::ferplus_mix). The trainer does not use it; it is
    // recorded in the checkpoint so that a resume with another blend is refused.
    double ferplus_mix = 0.0;
    // The same for DataSources::ferplus_contempt and through_pipeline.
    bool ferplus_contempt = false;
    bool through_pipeline = false;
    // Cross-entropy weight per class (empty: unweighted), e.g. from balanced class weights.
    std::vector<float> class_weights;
    // Per training item: draw each epoch's items with replacement in proportion to these (a
    // weighted random sampler). Empty: every item once per epoch, shuffled.
    std::vector<double> sample_weights;
    AugmentFunction augment;  // applied to training images only; empty: none
    // The augmentation mirrors faces: the model file then asks the classifier to average each
    // face with its mirror image (ModelInfo::flip_average).
    bool mirrored_in_training = false;
    // Written into the model file as ModelInfo::shift_average (0: off).
    int shift_average = 0;
    float input_mean = 0.0f;  // normalisation after scaling to [0,1], stored in the model file
    float input_std = 1.0f;

    std::uint64_t seed = 42;
    int threads = 2;  // at::set_num_threads: torch's default here is 1 (pitfall 1)
    int prefetch_batches = 4;
    int max_steps_per_epoch = 0;  // 0: the whole epoch; otherwise a quick, partial epoch
    // A checkpoint is also written within an epoch once this many minutes have passed since the
    // last one, so a run that is killed (a session's end, a power cut: no SIGINT to catch) loses
    // at most that much work, not the epoch. 0 writes one after every step; negative: only at
    // epoch ends and on SIGINT.
    double checkpoint_minutes = 10.0;

    std::filesystem::path out_dir;  // required
    bool resume = false;            // continue from out_dir/checkpoint.pt
    bool show_progress = true;      // a progress line on stderr
    std::string description;        // data and command, stored in the model file
    // Polled after every step (a SIGINT handler sets it): the step finishes, a checkpoint is
    // written and train() returns with interrupted set.
    const std::atomic<bool>* stop_requested = nullptr;
    // Called after each epoch's checkpoint is written (benchmarks time epochs with it).
    std::function<void(const EpochRecord&)> on_epoch_end;
    // Called after each checkpoint written within an epoch, with the steps it holds.
    std::function<void(const std::filesystem::path& checkpoint, int step_in_epoch)>
        on_mid_epoch_checkpoint;
};

struct EpochRecord {
    int epoch = 0;  // from 1
    double train_loss = 0.0;
    double train_accuracy = 0.0;
    double val_loss = 0.0;
    double val_accuracy = 0.0;
    double val_macro_f1 = 0.0;
    double learning_rate = 0.0;
    double seconds = 0.0;
    // Processor time of the whole process (all threads) for the epoch: the figure that does not
    // depend on what else shared the machine, as wall seconds do.
    double cpu_seconds = 0.0;
};

struct TrainResult {
    std::vector<EpochRecord> history;
    int best_epoch = 0;  // 0: no epoch finished
    double best_val_macro_f1 = 0.0;
    double best_val_accuracy = 0.0;
    bool stopped_early = false;
    bool interrupted = false;
    std::filesystem::path best_model;  // out_dir/best_model.pt
    std::filesystem::path checkpoint;  // out_dir/checkpoint.pt
    std::filesystem::path log;         // out_dir/log.csv
};

// Trains on `training`, validating on `validation` (same labels) after every epoch. Throws
// std::invalid_argument for bad options or data (naming what was expected and found),
// ModelError for an unknown model or a checkpoint that does not fit this run, OutputError when
// out_dir cannot be written; a failed save never replaces the last good checkpoint.
TrainResult train(const Dataset& training, const Dataset& validation, const TrainOptions& options);

// The per-epoch log as CSV: epoch,train_loss,train_acc,val_loss,val_acc,val_macro_f1,lr,seconds,
// cpu_seconds.
std::string historyCsv(const std::vector<EpochRecord>& history);

// The records of a log historyCsv wrote (its header and nine numbers a row, epochs counting from
// 1 in order); nothing when the text is not that shape, so that a damaged log is never read as
// a short one.
std::optional<std::vector<EpochRecord>> parseHistoryCsv(const std::string& csv);

// The learning rate at `step` (from 0) of `total_steps` for the options' schedule.
double scheduledLearningRate(const TrainOptions& options, std::int64_t step,
                             std::int64_t steps_per_epoch);

}  // namespace emotrace::train
