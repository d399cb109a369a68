#include "emotrace/train/cross_validation.h"

#include <fstream>
#include <ostream>

#include "emotrace/splits.h"
#include "emotrace/train/evaluation.h"

namespace emotrace::train {

namespace {

std::string foldsCsv(const CrossValidationResult& r) {
    std::string csv = "fold,test_accuracy,test_macro_f1,best_epoch\n";
    for (const auto& f : r.folds) {
        csv += std::to_string(f.fold) + ',' + std::to_string(f.accuracy) + ',' +
               std::to_string(f.macro_f1) + ',' + std::to_string(f.best_epoch) + '\n';
    }
    csv += "mean," + std::to_string(r.accuracy.mean) + ',' + std::to_string(r.macro_f1.mean) +
           ",\nstd," + std::to_string(r.accuracy.std) + ',' + std::to_string(r.macro_f1.std) +
           ",\n";
    return csv;
}

}  // namespace

CrossValidationResult crossValidate(const Dataset& all, int folds, const TrainSetup& setup,
                                    std::ostream& log) {
    KFoldOptions options;
    options.folds = folds;
    options.validation_fraction = 0.1;
    options.seed = setup.train.seed;
    const auto splits = stratifiedGroupKFold(all, options);
    CrossValidationResult result;
    std::vector<double> accuracies;
    std::vector<double> f1s;
    for (std::size_t k = 0; k < splits.size(); ++k) {
        const int fold = static_cast<int>(k) + 1;
        log << "== fold " << fold << "/" << splits.size() << " ==\n";
        auto fold_setup = setup;
        fold_setup.train.out_dir = setup.train.out_dir / ("fold-" + std::to_string(fold));
        fold_setup.train.resume = true;
        fold_setup.train.description +=
            "; fold " + std::to_string(fold) + " of " + std::to_string(splits.size());
        auto training = subset(all, splits[k].train);
        applyBalancingAndAugmentation(fold_setup, training, log);
        const auto trained = train(training, subset(all, splits[k].validation), fold_setup.train);
        if (trained.interrupted) {
            result.interrupted = true;
            break;
        }
        EvaluationOptions evaluation_options;
        evaluation_options.threads = setup.train.threads;
        const auto test =
            evaluateModelFile(trained.best_model, subset(all, splits[k].test), evaluation_options);
        const FoldResult r{fold, accuracy(test.matrix), macroF1(test.matrix), trained.best_epoch};
        log << "fold " << fold << ": test accuracy " << 100.0 * r.accuracy << "%, macro-F1 "
            << 100.0 * r.macro_f1 << "%\n";
        result.folds.push_back(r);
        accuracies.push_back(r.accuracy);
        f1s.push_back(r.macro_f1);
    }
    result.accuracy = meanStd(accuracies);
    result.macro_f1 = meanStd(f1s);
    std::ofstream(setup.train.out_dir / "folds.csv") << foldsCsv(result);
    return result;
}

}  // namespace emotrace::train
