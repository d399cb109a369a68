// The training switches shared by emotrace-train and emotrace-experiment: model, every
// hyper-parameter, class balancing (weighted sampler, SMOTE, class-weighted loss) and
// augmentation, read from the command line and applied to a training set.
#pragma once

#include <iosfwd>
#include <string>

#include "emotrace/augmentation.h"
#include "emotrace/train/arguments.h"
#include "emotrace/train/trainer.h"

namespace CLI {
class App;
}

namespace emotrace::train {

struct BalancingOptions {
    bool sampler = false;             // weighted random sampler (balanced draws)
    bool smote = false;               // SMOTE the training set up to its largest class
    bool class_weights = false;       // inverse-frequency weighted cross-entropy
    double class_weight_power = 1.0;  // weights (N / (K n_c))^power
    int smote_k = 5;
};

struct TrainSetup {
    TrainOptions train;
    BalancingOptions balancing;
    AugmentOptions augment = AugmentOptions::paper();
    bool augmentation = true;
};

// Declares the training options (--model, --epochs, --lr, --sampler, --no-flip, ...) on `app`,
// bound to `setup`, which must outlive the parse. They take effect in command-line order, so
// --augment-extended followed by --rotation 5 keeps the extended set with a 5 degree rotation.
void addTrainOptions(CLI::App& app, TrainSetup& setup);

// Applies SMOTE to `training` (when asked) and fills the sampler weights, class weights and the
// augmentation function of setup.train. Writes what it did to `log`.
void applyBalancingAndAugmentation(TrainSetup& setup, Dataset& training, std::ostream& log);

}  // namespace emotrace::train
