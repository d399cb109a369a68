#include "session_controller.h"

#include <utility>

#include "emotrace/error.h"

namespace emotrace::ui {
namespace {

// The pipeline owns its analyzer and the analyzer its classifier, but the model is loaded once
// per run of the app and used by every session: each session borrows it. Only one pipeline
// exists at a time, and its threads are joined before the next one starts.
class BorrowedClassifier : public EmotionClassifier {
  public:
    explicit BorrowedClassifier(std::shared_ptr<EmotionClassifier> model)
        : model_(std::move(model)) {}
    const ModelInfo& info() const override { return model_->info(); }
    std::vector<std::vector<float>> classify(std::span<const cv::Mat> faces) override {
        return model_->classify(faces);
    }

  private:
    std::shared_ptr<EmotionClassifier> model_;
};

// Often enough for a status bar to feel live, rare enough not to relayout it every frame.
constexpr int kFiguresIntervalMs = 500;

}  // namespace

SessionController::SessionController(DetectorFactory detectors,
                                     std::unique_ptr<EmotionClassifier> classifier, QObject* parent)
    : QObject(parent), detectors_(std::move(detectors)), classifier_(std::move(classifier)) {
    figures_timer_.setInterval(kFiguresIntervalMs);
    connect(&figures_timer_, &QTimer::timeout, this, [this] { emit figuresChanged(figures()); });
}

SessionController::~SessionController() {
    // Join the threads while this object is still whole: after the join no callback can post
    // another call to it, and ~QObject discards the calls already posted.
    pipeline_.reset();
}

bool SessionController::start(std::unique_ptr<FrameSource> source) {
    stop();
    if (!source) {
        emit sessionFailed(tr("No frame source to start."));
        return false;
    }
    const auto session = ++session_;
    try {
        auto analyzer = std::make_unique<FrameAnalyzer>(
            detectors_(),
            classifier_ ? std::make_unique<BorrowedClassifier>(classifier_) : nullptr);
        PipelineCallbacks callbacks;
        // Called on the worker thread. `this` as the context makes the call run on the GUI
        // thread; stop() and the destructor join the worker before `this` can go away.
        callbacks.on_result = [this, session](FrameResult result) {
            QMetaObject::invokeMethod(
                this,
                [this, session, result = std::move(result)]() mutable {
                    deliverResult(session, std::move(result));
                },
                Qt::QueuedConnection);
        };
        callbacks.on_finished = [this, session](const std::string& error) {
            QMetaObject::invokeMethod(
                this, [this, session, error] { deliverFinished(session, error); },
                Qt::QueuedConnection);
        };
        const auto description = QString::fromStdString(source->info().description);
        pipeline_ = std::make_unique<Pipeline>(std::move(source), std::move(analyzer),
                                               std::move(callbacks));
        meter_.reset();
        smoother_.reset();
        pipeline_->start();
        figures_timer_.start();
        emit sessionStarted(description);
        return true;
    } catch (const std::exception& error) {
        pipeline_.reset();
        emit sessionFailed(QString::fromStdString(error.what()));
        return false;
    }
}

void SessionController::stop() {
    if (pipeline_)
        endSession({});
}

void SessionController::setSmoothingSeconds(double seconds) {
    LiveSmoothingOptions options;
    options.seconds = seconds;
    smoother_ = LiveEmotionSmoother(options);
}

std::vector<std::string> SessionController::labels() const {
    return classifier_ ? classifier_->info().labels : std::vector<std::string>{};
}

LiveFigures SessionController::figures() const {
    auto figures = meter_.figures(SteadyClock::now());
    if (!pipeline_)
        figures.results_per_second = 0.0;  // a stopped session shows no rate
    return figures;
}

void SessionController::deliverResult(std::uint64_t session, FrameResult result) {
    if (session != session_ || !pipeline_)
        return;
    meter_.add(SteadyClock::now(), result.latency, result.dropped_frames);
    smoother_.smooth(result);
    emit resultReady(result);
}

void SessionController::deliverFinished(std::uint64_t session, const std::string& error) {
    if (session != session_ || !pipeline_)
        return;
    endSession(QString::fromStdString(error));
}

void SessionController::endSession(const QString& error) {
    // The pipeline's destructor requests stop and joins both threads; each stops within a frame.
    pipeline_.reset();
    figures_timer_.stop();
    emit figuresChanged(figures());
    emit sessionFinished(error);
}

}  // namespace emotrace::ui
