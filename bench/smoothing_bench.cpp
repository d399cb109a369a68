#include "smoothing_bench.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <sstream>

#include "bench_common.h"
#include "emotrace/emotion_classifier.h"
#include "emotrace/error.h"
#include "test_clip.h"
#include "emotrace/live_smoothing.h"
#include "emotrace/pipeline.h"

namespace emotrace::bench {

namespace {

struct AnalysedClip {
    std::string name;
    std::vector<FrameResult> frames;  // without images
};

AnalysedClip analyse(const std::filesystem::path& clip, FrameAnalyzer& analyzer) {
    AnalysedClip analysed{clip.stem().string(), {}};
    auto source = openVideoFile(clip.string(), Pacing::AsFastAsPossible);
    std::stop_source never;
    while (auto frame = source->next(never.get_token())) {
        FrameResult result;
        result.frame_index = frame->index;
        result.timestamp_ms = frame->timestamp_ms;
        result.faces = analyzer.analyze(frame->image);
        analysed.frames.push_back(std::move(result));
    }
    return analysed;
}

// The top class of the largest face with probabilities; -1 when there is none.
int shownTopClass(const FrameResult& result) {
    const FaceResult* largest = nullptr;
    for (const auto& face : result.faces) {
        if (!face.probabilities.empty() && (!largest || face.box.area() > largest->box.area()))
            largest = &face;
    }
    if (!largest)
        return -1;
    const auto& p = largest->probabilities;
    return static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
}

void smoothInPlace(std::vector<FrameResult>& frames, double seconds) {
    LiveSmoothingOptions options;
    options.seconds = seconds;
    LiveEmotionSmoother smoother(options);
    for (auto& frame : frames)
        smoother.smooth(frame);
}

// Changes of the shown top class between consecutive frames that both show one, per second.
double switchesPerSecond(const std::vector<FrameResult>& frames) {
    int switches = 0;
    int previous = -1;
    for (const auto& frame : frames) {
        const int top = shownTopClass(frame);
        if (top >= 0 && previous >= 0 && top != previous)
            ++switches;
        if (top >= 0)
            previous = top;
    }
    if (frames.size() < 2)
        return 0.0;
    const double seconds = (frames.back().timestamp_ms - frames.front().timestamp_ms) / 1000.0;
    return seconds > 0.0 ? switches / seconds : 0.0;
}

ExpressionFigures expressionFigures(const std::vector<FrameResult>& frames, int label,
                                    const AnnotatedExpression& expression) {
    ExpressionFigures figures;
    figures.first_shown_after_seconds = std::numeric_limits<double>::quiet_NaN();
    int inside = 0;
    int shown = 0;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const double t = frames[i].timestamp_ms / 1000.0;
        const bool is_label = shownTopClass(frames[i]) == label;
        if (t >= expression.from_seconds && t <= expression.to_seconds) {
            ++inside;
            shown += is_label ? 1 : 0;
        }
        if (!is_label || t < expression.from_seconds || t > expression.to_seconds + 1.0)
            continue;
        if (std::isnan(figures.first_shown_after_seconds))
            figures.first_shown_after_seconds = t - expression.from_seconds;
        // Each frame is shown until the next one arrives.
        if (i + 1 < frames.size())
            figures.shown_seconds += (frames[i + 1].timestamp_ms - frames[i].timestamp_ms) / 1000.0;
    }
    figures.shown_share = inside > 0 ? static_cast<double>(shown) / inside : 0.0;
    return figures;
}

double median(std::vector<double> values) {
    return summarize(std::move(values)).p50;
}

}  // namespace

std::vector<AnnotatedExpression> annotatedExpressions() {
    return {{"liveportrait_d0", 1.0, 2.5, "happy"},     {"liveportrait_d18", 2.0, 2.5, "surprise"},
            {"liveportrait_d18", 4.0, 4.5, "surprise"}, {"liveportrait_d0", 0.0, 0.7, "neutral"},
            {"liveportrait_d18", 0.0, 1.8, "neutral"},  {"liveportrait_d18", 5.5, 7.2, "neutral"}};
}

SmoothingReport runSmoothingBench(const SmoothingBenchOptions& options) {
    setInferenceThreads(options.torch_threads);
    auto classifier = loadEmotionClassifier(options.model);
    const auto labels = classifier->info().labels;
    FrameAnalyzer analyzer(createFaceDetector({}), std::move(classifier));

    SmoothingReport report;
    report.expressions = annotatedExpressions();
    std::vector<AnalysedClip> clips;
    for (const auto& clip : sharedClips(options.videos)) {
        std::cerr << "analysing " << clip.filename().string() << "\n";
        clips.push_back(analyse(clip, analyzer));
        report.clips.push_back(clips.back().name);
        report.frames += static_cast<std::int64_t>(clips.back().frames.size());
    }

    for (const double seconds : options.time_constants_seconds) {
        SmoothingResult result{seconds, {}, {}};
        std::vector<std::vector<FrameResult>> shown;
        double smoothing_ms = 0.0;
        for (const auto& clip : clips) {
            shown.push_back(clip.frames);
            const auto started = SteadyClock::now();
            smoothInPlace(shown.back(), seconds);
            smoothing_ms += millisecondsBetween(started, SteadyClock::now());
            result.switches_per_second.push_back(switchesPerSecond(shown.back()));
        }
        result.microseconds_per_frame = 1000.0 * smoothing_ms / static_cast<double>(report.frames);
        for (const auto& expression : report.expressions) {
            const auto clip = std::find(report.clips.begin(), report.clips.end(), expression.clip);
            const auto label = std::find(labels.begin(), labels.end(), expression.label);
            if (clip == report.clips.end() || label == labels.end()) {
                throw Error("annotated expression " + expression.label + " in " + expression.clip +
                            ": the clip or the model's label is missing");
            }
            result.expressions.push_back(
                expressionFigures(shown[static_cast<std::size_t>(clip - report.clips.begin())],
                                  static_cast<int>(label - labels.begin()), expression));
        }
        report.results.push_back(std::move(result));
    }
    return report;
}

std::string smoothingMarkdown(const SmoothingReport& report) {
    std::ostringstream out;
    out << "Every frame of the " << report.clips.size() << " shared clips (" << report.frames
        << " frames) analysed once (YuNet 2023mar on every frame, the model as the app runs "
           "it), then smoothed with each time constant as the dashboard does "
           "(LiveEmotionSmoother). Flicker: changes of the largest face's shown top class per "
           "second. Expressions: the stretches videos/README.md describes (approximate, seen 1-2 "
           "frames a second); the share of their frames whose shown top class is the expected "
           "one; then, from the stretch's start to 1 s past its end, when it is first shown "
           "(seconds after the start; - never) and for how long in all.\n\n";
    out << "| time constant | flicker median | flicker max | raw = 1.0 | cost per frame";
    for (const auto& expression : report.expressions) {
        out << " | " << expression.clip.substr(expression.clip.find('_') + 1) << " "
            << expression.label << " " << fixed(expression.from_seconds) << "-"
            << fixed(expression.to_seconds) << " s";
    }
    out << " |\n|---|---|---|---|---";
    for (std::size_t i = 0; i < report.expressions.size(); ++i)
        out << "|---";
    out << "|\n";
    const double raw_median =
        report.results.empty() ? 0.0 : median(report.results.front().switches_per_second);
    for (const auto& result : report.results) {
        const double flicker = median(result.switches_per_second);
        out << "| "
            << (result.seconds == 0.0 ? std::string("0 (raw)") : fixed(result.seconds, 2) + " s")
            << " | " << fixed(flicker, 2) << "/s | "
            << fixed(*std::max_element(result.switches_per_second.begin(),
                                       result.switches_per_second.end()),
                     2)
            << "/s | " << (raw_median > 0.0 ? fixed(flicker / raw_median, 2) : std::string("-"))
            << " | " << fixed(result.microseconds_per_frame, 1) << " us";
        for (const auto& figures : result.expressions) {
            out << " | " << fixed(100.0 * figures.shown_share, 0) << " %, "
                << (std::isnan(figures.first_shown_after_seconds)
                        ? std::string("-")
                        : "at " + fixed(figures.first_shown_after_seconds, 2) + " s")
                << ", " << fixed(figures.shown_seconds, 2) << " s";
        }
        out << " |\n";
    }
    out << "\nFlicker per clip (switches per second):\n\n| time constant";
    for (const auto& clip : report.clips)
        out << " | " << clip.substr(clip.find('_') + 1);
    out << " |\n|---";
    for (std::size_t i = 0; i < report.clips.size(); ++i)
        out << "|---";
    out << "|\n";
    for (const auto& result : report.results) {
        out << "| " << fixed(result.seconds, 2) << " s";
        for (const double value : result.switches_per_second)
            out << " | " << fixed(value, 2);
        out << " |\n";
    }
    return out.str();
}

}  // namespace emotrace::bench
