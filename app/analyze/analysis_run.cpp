#include "analysis_run.h"

#include <chrono>
#include <exception>
#include <fstream>
#include <future>
#include <optional>
#include <thread>
#include <tuple>

#include <opencv2/core.hpp>

#include "emotrace/emotion_classifier.h"
#include "emotrace/error.h"
#include "emotrace/face_detector.h"
#include "emotrace/frame_source.h"
#include "emotrace/pipeline.h"
#include "emotrace/progress_bar.h"
#include "emotrace/result_csv.h"
#include "emotrace/session_summary.h"
#include "failure_recording.h"
#include "run_setup.h"

namespace emotrace::analyze {
namespace {

// Where each analysed frame goes; called on the pipeline's worker thread.
class ResultSink {
  public:
    ResultSink(const std::filesystem::path& csv, const std::vector<std::string>& labels,
               unsigned mode, std::int64_t total_frames, std::ostream* progress_out)
        : csv_(csv, labels, mode), aggregate_(labels) {
        if (progress_out) {
            ProgressBarOptions progress;
            progress.interactive = stderrIsTerminal();
            progress_.emplace(*progress_out, total_frames, progress);
        }
    }

    void record(const FrameResult& result) {
        csv_.write(result);
        aggregate_.add(result);
        if (progress_)
            progress_->update(aggregate_.framesAnalysed());
    }
    // Ends the progress line so that messages start on a line of their own.
    void finishProgress() {
        if (progress_)
            progress_->finish(aggregate_.framesAnalysed());
    }
    void closeCsv() { csv_.close(); }
    const SessionAggregator& aggregate() const { return aggregate_; }

  private:
    ResultCsvWriter csv_;
    SessionAggregator aggregate_;
    std::optional<ProgressBar> progress_;
};

struct Setup {
    std::unique_ptr<FrameSource> source;
    std::unique_ptr<FrameAnalyzer> analyzer;
    std::vector<std::string> labels;
};

// Opens everything in the order of the exit codes, so the first problem found is the one
// reported, and fills the summary's description of the inputs.
Setup prepare(const AnalyzeOptions& options, const RecordingJob& job, FirstFailure& failure,
              SessionSummary& summary, std::ostream& err) {
    setThreads(options.threads);
    Setup setup;
    auto source = openVideo(job.video);
    summary.source = source->info();
    setup.source = std::make_unique<RecordingFrameSource>(std::move(source), failure);
    auto classifier = loadModel(options.model, err);
    if (classifier) {
        setup.labels = classifier->info().labels;
        summary.model = ModelDescription{options.model->string(), classifier->info().architecture};
        classifier = std::make_unique<RecordingEmotionClassifier>(std::move(classifier), failure);
    }
    auto detector = loadDetector(options.detector);
    summary.detector = detector->name();
    setup.analyzer = std::make_unique<FrameAnalyzer>(
        std::make_unique<RecordingFaceDetector>(std::move(detector), failure),
        std::move(classifier));
    return setup;
}

// Decoding on the capture thread overlaps detection and classification on the worker; the
// lossless slot makes the capture wait instead of dropping, so every frame is analysed.
// Measured on the 2-core dev machine, shared with other builds (load 8-9; liveportrait_d12,
// ResNet18, median of 4): 35 frames/s here, 6 for one thread taking turns, whose two LibTorch
// threads stall behind decoding; with --threads 1, 30 here and 34 taking turns; without a
// model 83 against 72. At load 3, one pair of runs gave 77 here against 95 taking turns:
// re-measure on an idle machine before changing this.
void analyseInPipeline(Setup& setup, ResultSink& sink, FirstFailure& failure) {
    std::promise<std::string> finished;
    PipelineCallbacks callbacks;
    callbacks.on_result = [&](FrameResult result) { failure.run([&] { sink.record(result); }); };
    callbacks.on_finished = [&](const std::string& error) { finished.set_value(error); };
    Pipeline pipeline(std::move(setup.source), std::move(setup.analyzer), std::move(callbacks),
                      SlotPolicy::Lossless);
    pipeline.start();
    const std::string error = finished.get_future().get();
    if (auto first = failure.get())
        std::rethrow_exception(first);
    if (!error.empty())
        throw Error(error);  // from a part no wrapper records
}

void reportSuccess(const SessionSummary& summary, const SessionAggregator& aggregate,
                   const RecordingJob& job, std::ostream& err) {
    const double fps =
        summary.processing_seconds > 0.0
            ? static_cast<double>(aggregate.framesAnalysed()) / summary.processing_seconds
            : 0.0;
    err << kPrefix << aggregate.framesAnalysed() << " frames, a face in "
        << static_cast<int>(aggregate.facePresentShare() * 100.0 + 0.5) << "% of them, in "
        << formatDuration(
               std::chrono::seconds{static_cast<std::int64_t>(summary.processing_seconds + 0.5)})
        << " (" << static_cast<int>(fps + 0.5) << " frames/s); wrote " << job.csv.string()
        << " and " << job.json.string() << '\n';
}

}  // namespace

int runAnalysis(const AnalyzeOptions& options, const RecordingJob& job, std::ostream& err) {
    SessionSummary summary;
    summary.input_path = job.video.string();
    summary.csv_path = job.csv.string();
    summary.emotrace_version = EMOTRACE_VERSION;
    FirstFailure failure;
    Setup setup;
    std::optional<ResultSink> sink;
    try {
        setup = prepare(options, job, failure, summary, err);
        checkWritable(job.json);
        sink.emplace(job.csv, setup.labels, options.output_mode, summary.source.frame_count,
                     options.progress ? &err : nullptr);
    } catch (const SetupFailure& e) {
        err << kPrefix << e.what() << '\n';
        return e.code();
    } catch (const OutputError& e) {
        err << kPrefix << e.what() << '\n';
        return kExitOutput;
    }

    const auto started = SteadyClock::now();
    std::exception_ptr ended_early;
    try {
        analyseInPipeline(setup, *sink, failure);
        sink->closeCsv();
    } catch (...) {
        ended_early = std::current_exception();
    }
    summary.processing_seconds =
        std::chrono::duration<double>(SteadyClock::now() - started).count();
    sink->finishProgress();
    if (ended_early) {
        std::tie(summary.exit_status, summary.error) = exitStatusOf(ended_early);
        err << kPrefix << summary.error << '\n';
        if (summary.exit_status == kExitVideoBroke) {
            // The rows before the break are valid results: publish them.
            try {
                sink->closeCsv();
                err << kPrefix << "the " << sink->aggregate().framesAnalysed()
                    << " frames before the break are in " << job.csv.string() << '\n';
            } catch (const OutputError& e) {
                err << kPrefix << e.what() << '\n';
            }
        }
    }
    try {
        writeSummaryJson(job.json, summary, sink->aggregate(), options.output_mode);
    } catch (const OutputError& e) {
        err << kPrefix << e.what() << '\n';
        return ended_early ? summary.exit_status : kExitOutput;
    }
    if (!ended_early)
        reportSuccess(summary, sink->aggregate(), job, err);
    return summary.exit_status;
}

}  // namespace emotrace::analyze
