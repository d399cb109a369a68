// The live overlay's smoothing (LiveEmotionSmoother) measured on the twelve shared clips with a
// trained model: how often the shown top class changes (flicker) against how much of the
// annotated expressions it still shows, and how late, for a range of time constants. Backs the
// dashboard's default with numbers. Every frame is analysed once; each time constant then
// smooths the same results.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace emotrace::bench {

struct SmoothingBenchOptions {
    std::filesystem::path videos;  // the shared videos/ folder
    std::filesystem::path model;   // a trained emotrace model file
    std::vector<double> time_constants_seconds = {0.0, 0.25, 0.5, 1.0, 2.0};
    int torch_threads = 2;
};

// One expression the data README saw, second by second: the clip, when, and the class.
struct AnnotatedExpression {
    std::string clip;  // file stem
    double from_seconds = 0.0;
    double to_seconds = 0.0;
    std::string label;
};
// The stretches of liveportrait_d0 and liveportrait_d18 described in videos/README.md.
std::vector<AnnotatedExpression> annotatedExpressions();

struct ExpressionFigures {
    double shown_share = 0.0;  // frames of the stretch whose shown top class is the label
    // From the stretch's start to one second past its end, since smoothing shows an
    // expression late and keeps it a little longer: when the label is first shown as the top
    // class (seconds after the start; NaN: never), and for how long in all.
    double first_shown_after_seconds = 0.0;
    double shown_seconds = 0.0;
};

struct SmoothingResult {
    double seconds = 0.0;                        // the time constant
    std::vector<double> switches_per_second;     // per clip, in SmoothingReport::clips order
    std::vector<ExpressionFigures> expressions;  // in SmoothingReport::expressions order
    double microseconds_per_frame = 0.0;         // smoothing only, all clips in one pass
};

struct SmoothingReport {
    std::vector<std::string> clips;
    std::vector<AnnotatedExpression> expressions;
    std::vector<SmoothingResult> results;
    std::int64_t frames = 0;
};

SmoothingReport runSmoothingBench(const SmoothingBenchOptions& options);
std::string smoothingMarkdown(const SmoothingReport& report);

}  // namespace emotrace::bench
