#include "live_store_bench.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "emotrace/emotion_classifier.h"
#include "emotrace/live_session_writer.h"
#include "live_run.h"

namespace emotrace::bench {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;
using Clock = std::chrono::steady_clock;

std::int64_t sizeOrZero(const std::filesystem::path& file) {
    std::error_code error;
    const auto size = std::filesystem::file_size(file, error);
    return error ? 0 : static_cast<std::int64_t>(size);
}

std::int64_t storeBytes(const std::filesystem::path& store) {
    return sizeOrZero(store) + sizeOrZero(store.string() + "-wal") +
           sizeOrZero(store.string() + "-shm");
}

AnalysisSetup setupFor(const PipelineBenchOptions& options) {
    AnalysisSetup setup;
    setup.model_path = options.model.string();
    setup.labels = loadEmotionClassifier(options.model)->info().labels;
    setup.detector = toString(options.detector.kind);
    setup.emotrace_version = EMOTRACE_VERSION;
    return setup;
}

KeepingRun runKeeping(const PipelineBenchOptions& options, Keeping keeping,
                      const AnalysisSetup& setup, const std::filesystem::path& folder) {
    KeepingRun run;
    run.keeping = keeping;
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);
    const auto store = folder / "sessions.sqlite";
    std::unique_ptr<LiveSessionWriter> writer;
    if (keeping != Keeping::Off) {
        LiveSessionFacts facts;
        facts.source = options.clip.string();
        facts.fps = 30.0;
        facts.width = 640;
        facts.height = 480;
        LiveSessionOptions writer_options;
        writer_options.record = keeping == Keeping::StoreAndRecording;
        writer = std::make_unique<LiveSessionWriter>(store, facts, setup, writer_options);
    }
    auto* kept = writer.get();
    run.pipeline = runLive(options, openLoopingVideo(options.clip), options.seconds, 1.0, {},
                           [kept](const FrameResult& result) {
                               if (kept)
                                   kept->add(result);
                           });
    if (writer) {
        const auto start = Clock::now();
        writer->finish();
        run.finish_ms = millisecondsBetween(start, Clock::now());
        run.readings_kept = writer->framesKept();
        run.readings_dropped = writer->framesDropped();
        run.frames_recorded = writer->framesRecorded();
        run.store_bytes = storeBytes(store);
        if (!writer->recordingPath().empty())
            run.recording_bytes = sizeOrZero(writer->recordingPath());
        run.problem = writer->failure().value_or(writer->recordingFailure().value_or(""));
    }
    std::cerr << "  " << options.faces << " face(s), " << toString(keeping) << ": "
              << fixed(run.pipeline.processed_fps) << " fps, " << run.pipeline.frames_dropped
              << " dropped, latency p95 " << fixed(run.pipeline.latency_ms.p95) << " ms"
              << (run.problem.empty() ? "" : " (" + run.problem + ")") << "\n";
    return run;
}

// Readings as the pipeline makes them for `faces` people, at 30 fps of session time: boxes
// drifting, probabilities that change every frame (nothing compresses better than real data).
FrameResult simulatedReading(std::int64_t n, int faces, std::size_t labels, std::mt19937& random) {
    FrameResult result;
    result.frame_index = n;
    result.timestamp_ms = static_cast<double>(n) * 1000.0 / 30.0;
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    for (int face = 0; face < faces; ++face) {
        FaceResult found;
        const float drift = static_cast<float>(n % 600) * 0.05f;
        found.box = {40.0f + 150.0f * static_cast<float>(face) + drift, 60.0f, 120.0f, 140.0f};
        found.detection_confidence = 0.8f + 0.2f * unit(random);
        float total = 0.0f;
        for (std::size_t i = 0; i < labels; ++i)
            total += found.probabilities.emplace_back(unit(random));
        for (auto& p : found.probabilities)
            p /= total;
        result.faces.push_back(std::move(found));
    }
    return result;
}

LongSessionFigures simulateLongSession(const AnalysisSetup& setup,
                                       const std::filesystem::path& folder, double hours) {
    LongSessionFigures figures;
    figures.hours = hours;
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);
    const auto store = folder / "sessions.sqlite";
    const auto readings = static_cast<std::int64_t>(hours * 3600.0 * 30.0);
    const std::int64_t per_minute = 30 * 60;
    std::mt19937 random(7);
    const auto start = Clock::now();
    {
        LiveSessionWriter writer(store, {"simulated", "", 30.0, 640, 480, ""}, setup);
        figures.rss_by_minute.emplace_back(0.0, residentBytes());
        for (std::int64_t n = 0; n < readings; ++n) {
            writer.add(simulatedReading(n, figures.faces, setup.labels.size(), random));
            // Faster than real time, but never faster than the writer keeps up: a live source
            // gives it 250 ms of readings per commit, this gives it up to 900.
            while (n + 1 - writer.framesKept() - writer.framesDropped() > 900)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            if ((n + 1) % (10 * per_minute) == 0) {
                figures.rss_by_minute.emplace_back(static_cast<double>(n + 1) / per_minute,
                                                   residentBytes());
                std::cerr << "  simulated " << (n + 1) / per_minute << " min: RSS "
                          << fixed(residentBytes() / kMiB, 0) << " MiB, store "
                          << fixed(storeBytes(store) / kMiB, 1) << " MiB\n";
            }
        }
        writer.finish();
        figures.readings = writer.framesKept();
        figures.dropped = writer.framesDropped();
    }
    figures.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    figures.store_bytes = storeBytes(store);
    std::int64_t baseline = 0;
    for (const auto& [minute, bytes] : figures.rss_by_minute) {
        if (minute >= figures.warmup_minutes) {
            baseline = bytes;
            break;
        }
    }
    if (baseline > 0) {
        figures.growth_percent =
            100.0 * static_cast<double>(figures.rss_by_minute.back().second - baseline) /
            static_cast<double>(baseline);
    }
    return figures;
}

std::string ratio(double value, double baseline) {
    return baseline > 0.0 ? fixed(value / baseline, 3) : "-";
}

double median(std::vector<double> values) {
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    const auto middle = values.size() / 2;
    return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2.0;
}

struct ConditionMedians {
    int faces = 0;
    Keeping keeping = Keeping::Off;
    int rounds = 0;
    double fps = 0.0;
    double p50 = 0.0;
    double p95 = 0.0;
    std::int64_t dropped = 0;  // over all rounds
    std::int64_t kept = 0, lost = 0, recorded = 0;
};

ConditionMedians mediansOf(const std::vector<KeepingRun>& runs, int faces, Keeping keeping) {
    ConditionMedians medians{faces, keeping};
    std::vector<double> fps, p50, p95;
    for (const auto& run : runs) {
        if (run.pipeline.options.faces != faces || run.keeping != keeping)
            continue;
        ++medians.rounds;
        fps.push_back(run.pipeline.processed_fps);
        p50.push_back(run.pipeline.latency_ms.p50);
        p95.push_back(run.pipeline.latency_ms.p95);
        medians.dropped += run.pipeline.frames_dropped;
        medians.kept += run.readings_kept;
        medians.lost += run.readings_dropped;
        medians.recorded += run.frames_recorded;
    }
    medians.fps = median(fps);
    medians.p50 = median(p50);
    medians.p95 = median(p95);
    return medians;
}

}  // namespace

std::string toString(Keeping keeping) {
    switch (keeping) {
        case Keeping::Off:
            return "store off";
        case Keeping::Store:
            return "store on";
        case Keeping::StoreAndRecording:
            return "store + recording";
    }
    return "";
}

LiveStoreReport runLiveStoreBench(const PipelineBenchOptions& one_face,
                                  const PipelineBenchOptions& four_faces,
                                  const std::filesystem::path& work, int rounds,
                                  double long_hours) {
    LiveStoreReport report;
    const auto setup = setupFor(one_face);
    constexpr std::array kConditions = {Keeping::Off, Keeping::Store, Keeping::StoreAndRecording};
    for (const auto* options : {&one_face, &four_faces}) {
        for (int round = 0; round < rounds; ++round) {
            for (std::size_t i = 0; i < kConditions.size(); ++i) {
                const auto keeping = kConditions[(i + static_cast<std::size_t>(round)) % 3];
                auto run = runKeeping(*options, keeping, setup, work / "live-store");
                run.round = round;
                report.runs.push_back(std::move(run));
            }
        }
    }
    if (long_hours > 0.0)
        report.long_session = simulateLongSession(setup, work / "live-store-long", long_hours);
    return report;
}

std::string liveStoreMarkdown(const LiveStoreReport& report) {
    std::ostringstream out;
    out << "### Live sessions kept: the pipeline with the store off, on, and recording\n\n"
        << "The bench's 640x480 clip played at its own 30 fps through the real pipeline, "
        << report.runs.front().pipeline.options.seconds
        << " s measured after a warm-up in each run; every condition run once per round, the "
           "order rotating from round to round, all in one process. Medians over the rounds; "
           "ratios against the store-off median of the same face count.\n\n"
        << "| faces | keeping | rounds | fps (median) | latency p50 / p95 (ms, medians) | fps "
           "ratio | p95 ratio | frames dropped (all rounds) | readings kept / lost | frames "
           "recorded |\n"
        << "|---|---|---|---|---|---|---|---|---|---|\n";
    for (const int faces : {1, 4}) {
        const auto off = mediansOf(report.runs, faces, Keeping::Off);
        for (const auto keeping : {Keeping::Off, Keeping::Store, Keeping::StoreAndRecording}) {
            const auto m = mediansOf(report.runs, faces, keeping);
            if (m.rounds == 0)
                continue;
            const bool kept = keeping != Keeping::Off;
            out << "| " << faces << " | " << toString(keeping) << " | " << m.rounds << " | "
                << fixed(m.fps) << " | " << fixed(m.p50) << " / " << fixed(m.p95) << " | "
                << ratio(m.fps, off.fps) << " | " << ratio(m.p95, off.p95) << " | " << m.dropped
                << " | " << (kept ? std::to_string(m.kept) + " / " + std::to_string(m.lost) : "-")
                << " | "
                << (keeping == Keeping::StoreAndRecording ? std::to_string(m.recorded) : "-")
                << " |\n";
        }
    }
    out << "\nEvery run, in the order run:\n\n"
        << "| faces | round | keeping | fps processed | dropped | latency p50 / p95 / p99 (ms) "
           "| kept / dropped readings | store | recorded frames | recording | finish (ms) |\n"
        << "|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& run : report.runs) {
        const auto& pipeline = run.pipeline;
        const bool kept = run.keeping != Keeping::Off;
        out << "| " << pipeline.options.faces << " | " << run.round + 1 << " | "
            << toString(run.keeping) << " | " << fixed(pipeline.processed_fps) << " | "
            << pipeline.frames_dropped << " | " << fixed(pipeline.latency_ms.p50) << " / "
            << fixed(pipeline.latency_ms.p95) << " / " << fixed(pipeline.latency_ms.p99) << " | "
            << (kept ? std::to_string(run.readings_kept) + " / " +
                           std::to_string(run.readings_dropped)
                     : "-")
            << " | " << (kept ? fixed(run.store_bytes / kMiB, 2) + " MiB" : "-") << " | "
            << (run.keeping == Keeping::StoreAndRecording ? std::to_string(run.frames_recorded)
                                                          : "-")
            << " | "
            << (run.recording_bytes > 0 ? fixed(run.recording_bytes / kMiB, 2) + " MiB" : "-")
            << " | " << (kept ? fixed(run.finish_ms, 1) : "-") << " |"
            << (run.problem.empty() ? "" : " " + run.problem) << "\n";
    }
    const auto& long_session = report.long_session;
    if (long_session.readings > 0) {
        out << "\n### A simulated " << fixed(long_session.hours, 1)
            << "-hour live session: the writer's memory and the store's size\n\n"
            << long_session.readings << " readings of " << long_session.faces
            << " face (30 fps of session time, generated as fast as the writer commits them: "
            << fixed(long_session.wall_seconds, 0) << " s of wall time), " << long_session.dropped
            << " dropped. Without a recording.\n\n"
            << "| session minute | RSS (MiB) |\n|---|---|\n";
        for (const auto& [minute, bytes] : long_session.rss_by_minute)
            out << "| " << fixed(minute, 0) << " | " << fixed(bytes / kMiB, 1) << " |\n";
        out << "\n- RSS growth from minute " << fixed(long_session.warmup_minutes, 0)
            << " to the end: " << fixed(long_session.growth_percent, 2) << " %\n"
            << "- store after the session: " << fixed(long_session.store_bytes / kMiB, 1)
            << " MiB\n";
    }
    return out.str();
}

}  // namespace emotrace::bench
