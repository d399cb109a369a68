// The one adapter between the dashboard's widgets and core's Pipeline. It lives on the GUI
// thread, owns the pipeline of the running session, turns the worker thread's callbacks into
// queued calls on itself, and re-emits them as signals the widgets connect to. Widgets never see
// a thread; the pipeline never sees Qt.
//
// Every session is kept in the session store while it runs (LiveSessionWriter), unless keeping
// is switched off: the worker thread hands each raw reading to the writer, whose own thread
// commits them; markers and the label go the same way. When the store fails the live view goes
// on and keepingFailed says why. With recording on, the analysed frames are recorded beside the
// store, time-aligned with the readings.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <QObject>
#include <QString>
#include <QTimer>

#include "emotrace/emotion_classifier.h"
#include "emotrace/face_detector.h"
#include "emotrace/frame_source.h"
#include "emotrace/live_moments.h"
#include "emotrace/live_session_writer.h"
#include "emotrace/live_smoothing.h"
#include "emotrace/neutral_baseline.h"
#include "emotrace/pipeline.h"
#include "live_figures.h"

namespace emotrace::ui {

// A fresh detector for every session, so a detector that fails to load is reported when the
// user presses Start, and a session never shares detector state with the previous one.
using DetectorFactory = std::function<std::unique_ptr<FaceDetector>()>;

// Where and how live sessions are kept.
struct SessionKeeping {
    std::filesystem::path store;  // empty: sessions are not kept (--no-keep)
    AnalysisSetup setup;          // the model and detector the readings are made with
    LiveSessionOptions options;   // commit interval, recording folder; `record` is set per start
};

// What is known of the session kept last, for the window's "kept" note and "Review" button.
struct KeptSession {
    std::int64_t id = 0;
    std::int64_t frames = 0;
    std::int64_t markers = 0;
    std::filesystem::path recording;  // empty: not recorded
    std::int64_t frames_recorded = 0;
    QString problem;  // why readings or the recording stopped early; empty when all went well
};

class SessionController : public QObject {
    Q_OBJECT
  public:
    // classifier may be null: faces are then found and boxed but carry no probabilities.
    SessionController(DetectorFactory detectors, std::unique_ptr<EmotionClassifier> classifier,
                      QObject* parent = nullptr);
    ~SessionController() override;  // stops the session; joins the pipeline's threads

    // Starts a session reading source, stopping any running one first. Returns false (and emits
    // sessionFailed) when the detector cannot be created or the pipeline does not start.
    // chosen_source is the source as the user named it ("camera:0", a file), kept with the
    // session. A store that cannot be opened does not stop the session: keepingFailed says why.
    bool start(std::unique_ptr<FrameSource> source, const std::string& chosen_source = {});
    // Stops the running session; returns once the pipeline's threads have ended. Results still
    // queued from it are discarded.
    void stop();

    // How long each face's emotions are averaged over before they are shown (resultReady
    // carries the averaged ones); 0 shows every frame as it is. A change starts the average
    // afresh. Throws std::invalid_argument for a negative time.
    void setSmoothingSeconds(double seconds);
    double smoothingSeconds() const { return smoother_.seconds(); }

    void setKeeping(SessionKeeping keeping);
    bool isKeeping() const { return !keeping_.store.empty(); }
    const std::filesystem::path& storePath() const { return keeping_.store; }
    // Record the next session's frames (off by default). Takes effect at start().
    void setRecordingWanted(bool record) { record_ = record; }
    bool isRecordingWanted() const { return record_; }
    // Whether the running session's frames are being recorded now.
    bool isRecording() const;
    // The label of the running session; when none runs, the label the next one starts with
    // (the session kept last is never relabelled from here).
    void setSessionLabel(const QString& label);
    QString sessionLabel() const { return label_; }
    // A marker at "now": the session time of the newest reading shown, kept at once. Returns
    // its number in the session (for setMarkerLabel), or nullopt when no session runs.
    std::optional<int> addMarker(const QString& label = {});
    // A moment of the running or the last session made into a marker: at the moment's start,
    // labelled with its emotion, kept at once. Returns the marker's number, or nullopt when the
    // moment is unknown or already a marker.
    std::optional<int> markMoment(int moment);
    bool isMomentMarked(int moment) const;
    // The people of the running session, told apart by their face's track (faces carry their
    // track ids in resultReady once a model is loaded). The person the timeline follows: one
    // track (a click on the face), or nullopt for the largest face not left out.
    void setFollowedTrack(std::optional<int> track);
    // Follows one more person, or one fewer (couples, family therapy: one timeline each).
    void setTrackFollowed(int track, bool followed);
    std::optional<int> followedTrack() const;                             // the first chosen
    const std::vector<int>& followedTracks() const { return followed_; }  // in the order chosen
    // A short name for a person ("client", "therapist"), shown on their face and timeline and
    // kept with the session; empty: unnamed.
    void setPersonName(int track, const QString& name);
    QString personName(int track) const;
    // Leaves a person out (the therapist's own self-view): their face is boxed but not read,
    // followed, kept or searched for moments; readings of theirs already kept are removed.
    void setTrackExcluded(int track, bool excluded);
    bool isTrackExcluded(int track) const;
    // Every track seen in the running (or last) session, ascending.
    std::vector<int> tracksSeen() const;
    // The moments found live in the running (or last) session, in the order found.
    const std::vector<LiveMoment>& moments() const { return moments_; }
    // Labels a marker of the running or the last session after the fact.
    void setMarkerLabel(int marker, const QString& label);
    // The running session's time of the newest reading shown, in seconds.
    double sessionSeconds() const { return last_result_ms_ / 1000.0; }
    // The kept session of the running session, or of the last one; nullopt when none was kept.
    std::optional<std::int64_t> keptSessionId() const;

    // Resting faces (session_controller_rest.cpp, docs/baseline.md). The next `seconds` of
    // readings of `track` (nullopt: the one person in view) are taken as that person's resting
    // face, kept with the session; restingFaceTaken or restingFaceRefused says how it went once
    // they have passed (or the session ended). False, and nothing starts, when no session runs
    // or there is no model.
    bool takeRestingFace(std::optional<int> track, double seconds = kRestingFaceSeconds);
    bool isTakingRestingFace() const { return taking_rest_.has_value(); }
    // Every session's first `seconds` become the resting face of the person in view (0: off).
    // Takes effect at the next start. Throws std::invalid_argument for a negative time.
    void setRestingFaceFromFirstSeconds(double seconds);
    double restingFaceFromFirstSeconds() const { return rest_from_first_seconds_; }
    // The switch: resultReady carries each person's readings relative to their resting face
    // (people without one as read). What is kept in the store is always the raw reading.
    void setRelativeToRest(bool relative) { relative_to_rest_ = relative; }
    bool isRelativeToRest() const { return relative_to_rest_; }
    // The tracks of the running (or last) session with a resting face.
    std::vector<int> tracksWithRestingFace() const;
    static constexpr double kRestingFaceSeconds = 3.0;

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
    void markerAdded(int number, const emotrace::Marker& marker);
    void markerLabelled(int number, const QString& label);
    // A moment was found (number: in the order found), and later when it ended.
    void momentFound(int number, const emotrace::LiveMoment& moment);
    void momentEnded(int number, const emotrace::LiveMoment& moment);
    void followedTrackChanged(std::optional<int> track);
    // A person was named, followed, let go, left out or included, or a new face was seen.
    void peopleChanged();
    // Once per session: the store failed (or could not be opened) and readings are no longer
    // kept; why, and what stays.
    void keepingFailed(const QString& why);
    // Once per session: the recording stopped (or could not start); the readings go on.
    void recordingFailed(const QString& why);
    // Whether frames are being recorded, at start, stop and when the recording fails.
    void recordingChanged(bool recording);
    // The source sends no frames for a reason the user can fix (a minimised call window), and
    // again with an empty text when frames flow again or the session ends.
    void sourcePaused(const QString& why);
    // A resting face is being taken over the next seconds (the window says "hold still").
    void restingFaceStarted(double seconds);
    // A resting face was taken for this track; warning is empty or says what to know (the face
    // was out of view part of the time).
    void restingFaceTaken(int track, const QString& warning);
    // No resting face was taken, and why (no face, two people, an expression, too few readings).
    void restingFaceRefused(const QString& why);
    // After sessionFinished, when the session was kept.
    void sessionKept(const emotrace::ui::KeptSession& session);

  private:
    void deliverResult(std::uint64_t session, FrameResult result);
    void deliverFinished(std::uint64_t session, const std::string& error);
    void endSession(const QString& error);
    void openWriter(const std::string& chosen_source, const SourceInfo& info);
    void checkWriter();
    void checkSourcePaused();
    void findMoments(FrameResult& result);
    void deliverMoments(const LiveMomentFinder::Update& update);
    void keepMoment(const LiveMoment& moment);
    Person& personOf(int track);
    void keepPerson(int track);
    void leaveOutExcluded(FrameResult& result);
    // session_controller_rest.cpp.
    void collectRestingFace(const FrameResult& result);
    void finishRestingFace();
    void showRelativeToRest(FrameResult& result) const;

    // A resting face being taken: whose (nullopt: the one in view), over which session time.
    struct RestingFaceTaking {
        std::optional<int> track;
        std::optional<double> start_ms;  // from the first reading after the request
        double seconds = kRestingFaceSeconds;
        std::vector<FrameRecord> frames;
    };

    DetectorFactory detectors_;
    std::shared_ptr<EmotionClassifier> classifier_;
    std::unique_ptr<Pipeline> pipeline_;
    SessionKeeping keeping_;
    bool record_ = false;
    QString label_;
    // The running session's writer, or the last session's (finished) until the next start.
    // The worker thread hands it readings; the pipeline is joined before it is finished.
    std::unique_ptr<LiveSessionWriter> writer_;
    int markers_ = 0;        // made in the running (or last) session
    QString store_failure_;  // why the store could not be opened for this session
    bool keeping_failure_said_ = false;
    bool recording_failure_said_ = false;
    double last_result_ms_ = 0.0;
    // Bumped per session: a queued result from a stopped session carries an old number and is
    // dropped, so a restart never shows a frame of the previous source.
    std::uint64_t session_ = 0;
    // The running session's moment finder (null without a model), and its moments so far.
    std::unique_ptr<LiveMomentFinder> finder_;
    std::vector<LiveMoment> moments_;
    std::vector<bool> moment_marked_;
    std::map<int, Person> people_;  // every track seen in the session, what is known of it
    std::vector<int> followed_;     // the followed tracks, in the order chosen
    LiveFigureMeter meter_;
    LiveEmotionSmoother smoother_;  // GUI thread only: results are smoothed as they arrive
    QTimer figures_timer_;
    QString source_paused_;  // what sourcePaused said last
    std::optional<RestingFaceTaking> taking_rest_;
    std::map<int, NeutralBaseline> resting_faces_;  // the running (or last) session's, by track
    double rest_from_first_seconds_ = 0.0;
    bool relative_to_rest_ = false;
};

}  // namespace emotrace::ui
