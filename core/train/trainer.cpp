#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <numeric>
#include <sstream>

#include "emotrace/nets.h"
#include "emotrace/train/checkpoint.h"
#include "emotrace/train/metrics.h"
#include "emotrace/train/trainer.h"
#include "emotrace/zoo.h"
#include "module_evaluation.h"
#include "training_progress.h"
#include "training_state.h"

namespace emotrace::train {

namespace {

// The header of a run's log.csv, which historyCsv writes and parseHistoryCsv expects.
constexpr std::string_view kHistoryHeader =
    "epoch,train_loss,train_acc,val_loss,val_acc,val_macro_f1,lr,seconds,cpu_seconds";

// CPU time of the whole process (every thread), in seconds.
double processCpuSeconds() {
    timespec t{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

namespace F = torch::nn::functional;
using Seconds = std::chrono::duration<double>;

void require(bool condition, const std::string& message) {
    if (!condition)
        throw std::invalid_argument(message);
}

void validateInputs(const Dataset& training, const Dataset& validation, const TrainOptions& o) {
    require(!o.out_dir.empty(), "training needs an output folder (out_dir) for checkpoints");
    require(o.epochs >= 1, "epochs must be at least 1, found " + std::to_string(o.epochs));
    require(o.batch_size >= 1,
            "batch size must be at least 1, found " + std::to_string(o.batch_size));
    require(o.patience >= 0,
            "patience must be 0 (off) or more, found " + std::to_string(o.patience));
    require(o.learning_rate >= 0.0 && o.weight_decay >= 0.0,
            "learning rate and weight decay must not be negative");
    require(o.label_smoothing >= 0.0 && o.label_smoothing < 1.0,
            "label smoothing must be in [0, 1), found " + std::to_string(o.label_smoothing));
    require(o.input_std > 0.0f, "input std must be positive");
    require(o.mixup_alpha >= 0.0f,
            "mixup alpha must be 0 (off) or positive, found " + std::to_string(o.mixup_alpha));
    require(o.lr_schedule == "constant" || o.lr_schedule == "cosine",
            "learning-rate schedule: expected constant or cosine, found '" + o.lr_schedule + "'");
    require(o.warmup_epochs >= 0.0 && o.warmup_epochs < o.epochs,
            "warm-up must be at least 0 and shorter than the run's " + std::to_string(o.epochs) +
                " epochs, found " + std::to_string(o.warmup_epochs));
    require(!training.items.empty(), "the training set is empty");
    require(!validation.items.empty(),
            "the validation set is empty: early stopping and the best model need one");
    require(training.labels == validation.labels,
            "training and validation sets must share their labels (same names, same order)");
    const auto size = training.items.front().image.size();
    require(size.width == size.height, "training images must be square, found " +
                                           std::to_string(size.width) + "x" +
                                           std::to_string(size.height));
    require(o.class_weights.empty() || o.class_weights.size() == training.labels.size(),
            "class weights: expected one per class (" + std::to_string(training.labels.size()) +
                "), found " + std::to_string(o.class_weights.size()));
    require(o.sample_weights.empty() || o.sample_weights.size() == training.items.size(),
            "sampler weights: expected one per training item (" +
                std::to_string(training.items.size()) + "), found " +
                std::to_string(o.sample_weights.size()));
}

// Each epoch's order depends only on (seed, epoch): a resumed run sees the same order.
std::vector<std::size_t> epochOrder(std::size_t items, const std::vector<double>& weights,
                                    std::uint64_t seed, int epoch) {
    auto rng = batchGenerator(seed, epoch, -1);
    std::vector<std::size_t> order(items);
    if (weights.empty()) {
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::shuffle(order.begin(), order.end(), rng);
    } else {
        std::discrete_distribution<std::size_t> pick(weights.begin(), weights.end());
        for (auto& index : order)
            index = pick(rng);
    }
    return order;
}

torch::jit::Module buildModel(const TrainOptions& o, int classes, int input_size) {
    nets::ModelOptions model_options;
    model_options.input_size = input_size;
    torch::jit::Module module;
    try {
        module = nets::makeModel(o.model, classes, model_options);
    } catch (const ModelError&) {
        throw;
    } catch (const Error& e) {
        throw ModelError(e.what());
    }
    if (!o.pretrained_weights.empty()) {
        const auto report = nets::loadPretrainedWeights(module, o.pretrained_weights);
        if (o.show_progress)
            std::cerr << "pretrained weights " << o.pretrained_weights.string() << ": "
                      << report.summary() << '\n';
    }
    if (o.freeze_backbone)
        nets::freezeAllButLastBlock(module, o.model);
    module.train();
    return module;
}

ModelInfo modelInfo(const TrainOptions& o, const std::vector<std::string>& labels, int size) {
    ModelInfo info;
    info.architecture = o.model;
    info.labels = labels;
    info.input_width = size;
    info.input_height = size;
    info.input_channels = 1;
    info.mean = o.input_mean;
    info.std = o.input_std;
    info.outputs_logits = true;
    info.flip_average = o.mirrored_in_training;
    info.shift_average = o.shift_average;
    info.description = o.description;
    return info;
}

std::string percent(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f%%", 100.0 * value);
    return text;
}

// Mixed batches carry blended targets, so the loss learns targets instead of labels.
bool softTargets(const TrainOptions& o) {
    return o.soft_labels || o.mixup_alpha > 0.0f;
}

struct StepResult {
    double loss_sum = 0.0;
    std::int64_t correct = 0;
};

class Stepper {
  public:
    Stepper(torch::jit::Module& module, torch::optim::Optimizer& optimizer, const TrainOptions& o,
            int input_size, int classes)
        : module_(module),
          optimizer_(optimizer),
          options_(o),
          size_(input_size),
          classes_(classes) {
        if (!o.class_weights.empty())
            class_weights_ = torch::tensor(o.class_weights, torch::kFloat);
    }

    void setLearningRate(double rate) {
        for (auto& group : optimizer_.param_groups())
            static_cast<torch::optim::AdamWOptions&>(group.options()).lr(rate);
    }

    StepResult step(Batch& batch) {
        auto input = torch::from_blob(batch.pixels.data(), {batch.size, 1, size_, size_});
        auto labels = torch::from_blob(batch.labels.data(), {batch.size}, torch::kLong);
        auto ce = F::CrossEntropyFuncOptions().label_smoothing(options_.label_smoothing);
        if (class_weights_.defined())
            ce.weight(class_weights_);
        optimizer_.zero_grad();
        auto logits = module_.forward({input}).toTensor();
        auto loss =
            softTargets(options_)
                ? F::cross_entropy(
                      logits, torch::from_blob(batch.soft_targets.data(), {batch.size, classes_}),
                      ce)
                : F::cross_entropy(logits, labels, ce);
        loss.backward();
        optimizer_.step();
        const double value = loss.item<double>();
        if (!std::isfinite(value)) {
            throw std::runtime_error("training diverged: the loss became " + std::to_string(value) +
                                     " at batch " + std::to_string(batch.index) +
                                     " (try a lower learning rate)");
        }
        const auto correct = logits.argmax(1).eq(labels).sum().item<std::int64_t>();
        return {value * batch.size, correct};
    }

  private:
    torch::jit::Module& module_;
    torch::optim::Optimizer& optimizer_;
    const TrainOptions& options_;
    int size_;
    int classes_;
    torch::Tensor class_weights_;
};

void fillResult(TrainResult& result, const TrainingState& state) {
    result.history = state.progress.history;
    result.best_epoch = state.progress.best_epoch;
    result.best_val_macro_f1 = state.progress.best_val_macro_f1;
    result.best_val_accuracy = state.best_val_accuracy;
    result.stopped_early = state.stopped_early;
}

}  // namespace

double scheduledLearningRate(const TrainOptions& o, std::int64_t step,
                             std::int64_t steps_per_epoch) {
    if (o.lr_schedule != "cosine")
        return o.learning_rate;
    const double total = static_cast<double>(o.epochs) * static_cast<double>(steps_per_epoch);
    const double warmup = o.warmup_epochs * static_cast<double>(steps_per_epoch);
    const double t = static_cast<double>(step);
    if (t < warmup)
        return o.learning_rate * (t + 1.0) / warmup;
    const double progress = std::clamp((t - warmup) / std::max(total - warmup, 1.0), 0.0, 1.0);
    return o.learning_rate * 0.5 * (1.0 + std::cos(M_PI * progress));
}

std::string historyCsv(const std::vector<EpochRecord>& history) {
    std::string csv = std::string(kHistoryHeader) + '\n';
    char line[256];
    for (const auto& r : history) {
        std::snprintf(line, sizeof line, "%d,%.6f,%.6f,%.6f,%.6f,%.6f,%.6g,%.3f,%.3f\n", r.epoch,
                      r.train_loss, r.train_accuracy, r.val_loss, r.val_accuracy, r.val_macro_f1,
                      r.learning_rate, r.seconds, r.cpu_seconds);
        csv += line;
    }
    return csv;
}

std::optional<std::vector<EpochRecord>> parseHistoryCsv(const std::string& csv) {
    std::istringstream in(csv);
    std::string line;
    if (!std::getline(in, line) || line != kHistoryHeader)
        return std::nullopt;
    std::vector<EpochRecord> history;
    while (std::getline(in, line)) {
        if (line.empty())
            continue;
        EpochRecord r;
        char rest = 0;
        const int read =
            std::sscanf(line.c_str(), "%d,%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf%c", &r.epoch,
                        &r.train_loss, &r.train_accuracy, &r.val_loss, &r.val_accuracy,
                        &r.val_macro_f1, &r.learning_rate, &r.seconds, &r.cpu_seconds, &rest);
        if (read != 9 || r.epoch != static_cast<int>(history.size()) + 1)
            return std::nullopt;
        history.push_back(r);
    }
    return history;
}

TrainResult train(const Dataset& training, const Dataset& validation, const TrainOptions& o) {
    validateInputs(training, validation, o);
    std::error_code error;
    std::filesystem::create_directories(o.out_dir, error);
    if (error)
        throw OutputError("could not create output folder " + o.out_dir.string() + ": " +
                          error.message());
    TrainResult result;
    result.checkpoint = o.out_dir / "checkpoint.pt";
    result.log = o.out_dir / "log.csv";
    result.best_model = o.out_dir / "best_model.pt";

    at::set_num_threads(std::max(o.threads, 1));
    // The profiling executor's autodiff subgraphs cost ~30% CPU time a step for MyCNNv1 here;
    // plain interpretation runs the same ATen kernels as eager PyTorch (bench/train).
    torch::jit::GraphOptimizerEnabledGuard plain_interpreter(false);
    torch::manual_seed(o.seed);
    const int classes = static_cast<int>(training.labels.size());
    const int size = training.items.front().image.cols;
    auto module = buildModel(o, classes, size);
    const auto parameters = nets::trainableParameters(module);
    require(!parameters.empty(), "model '" + o.model + "' has no trainable parameters");
    torch::optim::AdamW optimizer(
        parameters, torch::optim::AdamWOptions(o.learning_rate).weight_decay(o.weight_decay));

    TrainingState state;
    state.identity = {o.model,
                      training.labels,
                      o.batch_size,
                      o.seed,
                      static_cast<std::int64_t>(training.items.size()),
                      !o.sample_weights.empty(),
                      o.soft_labels,
                      size,
                      o.mixup_alpha,
                      o.ferplus_mix,
                      o.ferplus_contempt,
                      o.through_pipeline};
    if (std::filesystem::exists(result.checkpoint)) {
        require(o.resume, o.out_dir.string() +
                              " already holds a checkpoint: resume it (--resume) or choose "
                              "another output folder");
        state = loadCheckpoint(result.checkpoint, state.identity, module, optimizer);
    }
    auto info = modelInfo(o, training.labels, size);
    // Refuse metadata the model file could not hold (a shift_average too large for the input)
    // now, not when the first epoch's best model is saved.
    validate(info);
    Stepper stepper(module, optimizer, o, size, classes);
    EvaluationOptions validation_options;
    validation_options.threads = o.threads;

    for (int epoch = state.progress.completed_epochs + 1; epoch <= o.epochs && !state.stopped_early;
         ++epoch) {
        auto order = epochOrder(training.items.size(), o.sample_weights, o.seed, epoch);
        if (o.max_steps_per_epoch > 0)
            order.resize(std::min(order.size(), static_cast<std::size_t>(o.max_steps_per_epoch) *
                                                    static_cast<std::size_t>(o.batch_size)));
        BatchLoaderOptions loader_options;
        loader_options.batch_size = o.batch_size;
        loader_options.prefetch = o.prefetch_batches;
        loader_options.mean = o.input_mean;
        loader_options.std = o.input_std;
        loader_options.soft_targets = softTargets(o);
        loader_options.mixup_alpha = o.mixup_alpha;
        loader_options.augment = o.augment;
        loader_options.seed = o.seed;
        loader_options.epoch = epoch;
        const int first_batch = state.progress.step_in_epoch;
        BatchLoader loader(training, std::move(order), loader_options, first_batch);
        TrainingProgress progress(std::cerr, o.show_progress, epoch, o.epochs, loader.batchCount(),
                                  first_batch);
        const auto started = std::chrono::steady_clock::now();
        const double cpu_started = processCpuSeconds();
        auto last_checkpoint = started;
        bool stop = false;
        // Steps are counted as full epochs of the loader, so --max-steps shortens the curve too.
        const std::int64_t steps_per_epoch = loader.batchCount();
        double rate = o.learning_rate;
        while (auto batch = loader.next()) {
            rate = scheduledLearningRate(o, (epoch - 1) * steps_per_epoch + batch->index,
                                         steps_per_epoch);
            stepper.setLearningRate(rate);
            const auto step = stepper.step(*batch);
            state.partial_loss_sum += step.loss_sum;
            state.partial_correct += step.correct;
            state.partial_seen += batch->size;
            state.progress.step_in_epoch = batch->index + 1;
            const auto seen = static_cast<double>(state.partial_seen);
            progress.update(state.progress.step_in_epoch, state.partial_loss_sum / seen,
                            static_cast<double>(state.partial_correct) / seen);
            loader.recycle(std::move(batch));
            const auto now = std::chrono::steady_clock::now();
            if (o.checkpoint_minutes >= 0.0 && state.progress.step_in_epoch < loader.batchCount() &&
                Seconds(now - last_checkpoint).count() >= o.checkpoint_minutes * 60.0) {
                // The checkpoint carries the epoch's time so far; the state keeps counting from
                // the epoch's start.
                auto snapshot = state;
                snapshot.partial_seconds += Seconds(now - started).count();
                snapshot.partial_cpu_seconds += processCpuSeconds() - cpu_started;
                saveCheckpoint(result.checkpoint, snapshot, module, optimizer);
                last_checkpoint = now;
                if (o.on_mid_epoch_checkpoint)
                    o.on_mid_epoch_checkpoint(result.checkpoint, state.progress.step_in_epoch);
            }
            if (o.stop_requested && o.stop_requested->load()) {
                stop = true;
                break;
            }
        }
        state.partial_seconds += Seconds(std::chrono::steady_clock::now() - started).count();
        state.partial_cpu_seconds += processCpuSeconds() - cpu_started;
        if (stop && state.progress.step_in_epoch < loader.batchCount()) {
            saveCheckpoint(result.checkpoint, state, module, optimizer);
            progress.finish("interrupted in epoch " + std::to_string(epoch) + " after step " +
                            std::to_string(state.progress.step_in_epoch) + ": checkpoint " +
                            result.checkpoint.string() + " (continue with --resume)");
            fillResult(result, state);
            result.interrupted = true;
            return result;
        }

        const auto validation_started = std::chrono::steady_clock::now();
        const double validation_cpu_started = processCpuSeconds();
        const auto evaluation = evaluateModule(module, validation, info, validation_options);
        EpochRecord record;
        record.epoch = epoch;
        record.train_loss = state.partial_loss_sum / static_cast<double>(state.partial_seen);
        record.train_accuracy =
            static_cast<double>(state.partial_correct) / static_cast<double>(state.partial_seen);
        record.val_loss = evaluation.loss;
        record.val_accuracy = accuracy(evaluation.matrix);
        record.val_macro_f1 = macroF1(evaluation.matrix);
        record.learning_rate = rate;
        record.seconds = state.partial_seconds +
                         Seconds(std::chrono::steady_clock::now() - validation_started).count();
        record.cpu_seconds =
            state.partial_cpu_seconds + (processCpuSeconds() - validation_cpu_started);
        auto& p = state.progress;
        p.history.push_back(record);
        p.completed_epochs = epoch;
        p.step_in_epoch = 0;
        state.partial_loss_sum = 0.0;
        state.partial_correct = 0;
        state.partial_seen = 0;
        state.partial_seconds = 0.0;
        state.partial_cpu_seconds = 0.0;
        const bool improved = p.best_epoch == 0 || record.val_macro_f1 > p.best_val_macro_f1;
        if (improved) {
            p.best_epoch = epoch;
            p.best_val_macro_f1 = record.val_macro_f1;
            state.best_val_accuracy = record.val_accuracy;
            p.epochs_without_improvement = 0;
            info.description = o.description + (o.description.empty() ? "" : "; ") + "best epoch " +
                               std::to_string(epoch) + " by validation macro-F1: " + "accuracy " +
                               percent(record.val_accuracy) + ", macro-F1 " +
                               percent(record.val_macro_f1);
            module.eval();  // stored in eval mode, as a user of the file expects
            nets::saveModelFile(module, info, result.best_model);
            module.train();
        } else {
            ++p.epochs_without_improvement;
        }
        state.stopped_early = o.patience > 0 && p.epochs_without_improvement >= o.patience;
        p.finished = state.stopped_early || epoch >= o.epochs;
        writeTextAtomically(result.log, historyCsv(p.history));
        saveCheckpoint(result.checkpoint, state, module, optimizer);
        progress.finish("epoch " + std::to_string(epoch) + "/" + std::to_string(o.epochs) +
                        ": train loss " + std::to_string(record.train_loss) + " acc " +
                        percent(record.train_accuracy) + " | val loss " +
                        std::to_string(record.val_loss) + " acc " + percent(record.val_accuracy) +
                        " macro-F1 " + percent(record.val_macro_f1) + (improved ? " (best)" : "") +
                        (state.stopped_early ? " | early stop" : ""));
        if (o.on_epoch_end)
            o.on_epoch_end(record);
        if (o.stop_requested && o.stop_requested->load() && !p.finished) {
            result.interrupted = true;
            break;
        }
    }
    fillResult(result, state);
    return result;
}

}  // namespace emotrace::train
