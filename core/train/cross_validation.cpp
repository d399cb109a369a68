#include "emotrace/train/cross_validation.h"

#include <cmath>
#include <fstream>
#include <ostream>

#include "emotrace/splits.h"
#include "emotrace/train/evaluation.h"

namespace emotrace::train {

namespace {

std::string number(double value) {
    return std::isnan(value) ? std::string() : std::to_string(value);
}

std::string foldsCsv(const CrossValidationResult& r) {
    std::string csv = "fold,test_accuracy,test_macro_f1,best_epoch";
    for (const auto& label : r.labels)
        csv += ",f1_" + label;
    csv += '\n';
    for (const auto& f : r.folds) {
        csv += std::to_string(f.fold) + ',' + std::to_string(f.accuracy) + ',' +
               std::to_string(f.macro_f1) + ',' + std::to_string(f.best_epoch);
        for (std::size_t c = 0; c < r.labels.size(); ++c)
            csv += ',' + number(c < f.class_f1.size() ? f.class_f1[c] : std::nan(""));
        csv += '\n';
    }
    csv += "mean," + std::to_string(r.accuracy.mean) + ',' + std::to_string(r.macro_f1.mean) + ',';
    for (const auto& f1 : r.class_f1)
        csv += ',' + number(f1.mean);
    csv += "\nstd," + std::to_string(r.accuracy.std) + ',' + std::to_string(r.macro_f1.std) + ',';
    for (const auto& f1 : r.class_f1)
        csv += ',' + number(f1.std);
    return csv + '\n';
}

Dataset joined(Dataset part, const Dataset& beside) {
    part.items.insert(part.items.end(), beside.items.begin(), beside.items.end());
    return part;
}

}  // namespace

CrossValidationResult crossValidate(const Dataset& all, int folds, const TrainSetup& setup,
                                    std::ostream& log, const FoldsBeside& beside) {
    KFoldOptions options;
    options.folds = folds;
    options.validation_fraction = 0.1;
    options.seed = setup.train.seed;
    const auto splits = stratifiedGroupKFold(all, options);
    CrossValidationResult result;
    result.labels = all.labels;
    std::vector<std::vector<double>> class_f1s(all.labels.size());
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
        auto training_indices = splits[k].train;
        for (std::size_t copy = 1; copy < beside.folded_training_repeat; ++copy)
            training_indices.insert(training_indices.end(), splits[k].train.begin(),
                                    splits[k].train.end());
        auto training = joined(subset(all, training_indices), beside.training);
        const auto validation = joined(subset(all, splits[k].validation), beside.validation);
        log << "fold " << fold << ": " << training.items.size() << " training items ("
            << splits[k].train.size() << " folded";
        if (beside.folded_training_repeat > 1)
            log << " x " << beside.folded_training_repeat;
        log << "), " << validation.items.size() << " validation, " << splits[k].test.size()
            << " test\n";
        applyBalancingAndAugmentation(fold_setup, training, log);
        const auto trained = train(training, validation, fold_setup.train);
        if (trained.interrupted) {
            result.interrupted = true;
            break;
        }
        EvaluationOptions evaluation_options;
        evaluation_options.threads = setup.train.threads;
        const auto test =
            evaluateModelFile(trained.best_model, subset(all, splits[k].test), evaluation_options);
        FoldResult r{fold, accuracy(test.matrix), macroF1(test.matrix), trained.best_epoch};
        const auto scores = perClassScores(test.matrix);
        for (std::size_t c = 0; c < scores.size() && c < class_f1s.size(); ++c) {
            std::int64_t predicted = 0;
            for (std::size_t t = 0; t < scores.size(); ++t)
                predicted += test.matrix.at(static_cast<int>(t), static_cast<int>(c));
            const bool present = scores[c].support > 0 || predicted > 0;
            r.class_f1.push_back(present ? scores[c].f1 : std::nan(""));
            if (present)
                class_f1s[c].push_back(scores[c].f1);
        }
        log << "fold " << fold << ": test accuracy " << 100.0 * r.accuracy << "%, macro-F1 "
            << 100.0 * r.macro_f1 << "%\n";
        result.folds.push_back(r);
        accuracies.push_back(r.accuracy);
        f1s.push_back(r.macro_f1);
    }
    result.accuracy = meanStd(accuracies);
    result.macro_f1 = meanStd(f1s);
    for (const auto& values : class_f1s)
        result.class_f1.push_back(values.empty() ? MeanStd{std::nan(""), std::nan("")}
                                                 : meanStd(values));
    std::ofstream(setup.train.out_dir / "folds.csv") << foldsCsv(result);
    return result;
}

}  // namespace emotrace::train
