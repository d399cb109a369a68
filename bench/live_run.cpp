#include "live_run.h"

#include <atomic>
#include <condition_variable>
#include <mutex>

#include <opencv2/core.hpp>

#include "emotrace/emotion_classifier.h"
#include "emotrace/pipeline.h"

namespace emotrace::bench {

namespace {

using Clock = std::chrono::steady_clock;

class LoopingVideoSource : public FrameSource {
  public:
    explicit LoopingVideoSource(std::filesystem::path path)
        : path_(std::move(path)), current_(openVideoFile(path_.string(), Pacing::RealTime)) {}

    std::optional<Frame> next(std::stop_token stop) override {
        for (int attempt = 0; attempt < 2; ++attempt) {
            if (auto frame = current_->next(stop)) {
                frame->index += index_offset_;
                frame->timestamp_ms += time_offset_ms_;
                last_index_ = frame->index;
                last_timestamp_ms_ = frame->timestamp_ms;
                return frame;
            }
            if (stop.stop_requested())
                return std::nullopt;
            const double period_ms = 1000.0 / info().fps;
            index_offset_ = last_index_ + 1;
            time_offset_ms_ = last_timestamp_ms_ + period_ms;
            current_ = openVideoFile(path_.string(), Pacing::RealTime);
        }
        return std::nullopt;  // the file ended right after reopening: nothing to loop
    }

    SourceInfo info() const override {
        auto info = current_->info();
        info.frame_count = -1;  // endless
        return info;
    }

  private:
    std::filesystem::path path_;
    std::unique_ptr<FrameSource> current_;
    std::int64_t index_offset_ = 0;
    double time_offset_ms_ = 0.0;
    std::int64_t last_index_ = -1;
    double last_timestamp_ms_ = 0.0;
};

// Lives on the worker thread while the pipeline runs; the main thread reads it after joining.
class RunRecorder {
  public:
    explicit RunRecorder(double warmup_ms) : warmup_ms_(warmup_ms) {}

    bool measuring() const { return measuring_; }
    TimingHistogram& detectTimes() { return detect_ms_; }
    TimingHistogram& classifyTimes() { return classify_ms_; }

    void onResult(const FrameResult& result) {
        if (!measuring_ && result.timestamp_ms < warmup_ms_)
            return;
        const auto now = Clock::now();
        if (!measuring_) {
            measuring_ = true;
            first_at_ = now;
            first_index_ = result.frame_index;
            first_dropped_ = result.dropped_frames;
        }
        last_at_ = now;
        last_index_ = result.frame_index;
        last_dropped_ = result.dropped_frames;
        ++processed_;
        latency_ms_.add(std::chrono::duration<double, std::milli>(result.latency).count());
        faces_ += static_cast<std::int64_t>(result.faces.size());
        frames_with_face_ += result.faces.empty() ? 0 : 1;
    }

    void fill(PipelineReport& report) const {
        report.frames_processed = processed_;
        report.latency_ms = latency_ms_.summary();
        report.detect_ms = detect_ms_.summary();
        report.classify_ms = classify_ms_.summary();
        if (processed_ < 2)
            return;
        const double seconds = std::chrono::duration<double>(last_at_ - first_at_).count();
        report.frames_captured = last_index_ - first_index_ + 1;
        report.frames_dropped = last_dropped_ - first_dropped_;
        report.processed_fps = static_cast<double>(processed_ - 1) / seconds;
        report.captured_fps = static_cast<double>(last_index_ - first_index_) / seconds;
        report.mean_faces = static_cast<double>(faces_) / static_cast<double>(processed_);
        report.face_found_share =
            static_cast<double>(frames_with_face_) / static_cast<double>(processed_);
    }

  private:
    double warmup_ms_;
    bool measuring_ = false;
    Clock::time_point first_at_, last_at_;
    std::int64_t first_index_ = 0, last_index_ = 0;
    std::int64_t first_dropped_ = 0, last_dropped_ = 0;
    std::int64_t processed_ = 0, faces_ = 0, frames_with_face_ = 0;
    TimingHistogram latency_ms_, detect_ms_, classify_ms_;
};

class TimedDetector : public FaceDetector {
  public:
    TimedDetector(std::unique_ptr<FaceDetector> inner, RunRecorder& recorder)
        : inner_(std::move(inner)), recorder_(recorder) {}

    std::vector<Detection> detect(const cv::Mat& bgr) override {
        const auto start = Clock::now();
        auto found = inner_->detect(bgr);
        if (recorder_.measuring())
            recorder_.detectTimes().add(millisecondsBetween(start, Clock::now()));
        return found;
    }
    std::string name() const override { return inner_->name(); }

  private:
    std::unique_ptr<FaceDetector> inner_;
    RunRecorder& recorder_;
};

class TimedClassifier : public EmotionClassifier {
  public:
    TimedClassifier(std::unique_ptr<EmotionClassifier> inner, RunRecorder& recorder)
        : inner_(std::move(inner)), recorder_(recorder) {}

    const ModelInfo& info() const override { return inner_->info(); }
    std::vector<std::vector<float>> classify(std::span<const cv::Mat> faces) override {
        return timed([&] { return inner_->classify(faces); });
    }
    bool readsTiltedFacesApart() const override { return inner_->readsTiltedFacesApart(); }
    std::vector<std::vector<float>> classifyTilted(std::span<const cv::Mat> faces) override {
        return timed([&] { return inner_->classifyTilted(faces); });
    }

  private:
    template <typename Read>
    std::vector<std::vector<float>> timed(Read read) {
        const auto start = Clock::now();
        auto probabilities = read();
        if (recorder_.measuring())
            recorder_.classifyTimes().add(millisecondsBetween(start, Clock::now()));
        return probabilities;
    }

    std::unique_ptr<EmotionClassifier> inner_;
    RunRecorder& recorder_;
};

// The worker's on_finished, handed to the waiting main thread.
class FinishSignal {
  public:
    void finish(const std::string& error) {
        std::lock_guard lock(mutex_);
        finished_ = true;
        error_ = error;
        changed_.notify_all();
    }
    // True when finished before `deadline`.
    bool waitUntil(Clock::time_point deadline) {
        std::unique_lock lock(mutex_);
        return changed_.wait_until(lock, deadline, [&] { return finished_; });
    }
    std::string error() {
        std::lock_guard lock(mutex_);
        return error_;
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    bool finished_ = false;
    std::string error_;
};

}  // namespace

std::unique_ptr<FrameSource> openLoopingVideo(const std::filesystem::path& path) {
    return std::make_unique<LoopingVideoSource>(path);
}

PipelineReport runLive(const PipelineBenchOptions& options, std::unique_ptr<FrameSource> source,
                       double run_seconds, double tick_seconds,
                       const std::function<void(double)>& on_tick,
                       const std::function<void(const FrameResult&)>& also_on_result) {
    setInferenceThreads(options.torch_threads);
    cv::setNumThreads(options.cv_threads);
    PipelineReport report;
    report.options = options;

    RunRecorder recorder(options.warmup_seconds * 1000.0);
    FinishSignal finished;
    auto detector = std::make_unique<TimedDetector>(createFaceDetector(options.detector), recorder);
    report.detector_name = detector->name();
    auto classifier =
        std::make_unique<TimedClassifier>(loadEmotionClassifier(options.model), recorder);
    auto analyzer = std::make_unique<FrameAnalyzer>(std::move(detector), std::move(classifier));
    PipelineCallbacks callbacks{
        .on_result =
            [&recorder, &also_on_result](FrameResult result) {
                if (also_on_result)
                    also_on_result(result);
                recorder.onResult(result);
            },
        .on_finished = [&finished](const std::string& error) { finished.finish(error); }};
    Pipeline pipeline(std::move(source), std::move(analyzer), std::move(callbacks),
                      SlotPolicy::LatestWins);

    const auto start = Clock::now();
    const auto end =
        start + std::chrono::duration_cast<Clock::duration>(
                    std::chrono::duration<double>(options.warmup_seconds + run_seconds));
    pipeline.start();
    bool ended_early = false;
    for (auto tick = start;;) {
        tick += std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(tick_seconds));
        if (finished.waitUntil(std::min(tick, end))) {
            ended_early = true;
            break;
        }
        if (Clock::now() >= end)
            break;
        if (on_tick)
            on_tick(std::chrono::duration<double>(Clock::now() - start).count());
    }
    pipeline.stop();  // joins both threads: the recorder is ours to read from here
    report.dropped_total = pipeline.droppedFrames();
    recorder.fill(report);
    if (ended_early) {
        const std::string error = finished.error();
        report.error = error.empty() ? "the clip ended before the measured time was up" : error;
    }
    return report;
}

}  // namespace emotrace::bench
