// The paper's own Table 2 (test accuracy and macro-F1 of every model it ran, as a baseline and
// with SMOTE) and the markdown that sets this repository's runs beside it, model by model, so that
// a reader sees where the reproduction agrees with the published figures and where it does not.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emotrace/train/experiment.h"

namespace emotrace::train {

// One model's row as published, as fractions in [0, 1].
struct PublishedResult {
    double baseline_accuracy = 0.0;
    double baseline_macro_f1 = 0.0;
    double smote_accuracy = 0.0;
    double smote_macro_f1 = 0.0;
};

// The paper's row for a model of the zoo, by the zoo's name; nothing for a model the paper does
// not report (the two-branch CNN, which its text describes but its table leaves out).
std::optional<PublishedResult> paperTable2Row(std::string_view model);

// Each model of `models` here and in the paper: accuracy and macro-F1, baseline and SMOTE, the
// difference (here minus paper), and what SMOTE changed in each; "—" where a run is not finished
// or the paper has no figure. Empty when none of `models` is in the paper.
std::string paperComparisonMarkdown(const std::vector<RunResult>& runs,
                                    const std::vector<std::string>& models);

}  // namespace emotrace::train
