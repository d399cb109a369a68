#include "store_run.h"

#include <chrono>
#include <cmath>
#include <optional>
#include <stop_token>

#include "emotrace/analysis_lock.h"
#include "emotrace/error.h"
#include "emotrace/progress_bar.h"
#include "emotrace/recording_analysis.h"
#include "emotrace/result_csv.h"
#include "emotrace/session_export.h"
#include "emotrace/session_store.h"
#include "emotrace/session_summary.h"
#include "run_setup.h"
#include "session_exports.h"

namespace emotrace::analyze {

namespace {

// Stored frames are read back in slices, so writing a two-hour session needs little memory.
constexpr std::int64_t kReadSlice = 10000;

struct Models {
    std::unique_ptr<EmotionClassifier> classifier;
    std::unique_ptr<FaceDetector> detector;
    std::optional<std::filesystem::path> model_path;
    std::string model_hash;
    DetectorKind detector_kind = DetectorKind::YuNet2023;
};

RecordingFacts describeRecording(const std::filesystem::path& video) {
    try {
        return recordingFacts(video);
    } catch (const SourceError& e) {
        throw SetupFailure(kExitVideo, e.what());
    }
}

AnalysisSetup setupFor(const Models& models, const AnalyzeOptions& options) {
    AnalysisSetup setup;
    if (models.classifier) {
        const auto& info = models.classifier->info();
        setup.model_path = std::filesystem::absolute(*models.model_path).string();
        setup.model_architecture = info.architecture;
        setup.model_hash = models.model_hash;
        setup.model_description = info.description;
        setup.labels = info.labels;
    }
    setup.detector = toString(models.detector_kind);
    setup.detector_version = defaultModelPath(models.detector_kind).filename().string();
    setup.detect_every = options.detect_every;
    setup.emotrace_version = EMOTRACE_VERSION;
    return setup;
}

// The stored session to continue or reuse, or a new one. Says on `err` which it is.
SessionInfo sessionFor(SessionStore& store, const RecordingFacts& facts, const AnalysisSetup& setup,
                       const std::string& video, std::ostream& err) {
    if (auto found = store.findSession(facts.content_hash, setup.model_hash)) {
        if (found->setup.detector == setup.detector &&
            found->setup.detect_every == setup.detect_every) {
            if (found->recording.path != facts.path)
                store.relocateRecording(found->id, facts.path);
            if (found->state == AnalysisState::Complete) {
                err << kPrefix << video << " was analysed before with this model (session "
                    << found->id << " in " << store.path().string()
                    << "): writing its results from the store without analysing it again\n";
            } else if (found->frames_stored > 0) {
                err << kPrefix << "resuming the unfinished analysis of " << video << " (session "
                    << found->id << ") at frame " << found->frames_stored << '\n';
            }
            return store.session(found->id);
        }
        err << kPrefix << "session " << found->id << " of " << video << " used detector "
            << found->setup.detector << " every " << found->setup.detect_every
            << " frames: analysing it again as asked, in a new session\n";
    }
    return store.session(store.createSession(facts, setup));
}

// The CSV (every stored frame) and the aggregate the summary is made of.
void writeStoredFrames(const SessionStore& store, std::int64_t session, ResultCsvWriter& csv,
                       SessionAggregator& aggregate) {
    const std::int64_t stored = store.session(session).frames_stored;
    for (std::int64_t first = 0; first < stored; first += kReadSlice) {
        for (const auto& record : store.frames(session, first, kReadSlice)) {
            const FrameResult result = asFrameResult(record);
            csv.write(result);
            aggregate.add(result, record.faces);
        }
    }
    csv.close();
}

AnalysisResult analyse(SessionStore& store, const SessionInfo& session, Models& models,
                       const AnalyzeOptions& options, std::ostream& err) {
    std::optional<ProgressBar> progress;
    if (options.progress) {
        ProgressBarOptions bar;
        bar.interactive = stderrIsTerminal();
        bar.done_before = session.frames_stored;  // a resumed run's speed is its own
        progress.emplace(err, session.recording.frame_count, bar);
    }
    RecordingAnalysisOptions analysis;
    analysis.detect_every = session.setup.detect_every;
    AnalysisCallbacks callbacks;
    std::int64_t done = session.frames_stored;
    callbacks.on_progress = [&](const AnalysisProgress& now) {
        done = now.frames_done;
        if (progress)
            progress->update(done);
    };
    // Nothing cancels a headless run: a killed process keeps what was committed and resumes.
    std::stop_source never_stopped;
    try {
        auto result = analyzeRecording(store, session.id, *models.detector, models.classifier.get(),
                                       analysis, never_stopped.get_token(), callbacks);
        if (progress)
            progress->finish(result.frames_stored);
        return result;
    } catch (...) {
        if (progress)
            progress->finish(done);
        throw;
    }
}

// Held for the whole analysis of one recording, so a second emotrace on the same recording and
// store neither resumes the session this one is writing nor touches its outputs.
AnalysisLock lockRecording(const SessionStore& store, const RecordingFacts& facts,
                           const AnalysisSetup& setup, const AnalyzeOptions& options,
                           const RecordingJob& job, std::ostream& err) {
    const auto key = AnalysisLock::keyFor(facts.content_hash, setup.model_hash);
    if (auto lock = AnalysisLock::tryAcquire(store.path(), key))
        return std::move(*lock);
    if (!options.wait_for_other_analysis) {
        throw SetupFailure(kExitBusy, "another emotrace process is analysing " +
                                          job.video.string() + " with this model into " +
                                          store.path().string() +
                                          " right now; nothing was written. Run again when it has "
                                          "finished (or add --wait to wait for it)");
    }
    err << kPrefix << "another emotrace process is analysing " << job.video.string()
        << " into this store: waiting for it to finish\n";
    return AnalysisLock::acquire(store.path(), key);
}

// Exports first, the summary last: the summary's exit_status and error say how the run ended.
void writeExports(const SessionStore& store, std::int64_t session, const AnalyzeOptions& options,
                  const RecordingJob& job, SessionSummary& summary, std::ostream& err) {
    if (!options.export_dir)
        return;
    try {
        writeSessionExports(store, session, *options.export_dir, job.video.stem().string(),
                            options.output_mode, err);
    } catch (const OutputError& e) {
        err << kPrefix << e.what() << '\n';
        if (summary.exit_status == kExitOk) {
            summary.exit_status = kExitOutput;
            summary.error = e.what();
        }
    }
}

int analyseOne(SessionStore& store, Models& models, const AnalyzeOptions& options,
               const RecordingJob& job, std::ostream& err) {
    const RecordingFacts facts = describeRecording(job.video);
    const AnalysisSetup setup = setupFor(models, options);
    checkWritable(job.csv);
    checkWritable(job.json);
    const AnalysisLock lock = lockRecording(store, facts, setup, options, job, err);
    ResultCsvWriter csv(job.csv, setup.labels, options.output_mode);

    SessionSummary summary;
    summary.input_path = job.video.string();
    summary.csv_path = job.csv.string();
    summary.emotrace_version = EMOTRACE_VERSION;
    summary.source = {job.video.filename().string(), facts.fps, facts.width, facts.height,
                      facts.frame_count};
    if (models.classifier)
        summary.model = ModelDescription{models.model_path->string(), setup.model_architecture};
    summary.detector = models.detector->name();
    summary.frames_processed = 0;

    const SessionInfo session = sessionFor(store, facts, setup, job.video.string(), err);
    if (session.state != AnalysisState::Complete) {
        const auto started = SteadyClock::now();
        const AnalysisResult result = analyse(store, session, models, options, err);
        summary.processing_seconds =
            std::chrono::duration<double>(SteadyClock::now() - started).count();
        // After a resume, only this run's frames count towards its speed.
        summary.frames_processed = result.frames_stored - session.frames_stored;
        if (result.outcome == AnalysisOutcome::Broken) {
            summary.exit_status = kExitVideoBroke;
            summary.error = "video file " + job.video.string() + ": " + result.error;
            err << kPrefix << summary.error << '\n';
        }
    }
    if (options.resting_face_first_seconds > 0.0 && summary.exit_status == kExitOk)
        takeRestingFaceFromStart(store, session.id, options.resting_face_first_seconds, err);
    SessionAggregator aggregate(setup.labels);
    writeStoredFrames(store, session.id, csv, aggregate);
    writeExports(store, session.id, options, job, summary, err);
    writeSummaryJson(job.json, summary, aggregate, options.output_mode);
    err << kPrefix << aggregate.framesAnalysed() << " frames of " << job.video.string()
        << " in session " << session.id << ", a face in "
        << static_cast<int>(aggregate.facePresentShare() * 100.0 + 0.5) << "% of them";
    if (summary.processing_seconds > 0.0) {
        const double fps =
            static_cast<double>(summary.frames_processed) / summary.processing_seconds;
        err << " (" << summary.frames_processed << " analysed in this run, "
            << static_cast<int>(fps + 0.5) << " frames/s)";
    }
    err << "; wrote " << job.csv.string() << " and " << job.json.string() << '\n';
    return summary.exit_status;
}

// One video of the batch; a failure is reported and ends this video only.
int runJob(SessionStore& store, Models& models, const AnalyzeOptions& options,
           const RecordingJob& job, std::ostream& err) {
    try {
        return analyseOne(store, models, options, job, err);
    } catch (const SetupFailure& e) {
        err << kPrefix << e.what() << '\n';
        return e.code();
    } catch (const std::invalid_argument& e) {
        err << kPrefix << "unexpected error: " << e.what() << '\n';
        return kExitUnexpected;
    } catch (...) {
        const auto [code, message] = exitStatusOf(std::current_exception());
        err << kPrefix << message << '\n';
        if (code == kExitVideoBroke || code == kExitOutput)
            err << kPrefix << "what was analysed of " << job.video.string()
                << " before this is kept in the session store\n";
        return code;
    }
}

}  // namespace

int runIntoStore(const AnalyzeOptions& options, std::ostream& err) {
    // One LibTorch thread unless asked: decoding has a thread of its own, and two LibTorch
    // threads stall each other whenever another program takes a core (on the loaded 2-core
    // machine 36-74 frames/s against 153-185 with one; docs/benchmarks.md).
    if (options.threads > 0)
        setThreads(options.threads);
    else
        setInferenceThreads(1);
    Models models;
    std::optional<SessionStore> store;
    try {
        models.classifier = loadModel(options.model, err);
        if (models.classifier) {
            models.model_path = options.model;
            models.model_hash = modelFingerprint(*options.model);
        }
        models.detector_kind = options.detector;
        models.detector = loadDetector(options.detector);
        store.emplace(options.store.value_or(defaultStorePath()));
    } catch (const SetupFailure& e) {
        err << kPrefix << e.what() << '\n';
        return e.code();
    } catch (const StoreError& e) {
        err << kPrefix << e.what() << '\n';
        return kExitOutput;
    }
    int first_failure = kExitOk;
    for (const auto& job : recordingJobs(options)) {
        const int code = runJob(*store, models, options, job, err);
        if (first_failure == kExitOk)
            first_failure = code;
    }
    return first_failure;
}

}  // namespace emotrace::analyze
