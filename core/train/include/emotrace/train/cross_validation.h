// k-fold cross-validation for emotrace-train --folds K: stratified folds that keep each group
// (a CK+ subject) on one side, a validation part carved from each fold's training part for
// early stopping, and accuracy / macro-F1 per fold with mean +- std across folds.
#pragma once

#include <iosfwd>
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
};

struct CrossValidationResult {
    std::vector<FoldResult> folds;
    MeanStd accuracy;
    MeanStd macro_f1;
    bool interrupted = false;
};

// Trains setup.train.model once per fold into setup.train.out_dir/fold-K (resuming what is
// there), balancing and augmenting only the fold's training part, and evaluates the best model
// on the fold's test part. Writes out_dir/folds.csv. Throws as train() and the split do.
CrossValidationResult crossValidate(const Dataset& all, int folds, const TrainSetup& setup,
                                    std::ostream& log);

}  // namespace emotrace::train
