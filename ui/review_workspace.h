// The review workspace: a window for going through a recorded session after the fact. A video
// player over the recording with the stored boxes, track ids and top emotion; the whole
// session's emotion timeline of one chosen track with playhead, markers and excluded ranges;
// marker editing (M adds one, E starts and ends an exclusion); a summary of the track; the list
// of stored sessions; and the exports. A recording without a complete session is analysed in
// the background while the clinician already watches, and results fill in as they are stored.
//
// Layout and wiring live in review_workspace.cpp; opening sessions, analysis and markers in
// review_workspace_session.cpp; exports in review_workspace_exports.cpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <QMainWindow>
#include <QTimer>

#include "emotrace/emotion_classifier.h"
#include "emotrace/face_detector.h"
#include "emotrace/recording_analysis.h"
#include "emotrace/moments.h"
#include "emotrace/session_statistics.h"
#include "emotrace/session_store.h"

class QAction;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTabWidget;

namespace emotrace::ui {

class AnalysisRunner;
class MarkerPanel;
class MomentPanel;
class RecordingPlayer;
class ReviewTimeline;
class ReviewVideoView;
class SessionListPanel;
class SummaryPanel;

// Everything the workspace needs from the app; plain values so tests can fill it in.
struct ReviewSetup {
    std::filesystem::path store_path;  // the session store's database
    std::filesystem::path model_path;  // empty: analyse without emotions (boxes and tracks)
    DetectorOptions detector;
    RecordingAnalysisOptions analysis;
    // Loads the model at model_path (the app passes loadEmotionClassifier, which needs LibTorch).
    std::function<std::unique_ptr<EmotionClassifier>()> load_classifier;
    // Creates a detector on the analysing thread; empty: createFaceDetector(detector).
    std::function<std::unique_ptr<FaceDetector>()> make_detector;
    // Asks where a moved recording lies now; returns an empty string when the user gives up.
    // Empty: a message box and a file dialog.
    std::function<QString(const QString& missing_path)> locate_recording;
};

class ReviewWorkspace : public QMainWindow {
    Q_OBJECT
  public:
    // Opens the store; when it cannot be opened (locked, corrupt, newer) the window says why.
    explicit ReviewWorkspace(ReviewSetup setup, QWidget* parent = nullptr);
    ~ReviewWorkspace() override;

    // Reopens the recording's stored session (same content, same model) or creates one, shows
    // what is stored and analyses the rest in the background. Returns false and shows why when
    // the recording, the model or the store fails.
    bool openRecording(const std::filesystem::path& recording);
    bool openSession(std::int64_t session_id);
    // Gives the open session a label (or corrects it) and stores it; false (with the reason
    // shown) without a session or when the store refuses.
    bool setSessionLabel(const QString& label);

    // M: a point marker at the player's time, its label open for typing. Returns its id, or
    // nullopt (with the reason shown) when no session is open or the store refuses.
    std::optional<std::int64_t> addMarkerAtCurrentTime();
    // E: the first call remembers the start, the second stores the excluded range.
    void toggleExclusion();
    void setTrack(int track_id);
    void setSmoothing(const Smoothing& smoothing);
    void setEmotionVisible(int label_index, bool visible);
    void cancelAnalysis();

    // Moments of the open session (review_workspace_moments.cpp): found in the stored readings
    // at the chosen sensitivity, every track, in time order.
    void setMomentSensitivity(MomentSensitivity sensitivity);
    const std::vector<Moment>& moments() const { return moments_; }
    // A moment as a marker at its start, labelled with its emotion; false (with the reason
    // shown) when the store refuses. Dismissing hides nothing: the row is greyed and kept.
    bool acceptMoment(int number);
    bool dismissMoment(int number);
    bool restoreMoment(int number);

    // Resting faces (review_workspace_rest.cpp, docs/baseline.md): the chosen track's resting
    // face taken over [start, start + length) seconds of the session and stored with it;
    // false, with the reason shown (no face, two faces, an expression, too few readings), when
    // refused. On success the readings are shown relative to it.
    bool takeRestingFace(double start_seconds, double length_seconds = 3.0);
    // The switch: the timeline, overlay, summary, timeline export and report show readings
    // relative to each person's resting face (people without one stay as read), or as read.
    // A session with a resting face opens with it on.
    void setRelativeToRest(bool relative);
    bool isRelativeToRest() const { return relative_to_rest_; }
    const std::vector<StoredBaseline>& restingFaces() const { return baselines_; }

    // Exports of the open session; false (with the reason shown) on failure.
    bool exportTimeline(const std::filesystem::path& file);  // .png or .pdf
    bool exportReport(const std::filesystem::path& pdf);
    bool exportFramesCsv(const std::filesystem::path& csv);
    bool exportSessionJson(const std::filesystem::path& json);

    // For tests, screenshots and the app.
    std::optional<SessionInfo> session() const { return session_; }
    const std::vector<FrameRecord>& frames() const { return frames_; }
    const std::vector<Marker>& markers() const { return markers_; }
    int track() const { return track_; }
    bool isAnalysing() const;
    QString errorText() const;
    RecordingPlayer* player() const { return player_; }
    ReviewTimeline* timeline() const { return timeline_; }
    MarkerPanel* markerPanel() const { return marker_panel_; }
    SummaryPanel* summaryPanel() const { return summary_; }
    MomentPanel* momentPanel() const { return moment_panel_; }
    ReviewVideoView* videoView() const { return video_; }
    // Shows the summary (or markers, sessions) tab; for screenshots.
    void showSideTab(int index);
    // By name: "summary", "markers", "moments", "sessions"; false for another name.
    bool showSideTab(const QString& name);

  signals:
    // After every batch and at the end of an analysis.
    void analysisProgressed(std::int64_t frames_done, std::int64_t frame_count);
    void analysisEnded(const QString& outcome);

  protected:
    void closeEvent(QCloseEvent* event) override;

  private:
    // Runs one export of the open session: false without a session; a failure is shown, not
    // thrown, and the status bar names the written file.
    bool runExport(const QString& what, const std::filesystem::path& file,
                   const std::function<void()>& write);
    // review_workspace.cpp: layout and wiring.
    void buildActions();
    QWidget* buildPlayerArea();
    QWidget* buildTimelineArea();
    QWidget* buildProgressRow();
    void showError(const QString& message);
    void clearError();
    void showFrame(std::int64_t frame, double seconds, const cv::Mat& image);
    void rebuildEmotionChecks();
    void rebuildTrackChoice();
    void scheduleRefresh();
    void refreshViews();
    void refreshSeries();
    void refreshSummary();
    void refreshTitle();
    double sessionSeconds() const;
    const std::vector<std::string>& labels() const;

    // review_workspace_session.cpp: sessions, analysis, markers.
    bool showSession(std::int64_t session_id);  // shows what is stored; starts no analysis
    bool ensureRecordingPresent();
    void startAnalysis(std::shared_ptr<EmotionClassifier> classifier);
    void onFramesArrived(const std::vector<FrameRecord>& batch);
    void onProgress(const AnalysisProgress& progress);
    void onAnalysisFinished(const AnalysisResult& result);
    void onAnalysisFailed(const QString& message);
    void reloadMarkers();
    void updateMarker(const Marker& marker);
    void removeMarker(std::int64_t marker_id);
    void refreshSessionList();
    std::shared_ptr<EmotionClassifier> classifierFor(const SessionInfo& session);
    // review_workspace_moments.cpp.
    void loadMomentRecords();  // the live moments and the decisions kept in the store
    void refreshMoments();     // recomputes the list when the readings or sensitivity changed
    void cutNextThumbnails();
    QString momentState(const Moment& moment) const;
    // review_workspace_rest.cpp.
    QWidget* buildRestingFaceControls();
    void loadRestingFaces();  // the open session's stored baselines
    void refreshRestingFaceControls();
    // The readings as shown: relative to the resting faces when the switch is on, else frames_.
    const std::vector<FrameRecord>& shownFrames();
    // review_workspace_exports.cpp.
    void exportWithDialog(const QString& title, const QString& filter, const QString& suffix,
                          const std::function<bool(const std::filesystem::path&)>& write);

    ReviewSetup setup_;
    std::unique_ptr<SessionStore> store_;
    std::optional<SessionInfo> session_;
    std::vector<Person> people_;  // named live, by track
    std::vector<FrameRecord> frames_;
    std::vector<StoredBaseline> baselines_;  // the open session's resting faces, by track
    bool relative_to_rest_ = false;
    // frames_ relative to baselines_, for the first relative_frames_of_ of frames_ (analysis
    // batches add frames; a new baseline empties it).
    std::vector<FrameRecord> relative_frames_;
    std::size_t relative_frames_of_ = 0;
    std::vector<Marker> markers_;
    int track_ = -1;
    Smoothing smoothing_;
    std::optional<double> exclusion_start_s_;
    std::int64_t current_frame_ = 0;
    cv::Mat current_image_;
    QTimer refresh_timer_;  // coalesces the redraws of analysis batches
    MomentSensitivity moment_sensitivity_ = MomentSensitivity::Default;
    std::vector<Moment> moments_;
    std::vector<KeptMoment> live_moments_;
    std::vector<DecidedMoment> moment_decisions_;
    std::size_t thumbnails_cut_ = 0;  // moments_[0 .. thumbnails_cut_) have had theirs cut
    QTimer thumbnail_timer_;          // cuts thumbnails a few at a time: the window stays live

    RecordingPlayer* player_;
    AnalysisRunner* runner_;
    ReviewVideoView* video_;
    ReviewTimeline* timeline_;
    MarkerPanel* marker_panel_;
    SummaryPanel* summary_;
    SessionListPanel* session_list_;
    MomentPanel* moment_panel_;
    QTabWidget* side_tabs_ = nullptr;
    QLabel* error_banner_ = nullptr;
    QLabel* session_title_ = nullptr;
    QLineEdit* session_label_ = nullptr;
    QWidget* progress_row_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* eta_ = nullptr;
    QComboBox* track_choice_ = nullptr;
    QHBoxLayout* emotion_checks_layout_ = nullptr;
    std::vector<QCheckBox*> emotion_checks_;
    QComboBox* smoothing_kind_ = nullptr;
    QDoubleSpinBox* smoothing_seconds_ = nullptr;
    QCheckBox* relative_to_rest_check_ = nullptr;
    QPushButton* take_resting_face_ = nullptr;
};

}  // namespace emotrace::ui
