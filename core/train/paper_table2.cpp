#include "emotrace/train/paper_table2.h"

#include <array>
#include <cstdio>
#include <sstream>

namespace emotrace::train {

namespace {

struct PaperRow {
    std::string_view model;
    PublishedResult result;
};

// Section 5 ("Results") of "Real-time facial expression recognition for enhanced remote therapy"
// (Paolucci, Amadi, de la Vega Ricardo, Arnold; University of Virginia), in %, divided by 100.
// Its names map onto the zoo's: MyCNNv1..v6, Ma2024CNN, DenseNet121, VGG16, ResNet18.
constexpr std::array<PaperRow, 10> kPaperTable2{{
    {"mycnn_v1", {0.4249, 0.2558, 0.4457, 0.3505}},
    {"mycnn_v2", {0.3419, 0.1642, 0.3878, 0.2673}},
    {"mycnn_v3", {0.4288, 0.2644, 0.4746, 0.4084}},
    {"mycnn_v4", {0.4265, 0.2554, 0.4557, 0.3905}},
    {"mycnn_v5", {0.4556, 0.2712, 0.4449, 0.3433}},
    {"mycnn_v6", {0.4555, 0.3053, 0.5208, 0.4641}},
    {"ma2024", {0.4556, 0.3133, 0.5179, 0.4623}},
    {"densenet121", {0.2659, 0.1534, 0.4728, 0.3890}},
    {"vgg16", {0.2428, 0.0488, 0.1683, 0.0360}},
    {"resnet18", {0.5141, 0.4009, 0.5900, 0.5323}},
}};

std::string cell(std::optional<double> value, const char* format) {
    if (!value)
        return "—";
    char text[32];
    std::snprintf(text, sizeof text, format, 100.0 * *value);
    return text;
}

std::optional<double> difference(std::optional<double> a, std::optional<double> b) {
    if (!a || !b)
        return std::nullopt;
    return *a - *b;
}

}  // namespace

std::optional<PublishedResult> paperTable2Row(std::string_view model) {
    for (const auto& row : kPaperTable2) {
        if (row.model == model)
            return row.result;
    }
    return std::nullopt;
}

std::string paperComparisonMarkdown(const std::vector<RunResult>& runs,
                                    const std::vector<std::string>& models) {
    std::ostringstream md;
    bool any = false;
    for (const auto& model : models) {
        const auto paper = paperTable2Row(model);
        any = any || paper.has_value();
        const auto* baseline = findFinished(runs, model, "baseline");
        const auto* smote = findFinished(runs, model, "smote");
        const auto here = [](const RunResult* r, double RunResult::*field) {
            return r ? std::optional<double>(r->*field) : std::nullopt;
        };
        const auto published = [&](double PublishedResult::*field) {
            return paper ? std::optional<double>((*paper).*field) : std::nullopt;
        };
        const std::optional<double> values[4][2] = {
            {here(baseline, &RunResult::accuracy), published(&PublishedResult::baseline_accuracy)},
            {here(baseline, &RunResult::macro_f1), published(&PublishedResult::baseline_macro_f1)},
            {here(smote, &RunResult::accuracy), published(&PublishedResult::smote_accuracy)},
            {here(smote, &RunResult::macro_f1), published(&PublishedResult::smote_macro_f1)},
        };
        md << "| " << model;
        for (const auto& [ours, theirs] : values) {
            md << " | " << cell(ours, "%.2f") << " | " << cell(theirs, "%.2f") << " | "
               << cell(difference(ours, theirs), "%+.2f");
        }
        // What SMOTE changed, here ; in the paper: whether the paper's finding holds per model.
        for (int metric = 0; metric < 2; ++metric) {
            md << " | " << cell(difference(values[2 + metric][0], values[metric][0]), "%+.2f")
               << " ; " << cell(difference(values[2 + metric][1], values[metric][1]), "%+.2f");
        }
        md << " |\n";
    }
    if (!any)
        return {};
    return "\n**Beside the paper** (its Table 2; here / paper / Δ = here minus paper, in % and "
           "points; the last two columns: SMOTE minus baseline, here ; paper):\n\n"
           "| Model | Acc. baseline | paper | Δ | F1 baseline | paper | Δ | Acc. SMOTE | paper | "
           "Δ | F1 SMOTE | paper | Δ | SMOTE's Δ acc. | SMOTE's Δ F1 |\n"
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n" +
           md.str();
}

}  // namespace emotrace::train
