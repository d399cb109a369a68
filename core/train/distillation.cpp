#include "emotrace/train/distillation.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "emotrace/error.h"
#include "emotrace/train/evaluation.h"

namespace emotrace::train {

std::size_t blendTeacherPredictions(Dataset& training, const std::filesystem::path& teacher,
                                    double mix, int threads) {
    if (!(mix > 0.0 && mix <= 1.0))
        throw std::invalid_argument("the distillation mix must be in (0, 1], found " +
                                    std::to_string(mix));
    if (training.items.empty())
        return 0;
    EvaluationOptions options;
    options.flip_average = true;
    options.threads = threads;
    const auto reading = evaluateModelFile(teacher, training, options);
    // The scores are in the matrix's label order; the targets in the dataset's.
    const auto& scored = reading.matrix.labels();
    std::vector<std::size_t> column(training.labels.size(), scored.size());
    for (std::size_t d = 0; d < training.labels.size(); ++d) {
        for (std::size_t k = 0; k < scored.size(); ++k) {
            if (scored[k] == training.labels[d])
                column[d] = k;
        }
        if (column[d] == scored.size())
            throw ModelError(teacher.string() + " does not read the class '" + training.labels[d] +
                             "' of the training data");
    }
    const auto classes = training.labels.size();
    for (std::size_t i = 0; i < training.items.size(); ++i) {
        auto& item = training.items[i];
        std::vector<double> taught(classes);
        double total = 0.0;
        for (std::size_t d = 0; d < classes; ++d) {
            taught[d] = std::exp(static_cast<double>(reading.scores[i][column[d]]));
            total += taught[d];
        }
        if (item.soft_label.empty()) {
            item.soft_label.assign(classes, 0.0f);
            item.soft_label[static_cast<std::size_t>(item.label)] = 1.0f;
        } else if (item.soft_label.size() != classes) {
            throw std::invalid_argument(item.origin + ": a soft label of " +
                                        std::to_string(item.soft_label.size()) + " classes, " +
                                        std::to_string(classes) + " expected");
        }
        for (std::size_t d = 0; d < classes; ++d) {
            item.soft_label[d] =
                static_cast<float>((1.0 - mix) * item.soft_label[d] + mix * taught[d] / total);
        }
    }
    return training.items.size();
}

}  // namespace emotrace::train
