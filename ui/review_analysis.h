// Runs a recording's analysis (core's analyzeRecording) on a std::jthread for the review
// workspace and hands its progress and frames to the GUI thread through queued calls, so the
// timeline fills in while the clinician already watches. Cancelling requests a stop and joins;
// what the analysis committed stays in the store and a later run resumes from there.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <stop_token>
#include <thread>
#include <vector>

#include <QObject>
#include <QString>

#include "emotrace/emotion_classifier.h"
#include "emotrace/face_detector.h"
#include "emotrace/recording_analysis.h"

namespace emotrace::ui {

// The analysis itself, run on the worker thread. The workspace's version opens its own store
// connection and calls analyzeRecording; tests pass a scripted one.
using AnalysisWork =
    std::function<AnalysisResult(std::stop_token stop, const AnalysisCallbacks& callbacks)>;

class AnalysisRunner : public QObject {
    Q_OBJECT
  public:
    explicit AnalysisRunner(QObject* parent = nullptr);
    ~AnalysisRunner() override;  // cancels and joins

    // Starts work on a new thread, cancelling a running one first.
    void start(AnalysisWork work);
    // Asks the work to stop and waits for it; returns at once when nothing runs. No signal of
    // the cancelled run arrives afterwards.
    void cancel();
    bool isRunning() const { return running_; }

  signals:
    void progressed(const emotrace::AnalysisProgress& progress);
    void framesArrived(const std::vector<emotrace::FrameRecord>& frames);
    void finished(const emotrace::AnalysisResult& result);
    // The work threw (recording unreadable, store full or locked): the message to show.
    void failed(const QString& message);

  private:
    std::jthread worker_;
    // Bumped per run: a call queued by a cancelled run carries an old number and is dropped.
    std::uint64_t run_ = 0;
    bool running_ = false;
};

// The setup written with a new session: the model's metadata and fingerprint (none without a
// model), the detector and this build's version.
AnalysisSetup describeSetup(const std::filesystem::path& model_path, const ModelInfo* model,
                            const DetectorOptions& detector, int detect_every);

}  // namespace emotrace::ui
