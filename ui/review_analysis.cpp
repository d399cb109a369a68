#include "review_analysis.h"

#include <utility>

#include "emotrace/error.h"

namespace emotrace::ui {

AnalysisRunner::AnalysisRunner(QObject* parent) : QObject(parent) {}

AnalysisRunner::~AnalysisRunner() {
    // Join while this object is whole: ~QObject then discards the calls the run had posted.
    cancel();
}

void AnalysisRunner::start(AnalysisWork work) {
    cancel();
    const auto run = ++run_;
    running_ = true;
    worker_ = std::jthread([this, run, work = std::move(work)](std::stop_token stop) {
        // Every call below runs on the GUI thread, and only if no newer run (or cancel) began.
        const auto post = [this, run](auto deliver) {
            QMetaObject::invokeMethod(
                this,
                [this, run, deliver = std::move(deliver)] {
                    if (run == run_)
                        deliver();
                },
                Qt::QueuedConnection);
        };
        AnalysisCallbacks callbacks;
        callbacks.on_progress = [&post, this](const AnalysisProgress& progress) {
            post([this, progress] { emit progressed(progress); });
        };
        callbacks.on_frames = [&post, this](std::span<const FrameRecord> frames) {
            post([this, batch = std::vector<FrameRecord>(frames.begin(), frames.end())] {
                emit framesArrived(batch);
            });
        };
        try {
            const AnalysisResult result = work(stop, callbacks);
            post([this, result] {
                running_ = false;
                emit finished(result);
            });
        } catch (const std::exception& error) {
            post([this, message = QString::fromStdString(error.what())] {
                running_ = false;
                emit failed(message);
            });
        }
    });
}

void AnalysisRunner::cancel() {
    if (!worker_.joinable())
        return;
    worker_.request_stop();
    worker_.join();
    worker_ = {};
    ++run_;  // drops whatever the stopped run posted and has not been delivered
    running_ = false;
}

AnalysisSetup describeSetup(const std::filesystem::path& model_path, const ModelInfo* model,
                            const DetectorOptions& detector, int detect_every) {
    AnalysisSetup setup;
    if (model) {
        setup.model_path = std::filesystem::absolute(model_path).lexically_normal().string();
        setup.model_hash = modelFingerprint(model_path);
        setup.model_architecture = model->architecture;
        setup.model_description = model->description;
        setup.labels = model->labels;
    }
    setup.detector = toString(detector.kind);
    const auto detector_file =
        detector.model_path.empty() ? defaultModelPath(detector.kind) : detector.model_path;
    setup.detector_version = detector_file.filename().string();
    setup.detect_every = detect_every;
    setup.emotrace_version = EMOTRACE_VERSION;
    return setup;
}

}  // namespace emotrace::ui
