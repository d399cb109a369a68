#include "baseline_bench.h"

#include <algorithm>
#include <iostream>
#include <map>
#include <sstream>

#include "bench_common.h"
#include "emotrace/emotion_classifier.h"
#include "emotrace/error.h"
#include "emotrace/neutral_baseline.h"
#include "emotrace/pipeline.h"
#include "moments_bench.h"

namespace emotrace::bench {

namespace {

const std::vector<std::string> kClips = {"liveportrait_d0.mp4", "liveportrait_d9.mp4",
                                         "liveportrait_d14.mp4", "liveportrait_d18.mp4",
                                         "liveportrait_d19.mp4"};

std::size_t topOf(std::span<const float> p) {
    return static_cast<std::size_t>(std::max_element(p.begin(), p.end()) - p.begin());
}

// Whether the top label names the documented expression ("frown": angry or sad).
bool matches(const std::string& documented, const std::string& top) {
    if (documented == "frown")
        return top == "angry" || top == "sad";
    return documented == top;
}

struct Tally {
    std::int64_t neutral_frames = 0;
    std::int64_t neutral_raw = 0;
    std::int64_t neutral_baselined = 0;
    int expressions = 0;
    int expressions_raw = 0;
    int expressions_baselined = 0;
};

}  // namespace

std::string runBaselineBench(const BaselineBenchOptions& options) {
    const auto annotations = readAnnotations(options.videos / "annotations.csv");
    setInferenceThreads(options.torch_threads);
    auto classifier = loadEmotionClassifier(options.model);
    const auto labels = classifier->info().labels;
    const auto neutral_index = static_cast<std::size_t>(
        std::find(labels.begin(), labels.end(), "neutral") - labels.begin());
    if (neutral_index == labels.size())
        throw Error("the baseline needs a model with a neutral class: " + options.model.string());
    FrameAnalyzer analyzer(createFaceDetector({}), std::move(classifier));

    std::ostringstream rows;
    Tally all;
    for (const auto& clip : kClips) {
        std::cerr << "analysing " << clip << "\n";
        const auto frames = analyseLargestFace(options.videos / clip, analyzer);
        std::vector<AnnotatedStretch> stretches;
        for (const auto& s : annotations) {
            if (s.clip == clip)
                stretches.push_back(s);
        }
        const auto first_neutral = std::find_if(stretches.begin(), stretches.end(),
                                                [](const auto& s) { return s.neutral(); });
        if (first_neutral == stretches.end())
            throw Error(clip + " has no neutral stretch in annotations.csv");
        const double baseline_end_ms =
            1000.0 * std::min(first_neutral->end_seconds,
                              first_neutral->start_seconds + options.baseline_seconds);
        std::vector<std::vector<float>> resting;
        for (const auto& frame : frames) {
            if (frame.timestamp_ms >= 1000.0 * first_neutral->start_seconds &&
                frame.timestamp_ms <= baseline_end_ms && !frame.faces.empty())
                resting.push_back(frame.faces.front().probabilities);
        }
        const auto baseline = fitNeutralBaseline(resting, labels);
        if (!baseline)
            throw Error(clip + ": too few faces in the baseline stretch");

        Tally clip_tally;
        std::string expressions;
        for (const auto& stretch : stretches) {
            const double from = 1000.0 * (stretch.start_seconds + options.tolerance_seconds);
            const double to = 1000.0 * (stretch.end_seconds - options.tolerance_seconds);
            std::vector<double> raw_sum(labels.size(), 0.0);
            std::vector<double> baselined_sum(labels.size(), 0.0);
            std::int64_t counted = 0;
            for (const auto& frame : frames) {
                // Expressions are short: scored over their whole stretch; neutral ones trimmed.
                const bool inside = stretch.neutral()
                                        ? frame.timestamp_ms >= from && frame.timestamp_ms <= to
                                        : frame.timestamp_ms >= 1000.0 * stretch.start_seconds &&
                                              frame.timestamp_ms <= 1000.0 * stretch.end_seconds;
                if (!inside || frame.faces.empty())
                    continue;
                const auto& raw = frame.faces.front().probabilities;
                const auto relative = applyNeutralBaseline(*baseline, raw);
                ++counted;
                for (std::size_t c = 0; c < labels.size(); ++c) {
                    raw_sum[c] += raw[c];
                    baselined_sum[c] += relative[c];
                }
                if (stretch.neutral()) {
                    ++clip_tally.neutral_frames;
                    clip_tally.neutral_raw += topOf(raw) == neutral_index ? 1 : 0;
                    clip_tally.neutral_baselined += topOf(relative) == neutral_index ? 1 : 0;
                }
            }
            if (stretch.neutral() || counted == 0)
                continue;
            const auto top_of_mean = [&](const std::vector<double>& sum) {
                return labels[static_cast<std::size_t>(std::max_element(sum.begin(), sum.end()) -
                                                       sum.begin())];
            };
            const auto raw_top = top_of_mean(raw_sum);
            const auto baselined_top = top_of_mean(baselined_sum);
            ++clip_tally.expressions;
            clip_tally.expressions_raw += matches(stretch.label, raw_top) ? 1 : 0;
            clip_tally.expressions_baselined += matches(stretch.label, baselined_top) ? 1 : 0;
            expressions += (expressions.empty() ? "" : "; ") + stretch.label + " " +
                           fixed(stretch.start_seconds, 1) + "-" + fixed(stretch.end_seconds, 1) +
                           " s: " + raw_top + " → " + baselined_top;
        }
        std::string offsets;
        for (std::size_t c = 0; c < labels.size(); ++c) {
            if (baseline->log_offsets[c] < 0.0)
                offsets += (offsets.empty() ? "" : ", ") + labels[c] + " " +
                           fixed(baseline->log_offsets[c], 2);
        }
        const auto share = [](std::int64_t part, std::int64_t whole) {
            return whole == 0
                       ? std::string("—")
                       : fixed(100.0 * static_cast<double>(part) / static_cast<double>(whole), 1) +
                             " %";
        };
        rows << "| " << clip.substr(0, clip.size() - 4) << " | "
             << fixed(first_neutral->start_seconds, 1) << "-" << fixed(baseline_end_ms / 1000.0, 1)
             << " s (" << baseline->frames << ") | " << (offsets.empty() ? "none" : offsets)
             << " | " << clip_tally.neutral_frames << " | "
             << share(clip_tally.neutral_raw, clip_tally.neutral_frames) << " | "
             << share(clip_tally.neutral_baselined, clip_tally.neutral_frames) << " | "
             << (expressions.empty() ? "—" : expressions) << " |\n";
        all.neutral_frames += clip_tally.neutral_frames;
        all.neutral_raw += clip_tally.neutral_raw;
        all.neutral_baselined += clip_tally.neutral_baselined;
        all.expressions += clip_tally.expressions;
        all.expressions_raw += clip_tally.expressions_raw;
        all.expressions_baselined += clip_tally.expressions_baselined;
    }
    std::ostringstream out;
    out << "### Neutral baseline on the clips that rest neutral\n\n"
        << "Baseline: each clip's first documented neutral stretch, at most "
        << fixed(options.baseline_seconds, 1)
        << " s (frames). Neutral stretches are scored without their first and last "
        << fixed(options.tolerance_seconds, 1)
        << " s (the annotations' precision), including the baseline's own frames; an "
           "expression is kept when it is the top of its stretch's mean reading (frown: angry "
           "or sad). Offsets: the log-probability taken off each class.\n\n"
        << "| clip | baseline | offsets | neutral frames | read neutral, raw | read neutral, "
           "baselined | documented expressions: top raw → baselined |\n"
        << "|---|---|---|---:|---:|---:|---|\n"
        << rows.str() << "| **all** | | | " << all.neutral_frames << " | **"
        << fixed(100.0 * static_cast<double>(all.neutral_raw) /
                     static_cast<double>(std::max<std::int64_t>(all.neutral_frames, 1)),
                 1)
        << " %** | **"
        << fixed(100.0 * static_cast<double>(all.neutral_baselined) /
                     static_cast<double>(std::max<std::int64_t>(all.neutral_frames, 1)),
                 1)
        << " %** | " << all.expressions_raw << " of " << all.expressions << " raw, "
        << all.expressions_baselined << " of " << all.expressions << " baselined |\n";
    return out.str();
}

}  // namespace emotrace::bench
