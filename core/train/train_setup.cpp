#include "emotrace/train/train_setup.h"

#include <CLI/CLI.hpp>

#include <ostream>

#include "emotrace/balancing.h"

namespace emotrace::train {

void addTrainOptions(CLI::App& app, TrainSetup& setup) {
    auto& t = setup.train;
    auto& a = setup.augment;
    auto& b = setup.balancing;
    std::vector<CLI::Option*> added;
    const auto group = [&](const std::string& name, CLI::Option* option) {
        added.push_back(option->group(name));
    };
    const std::string model = "model and protocol (defaults: the paper's)";
    group(model, app.add_option("--model", t.model,
                                "mycnn_v1..mycnn_v6, ma2024, two_branch, resnet18, "
                                "resnet18_cifar, vgg16, vgg16_bn, densenet121 (default "
                                "resnet18)"));
    group(model, app.add_flag("--freeze-backbone", t.freeze_backbone,
                              "train only the last block and the classifier"));
    group(model, app.add_option("--pretrained", t.pretrained_weights,
                                "start from ImageNet weights in a state-dict file you supply, "
                                "or from an emotrace model file of the same architecture (a "
                                "second schedule)"));
    group(model,
          app.add_option("--epochs", t.epochs, "(default 10)")->check(CLI::Range(1, 100000)));
    group(model, app.add_option("--patience", t.patience, "(default 3; 0 = no early stopping)")
                     ->check(CLI::Range(0, 100000)));
    group(
        model,
        app.add_option("--batch-size", t.batch_size, "(default 32)")->check(CLI::Range(1, 65536)));
    group(model,
          app.add_option("--lr", t.learning_rate, "(default 1e-3)")->check(CLI::Range(0.0, 10.0)));
    group(model, app.add_option("--weight-decay", t.weight_decay, "(default 1e-4)")
                     ->check(CLI::Range(0.0, 10.0)));
    group(model, app.add_option("--label-smoothing", t.label_smoothing, "(default 0)")
                     ->check(CLI::Range(0.0, 0.99)));
    group(model, app.add_option("--lr-schedule", t.lr_schedule,
                                "constant (default) or cosine: cosine decays the rate to 0 at "
                                "the last epoch after a linear warm-up")
                     ->check(CLI::IsMember({"constant", "cosine"})));
    group(model, app.add_option("--warmup-epochs", t.warmup_epochs, "(default 0)")
                     ->check(CLI::Range(0.0, 1000.0)));
    group(model, app.add_option("--shift-average", t.shift_average,
                                "the model file asks the app to average each face over copies "
                                "moved by D pixels (for models trained with translation); "
                                "validation during training stays one pass per face")
                     ->check(CLI::Range(0, 1024)));
    group(model, app.add_flag("--soft-labels", t.soft_labels,
                              "learn the FER+ vote distributions (with --dataset ferplus)"));
    group(model, app.add_option("--seed", t.seed, "(default 42)"));
    group(model, app.add_option("--threads", t.threads, "torch threads (default 2)")
                     ->check(CLI::Range(1, 256)));
    group(model, app.add_option("--max-steps", t.max_steps_per_epoch,
                                "at most N steps an epoch (quick checks)")
                     ->check(CLI::Range(0, 1 << 30)));
    group(model, app.add_option("--checkpoint-minutes", t.checkpoint_minutes,
                                "also write the checkpoint within an epoch every M minutes, so a "
                                "killed run loses at most that (default 10; 0: after every step)")
                     ->check(CLI::Range(0.0, 1e6)));
    group(model, app.add_option("--mean", t.input_mean,
                                "input normalisation after scaling to [0,1] (default 0)")
                     ->check(CLI::Range(-10.0, 10.0)));
    group(model,
          app.add_option("--std", t.input_std, "(default 1)")->check(CLI::Range(1e-6, 10.0)));
    group(model, app.add_flag_callback(
                     "--no-progress", [&t] { t.show_progress = false; }, "no progress line"));

    const std::string balancing = "balancing (combinable)";
    group(balancing, app.add_flag("--sampler", b.sampler,
                                  "weighted random sampler: class-balanced draws with "
                                  "replacement"));
    group(balancing,
          app.add_flag("--smote", b.smote, "SMOTE the training set up to its largest class"));
    group(balancing, app.add_option("--smote-k", b.smote_k, "SMOTE's neighbours (default 5)")
                         ->check(CLI::Range(1, 1000)));
    group(balancing, app.add_flag("--class-weights", b.class_weights,
                                  "inverse-frequency class-weighted cross-entropy"));
    group(balancing, app.add_option_function<double>(
                            "--class-weight-power",
                            [&b](double power) {
                                b.class_weights = true;
                                b.class_weight_power = power;
                            },
                            "the weights raised to P (implies --class-weights; 0.5 = "
                            "softer)")
                         ->check(CLI::Range(0.0, 4.0)));

    const std::string augmentation =
        "augmentation (default: the paper's flip, rotation 15 degrees, scale 10%)";
    group(augmentation,
          app.add_flag_callback(
              "--no-augment", [&setup] { setup.augmentation = false; }, "no augmentation"));
    group(augmentation,
          app.add_flag_callback(
              "--augment-extended", [&a] { a = AugmentOptions::extended(); },
              "the extended set (translation, brightness, contrast, erasing); options after it "
              "change it"));
    group(augmentation, app.add_flag_callback(
                            "--no-flip", [&a] { a.flip = false; }, "no mirror images"));
    group(
        augmentation,
        app.add_option("--rotation", a.rotation_degrees, "degrees")->check(CLI::Range(0.0, 180.0)));
    group(augmentation,
          app.add_option("--scale", a.scale, "relative")->check(CLI::Range(0.0, 0.9)));
    group(augmentation, app.add_option("--translation", a.translation, "share of the size")
                            ->check(CLI::Range(0.0, 0.5)));
    group(augmentation,
          app.add_option("--brightness", a.brightness, "relative")->check(CLI::Range(0.0, 1.0)));
    group(augmentation,
          app.add_option("--contrast", a.contrast, "relative")->check(CLI::Range(0.0, 0.9)));
    group(
        augmentation,
        app.add_option("--erase", a.erase_probability, "probability")->check(CLI::Range(0.0, 1.0)));
    group(augmentation, app.add_option("--mixup", t.mixup_alpha,
                                       "blend each batch with a shuffled copy of itself, images "
                                       "and targets, by lambda ~ Beta(ALPHA, ALPHA) (0.2 is "
                                       "usual; default 0: off)")
                            ->check(CLI::Range(0.0, 100.0)));
    // As given: an option after --augment-extended changes the extended set.
    for (auto* option : added)
        option->trigger_on_parse();
}

void applyBalancingAndAugmentation(TrainSetup& setup, Dataset& training, std::ostream& log) {
    if (setup.balancing.smote) {
        std::mt19937 rng(static_cast<std::uint32_t>(setup.train.seed));
        SmoteOptions options;
        options.k = setup.balancing.smote_k;
        const auto report = applySmote(training, options, rng);
        log << "SMOTE: " << training.items.size() << " training items after adding "
            << report.parents.size() << " synthetic ones\n";
    }
    if (setup.balancing.sampler)
        setup.train.sample_weights = samplerWeights(training);
    if (setup.balancing.class_weights)
        setup.train.class_weights = classWeights(training, setup.balancing.class_weight_power);
    setup.train.mirrored_in_training = setup.augmentation && setup.augment.flip;
    if (setup.augmentation) {
        const auto options = setup.augment;
        setup.train.augment = [options](cv::Mat& image, std::mt19937& rng) {
            image = augment(image, options, rng);
        };
    } else {
        setup.train.augment = nullptr;
    }
}

}  // namespace emotrace::train
