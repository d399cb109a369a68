#include "analysis_bench.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <future>
#include <iostream>
#include <sstream>

#include <opencv2/videoio.hpp>

#include "bench_common.h"
#include "emotrace/emotion_classifier.h"
#include "emotrace/pipeline.h"
#include "emotrace/recording_analysis.h"
#include "emotrace/session_store.h"
#include "recording_clips.h"

namespace emotrace::bench {

namespace {

using Seconds = std::chrono::duration<double>;

// The main face of every frame: its probabilities, or nothing when no face was found.
using MainFaces = std::vector<std::optional<std::vector<float>>>;

std::unique_ptr<EmotionClassifier> classifierFor(const AnalysisBenchOptions& options) {
    setInferenceThreads(options.torch_threads);
    return loadEmotionClassifier(options.model);
}

// The live path: decode on the capture thread, detect + classify every frame on the worker.
double runLive(const AnalysisBenchOptions& options, const std::filesystem::path& clip,
               MainFaces& faces) {
    faces.clear();
    std::promise<std::string> finished;
    PipelineCallbacks callbacks;
    callbacks.on_result = [&](FrameResult result) {
        if (result.faces.empty())
            faces.emplace_back();
        else
            faces.emplace_back(std::move(result.faces.front().probabilities));
    };
    callbacks.on_finished = [&](const std::string& error) { finished.set_value(error); };
    auto analyzer = std::make_unique<FrameAnalyzer>(createFaceDetector({}), classifierFor(options));
    const auto started = SteadyClock::now();
    Pipeline pipeline(openVideoFile(clip.string(), Pacing::AsFastAsPossible), std::move(analyzer),
                      std::move(callbacks), SlotPolicy::Lossless);
    pipeline.start();
    const std::string error = finished.get_future().get();
    const double seconds = Seconds(SteadyClock::now() - started).count();
    if (!error.empty())
        throw Error("live path: " + error);
    return static_cast<double>(faces.size()) / seconds;
}

RecordingFacts factsOf(const std::filesystem::path& clip) {
    cv::VideoCapture capture(clip.string(), cv::CAP_FFMPEG);
    RecordingFacts facts;
    facts.path = clip.string();
    facts.content_hash = recordingFingerprint(clip);
    facts.fps = capture.get(cv::CAP_PROP_FPS);
    facts.width = static_cast<int>(capture.get(cv::CAP_PROP_FRAME_WIDTH));
    facts.height = static_cast<int>(capture.get(cv::CAP_PROP_FRAME_HEIGHT));
    facts.frame_count = std::llround(capture.get(cv::CAP_PROP_FRAME_COUNT));
    return facts;
}

struct StoredRun {
    double frames_per_second = 0.0;
    std::int64_t frames = 0;
    std::int64_t session = 0;
};

// analyzeRecording into a fresh store at `database`; the timing covers the call only.
StoredRun runStored(const AnalysisBenchOptions& options, const std::filesystem::path& clip,
                    const std::filesystem::path& database, int detect_every) {
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(database.string() + suffix);
    SessionStore store(database);
    auto classifier = classifierFor(options);
    auto detector = createFaceDetector({});
    AnalysisSetup setup;
    setup.labels = classifier->info().labels;
    setup.detect_every = detect_every;
    StoredRun run;
    run.session = store.createSession(factsOf(clip), setup);
    const auto started = SteadyClock::now();
    const auto result = analyzeRecording(store, run.session, *detector, classifier.get(),
                                         {.detect_every = detect_every}, {});
    const double seconds = Seconds(SteadyClock::now() - started).count();
    if (result.outcome != AnalysisOutcome::Complete)
        throw Error("analysis of " + clip.string() + " did not complete: " + result.error);
    run.frames = result.frames_stored;
    run.frames_per_second = static_cast<double>(run.frames) / seconds;
    return run;
}

MainFaces storedFaces(const std::filesystem::path& database, std::int64_t session) {
    const SessionStore store(database);
    MainFaces faces;
    for (const auto& frame : store.frames(session)) {
        if (frame.faces.empty())
            faces.emplace_back();
        else
            faces.emplace_back(frame.faces.front().probabilities);
    }
    return faces;
}

void compare(PathFigures& figures, const MainFaces& faces, const MainFaces& reference) {
    figures.frames = static_cast<std::int64_t>(faces.size());
    std::int64_t found = 0;
    std::int64_t both = 0;
    std::int64_t agreeing = 0;
    double dp_sum = 0.0;
    for (std::size_t i = 0; i < faces.size(); ++i) {
        if (!faces[i])
            continue;
        ++found;
        if (i >= reference.size() || !reference[i] || faces[i]->empty())
            continue;
        ++both;
        const auto& p = *faces[i];
        const auto& q = *reference[i];
        double sum = 0.0;
        for (std::size_t k = 0; k < p.size() && k < q.size(); ++k)
            sum += std::abs(static_cast<double>(p[k]) - q[k]);
        dp_sum += sum / static_cast<double>(p.size());
        agreeing += topClass(p) == topClass(q) ? 1 : 0;
    }
    const auto share = [](std::int64_t part, std::int64_t whole) {
        return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
    };
    figures.face_found_rate = share(found, figures.frames);
    figures.mean_abs_dp = both > 0 ? dp_sum / static_cast<double>(both) : 0.0;
    figures.top_class_agreement = share(agreeing, both);
}

double peakResidentMib() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with("VmHWM:"))
            return std::stod(line.substr(6)) / 1024.0;
    }
    return 0.0;
}

LongFigures runLong(const AnalysisBenchOptions& options) {
    LongFigures figures;
    figures.minutes = options.long_minutes;
    const auto clip = makeRecording(options.data, options.work, options.long_minutes * 60.0);
    const auto database = options.work / "long.sqlite";
    figures.rss_before_mib = static_cast<double>(residentBytes()) / (1024.0 * 1024.0);
    std::ofstream("/proc/self/clear_refs") << "5";  // resets VmHWM to the current RSS
    std::cerr << "analysis: " << options.long_minutes << "-minute recording...\n";
    const StoredRun run = runStored(options, clip, database, options.detect_every);
    figures.peak_rss_mib = peakResidentMib();
    figures.frames = run.frames;
    figures.frames_per_second = run.frames_per_second;
    const auto opening = SteadyClock::now();
    const SessionStore store(database);
    const auto info = store.session(run.session);
    const auto opened = SteadyClock::now();
    const auto frames = store.frames(run.session);
    figures.reopen_ms = millisecondsBetween(opening, opened);
    figures.read_frames_ms = millisecondsBetween(opened, SteadyClock::now());
    if (static_cast<std::int64_t>(frames.size()) != info.frames_stored)
        throw Error("the long session reads back " + std::to_string(frames.size()) + " frames, " +
                    std::to_string(info.frames_stored) + " stored");
    return figures;
}

}  // namespace

AnalysisReport runAnalysisBench(const AnalysisBenchOptions& options) {
    AnalysisReport report;
    report.clip_description = recordingRecipe();
    const auto clip = makeRecording(options.data, options.work, options.clip_seconds);
    const auto database = options.work / "analysis.sqlite";
    PathFigures live{.name = "live path: FrameAnalyzer on every frame (Pipeline, lossless)"};
    PathFigures every{.name = "analyzeRecording, detector on every frame"};
    PathFigures tracked{.name = "analyzeRecording, detector every " +
                                std::to_string(options.detect_every) + "th frame, tracked"};
    MainFaces reference;
    // Interleaved, so a change in the machine's load hits every path alike.
    for (int run = 0; run < options.runs; ++run) {
        std::cerr << "analysis: run " << run + 1 << " of " << options.runs << "\n";
        live.frames_per_second.push_back(runLive(options, clip, reference));
        for (auto* figures : {&every, &tracked}) {
            const int detect_every = figures == &every ? 1 : options.detect_every;
            const auto stored = runStored(options, clip, database, detect_every);
            figures->frames_per_second.push_back(stored.frames_per_second);
            if (run == 0)
                compare(*figures, storedFaces(database, stored.session), reference);
        }
        if (run == 0)
            compare(live, reference, reference);
    }
    report.paths = {live, every, tracked};
    if (options.long_minutes > 0.0) {
        report.long_run = runLong(options);
        report.long_run_done = true;
    }
    return report;
}

std::string analysisMarkdown(const AnalysisReport& report) {
    std::ostringstream out;
    out << "Recording: " << report.clip_description << ".\n\n"
        << "| path | frames | frames/s (median) | runs | x live | face found | mean abs dp vs "
           "live | top class = live |\n|---|---|---|---|---|---|---|---|\n";
    const double live_fps = summarize(report.paths.front().frames_per_second).p50;
    for (const auto& path : report.paths) {
        const double fps = summarize(path.frames_per_second).p50;
        std::string runs;
        for (double value : path.frames_per_second)
            runs += (runs.empty() ? "" : ", ") + fixed(value, 0);
        out << "| " << path.name << " | " << path.frames << " | " << fixed(fps, 0) << " | " << runs
            << " | " << fixed(fps / live_fps, 2) << " | " << fixed(path.face_found_rate * 100.0, 2)
            << " % | " << fixed(path.mean_abs_dp, 4) << " | "
            << fixed(path.top_class_agreement * 100.0, 1) << " % |\n";
    }
    if (report.long_run_done) {
        const auto& run = report.long_run;
        out << "\nLong recording: " << fixed(run.minutes, 0) << " minutes, " << run.frames
            << " frames, analysed at " << fixed(run.frames_per_second, 0)
            << " frames/s; resident memory " << fixed(run.rss_before_mib, 0) << " MiB before, peak "
            << fixed(run.peak_rss_mib, 0) << " MiB during the analysis; reopening the session "
            << fixed(run.reopen_ms, 1) << " ms, reading all its frames "
            << fixed(run.read_frames_ms, 0) << " ms.\n";
    }
    return out.str();
}

}  // namespace emotrace::bench
