// k-fold cross-validation for emotrace-train --folds K: stratified folds that keep each group
// (a CK+ subject) on one side, a validation part carved from each fold's training part for
// early stopping, and accuracy / macro-F1 per fold with mean +- std across folds.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include "emotrace/dataset.h"
#include "emotrace/train/metrics.h"
#include "emotrace/train/train_setup.h"

namespace emotrace::train {

struct FoldResult {
    int fold = 0;  // from 1
    double accuracy = 0.0;
    double macro_f1 = 0.0;
    int best_epoch = 0;
    // Each label's F1 on the fold's test part; NaN for a label absent from it (neither in the
    // truth nor predicted), so that means over folds count only folds that hold the class.
    std::vector<double> class_f1{};
};

struct CrossValidationResult {
    std::vector<std::string> labels;
    std::vector<FoldResult> folds;
    MeanStd accuracy;
    MeanStd macro_f1;
    std::vector<MeanStd> class_f1;  // per label, over the folds where it was present
    bool interrupted = false;
};

// Data that stays out of the rotation: in every fold's training (and validation) part as it is.
// `emotrace-train --dataset combined --folds K --folds-over ckplus` keeps FER-2013's training and
// validation parts here, so that only CK+'s subjects rotate through the test folds.
struct FoldsBeside {
    Dataset training;
    Dataset validation;
    // Each item of the folded data that lands in a fold's training part appears this many times
    // (each copy augmented on its own); its validation and test parts hold it once. With
    // --folds-over ckplus this is --ckplus-repeat, applied inside each fold so that a frame's
    // copies never reach the test side or count twice there.
    std::size_t folded_training_repeat = 1;
};

// Trains setup.train.model once per fold into setup.train.out_dir/fold-K (resuming what is
// there), balancing and augmenting only the fold's training part, and evaluates the best model
// on the fold's test part. Writes out_dir/folds.csv: accuracy, macro-F1 and best epoch per fold,
// then each label's F1 (f1_<label>), with mean and std rows. `beside` is added to every fold's
// training and validation parts; the test parts are folds of `all` alone. Throws as train() and
// the split do.
CrossValidationResult crossValidate(const Dataset& all, int folds, const TrainSetup& setup,
                                    std::ostream& log, const FoldsBeside& beside = {});

}  // namespace emotrace::train
