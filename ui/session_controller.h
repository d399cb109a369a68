// The one adapter between the dashboard's widgets and core's Pipeline. It lives on the GUI
// thread, owns the pipeline of the running session, turns the worker thread's callbacks into
// queued calls on itself, and re-emits them as signals the widgets connect to. Widgets never see
// a thread; the pipeline never sees Qt.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <QObject>
#include <QString>
#include <QTimer>

#include "emotrace/emotion_classifier.h"
#include "emotrace/face_detector.h"
#include "emotrace/frame_source.h"
#include "emotrace/live_smoothing.h"
#include "emotrace/pipeline.h"
#include "live_figures.h"

namespace emotrace::ui {

// A fresh detector for every session, so a detector that fails to load is reported when the
// user presses Start, and a session never shares detector state with the previous one.
using DetectorFactory = std::function<std::unique_ptr<FaceDetector>()>;

class SessionController : public QObject {
    Q_OBJECT
  public:
    // classifier may be null: faces are then found and boxed but carry no probabilities.
    SessionController(DetectorFactory detectors, std::unique_ptr<EmotionClassifier> classifier,
                      QObject* parent = nullptr);
    ~SessionController() override;  // stops the session; joins the pipeline's threads

    // Starts a session reading source, stopping any running one first. Returns false (and emits
    // sessionFailed) when the detector cannot be created or the pipeline does not start.
    bool start(std::unique_ptr<FrameSource> source);
    // Stops the running session; returns once the pipeline's threads have ended. Results still
    // queued from it are discarded.
    void stop();

    // How long each face's emotions are averaged over before they are shown (resultReady
    // carries the averaged ones); 0 shows every frame as it is. A change starts the average
    // afresh. Throws std::invalid_argument for a negative time.
    void setSmoothingSeconds(double seconds);
    double smoothingSeconds() const { return smoother_.seconds(); }

    bool isRunning() const { return pipeline_ != nullptr; }
    bool hasClassifier() const { return classifier_ != nullptr; }
    // The model's class names in output order; empty without a model.
    std::vector<std::string> labels() const;
    LiveFigures figures() const;

  signals:
    void sessionStarted(const QString& source_description);
    void resultReady(const emotrace::FrameResult& result);
    void figuresChanged(const emotrace::ui::LiveFigures& figures);
    // Exactly once per started session: error is empty after stop() or at the end of the
    // stream, and holds the message when the source or the model failed.
    void sessionFinished(const QString& error);
    // start() could not begin a session (no sessionFinished follows).
    void sessionFailed(const QString& error);

  private:
    void deliverResult(std::uint64_t session, FrameResult result);
    void deliverFinished(std::uint64_t session, const std::string& error);
    void endSession(const QString& error);

    DetectorFactory detectors_;
    std::shared_ptr<EmotionClassifier> classifier_;
    std::unique_ptr<Pipeline> pipeline_;
    // Bumped per session: a queued result from a stopped session carries an old number and is
    // dropped, so a restart never shows a frame of the previous source.
    std::uint64_t session_ = 0;
    LiveFigureMeter meter_;
    LiveEmotionSmoother smoother_;  // GUI thread only: results are smoothed as they arrive
    QTimer figures_timer_;
};

}  // namespace emotrace::ui
