// The dashboard window: a toolbar to pick the source (camera, video file, screen region) and
// start or stop, the live video with its overlay above the emotion timeline, and a status bar
// with the live figures. Errors appear in a banner and the status bar; the window stays usable.
//
// A second toolbar keeps the session: its label, markers (M or the button; a label may be typed
// or picked after, without pausing anything), and the recording toggle with its indicator.
// After a kept session a note offers "Review this session".
#pragma once

#include <cstdint>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <QMainWindow>
#include <QPointer>
#include <QStringList>
#include <QTimer>

#include "emotrace/session_store.h"
#include "emotrace/x11_capture.h"
#include "source_spec.h"

class QAction;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QMenu;
class QSettings;
class QSplitter;
class QPushButton;
class QSpinBox;

namespace emotrace::ui {

class EmotionTimeline;
class MomentList;
class PeopleList;
class SessionController;
class VideoView;
struct KeptSession;
struct LiveFigures;

class MainWindow : public QMainWindow {
    Q_OBJECT
  public:
    explicit MainWindow(SessionController& controller, QWidget* parent = nullptr);

    void setSourceSpec(const SourceSpec& spec);
    void setLooping(bool loop);
    // Opens the source chosen in the toolbar and starts a session; on failure shows why and
    // returns false.
    bool startSession();
    void stopSession();

    // Says why the model given on the command line could not be used, in the model banner.
    void setModelLoadError(const QString& message);
    void showError(const QString& message);

    // The short list offered for a marker's label; the user edits it with "Labels…" or by
    // typing a new one (markerLabelsChanged then tells the app, which keeps it).
    void setMarkerLabels(const QStringList& labels);
    QStringList markerLabels() const;
    // M: a marker at "now", kept at once; the label box then takes the keyboard for a few
    // seconds (Enter keeps the typed or picked label, Esc none) and gives it back.
    void addMarkerNow();
    void setSessionLabel(const QString& label);
    void setRecordingWanted(bool record);
    // What the dashboard remembers between runs (QSettings): the source chosen (kind, camera,
    // file, region, call window), the smoothing and the layout (the splitters). The command
    // line overrides what is restored.
    void restoreSettings(const QSettings& settings);
    void saveSettings(QSettings& settings) const;
    void setSmoothingSeconds(double seconds);  // the box, and through it the controller
    // Resting faces (docs/baseline.md): B or the button takes the followed person's (or the one
    // in view) over the next seconds; the switch shows readings relative to it.
    void takeRestingFace(std::optional<int> track = std::nullopt);
    void setRelativeToRest(bool relative);
    QAction* restingFaceAction() const { return resting_face_action_; }
    QAction* relativeToRestAction() const { return relative_to_rest_action_; }

    // For tests and screenshots.
    QString errorText() const;
    QString modelBannerText() const;
    QString keepingText() const;      // the banner saying readings or the recording stopped
    QString keptSessionText() const;  // the note after a kept session; empty when hidden
    bool isRecordingIndicatorShown() const;
    VideoView* videoView() const { return video_view_; }
    EmotionTimeline* timeline() const { return timeline_; }
    MomentList* momentList() const { return moment_list_; }
    PeopleList* peopleList() const { return people_list_; }
    // One timeline per followed person (the first is timeline()); just timeline() when nobody
    // or one person is followed.
    std::vector<EmotionTimeline*> timelines() const;
    // The menu a right click on a face opens (for tests and screenshots).
    QMenu* faceMenu(int track);

  signals:
    // "Review recording…": the app opens the review workspace (it owns the store and model).
    void reviewRequested();
    // "Review this session": the app opens the review workspace on the kept session.
    void reviewSessionRequested(std::int64_t session_id);
    void markerLabelsChanged(const QStringList& labels);

  protected:
    void closeEvent(QCloseEvent* event) override;

  private:
    void buildToolbar();
    void buildSessionToolbar();
    void applyMarkerLabel(const QString& label);
    void endMarkerLabelling();
    void editMarkerLabels();
    void showKeepingProblem(const QString& message);
    void onSessionKept(const KeptSession& session);
    void buildStatusBar();
    QWidget* buildBanner(QLabel*& text, const QString& style, bool closable);
    SourceSpec sourceSpecFromToolbar() const;
    void showSourceControls();
    void browseForVideo();
    void refreshCallWindows();
    void pickWindow();
    void onWindowPicked(const std::optional<X11Window>& picked, const QString& error);
    void onSessionStarted(const QString& description);
    void onSessionFinished(const QString& error);
    void showFigures(const LiveFigures& figures);
    void updateActions();
    void syncPeople();
    EmotionTimeline* timelineFor(int track) const;
    std::vector<Person> people() const;

    SessionController& controller_;
    VideoView* video_view_;
    EmotionTimeline* timeline_;
    MomentList* moment_list_ = nullptr;
    PeopleList* people_list_ = nullptr;
    QWidget* timelines_ = nullptr;  // timeline_, then one more per further followed person
    std::vector<std::pair<int, EmotionTimeline*>> further_timelines_;  // by track, as chosen
    std::vector<std::pair<double, QString>> live_markers_;  // the session's, for new timelines
    QSplitter* video_and_timeline_ = nullptr;
    QSplitter* beside_rail_ = nullptr;
    QWidget* model_banner_ = nullptr;
    QLabel* model_banner_text_ = nullptr;
    QWidget* error_banner_ = nullptr;
    QLabel* error_banner_text_ = nullptr;
    QWidget* paused_banner_ = nullptr;
    QLabel* paused_banner_text_ = nullptr;
    QWidget* keeping_banner_ = nullptr;
    QLabel* keeping_banner_text_ = nullptr;
    QWidget* kept_bar_ = nullptr;
    QLabel* kept_text_ = nullptr;
    QPushButton* review_kept_ = nullptr;
    std::int64_t kept_session_id_ = 0;

    QLineEdit* session_label_ = nullptr;
    QAction* marker_action_ = nullptr;
    QComboBox* marker_label_ = nullptr;
    QAction* record_action_ = nullptr;
    QAction* resting_face_action_ = nullptr;
    QAction* relative_to_rest_action_ = nullptr;
    QLabel* recording_indicator_ = nullptr;
    QAction* recording_indicator_action_ = nullptr;
    int labelling_marker_ = -1;  // the marker whose label is being typed; -1: none
    QPointer<QWidget> focus_before_marker_;
    QTimer marker_label_timeout_;

    QComboBox* source_kind_ = nullptr;
    QSpinBox* camera_index_ = nullptr;
    QLineEdit* video_path_ = nullptr;
    QLineEdit* screen_region_ = nullptr;
    QComboBox* call_window_ = nullptr;
    QAction* call_window_action_ = nullptr;
    QAction* refresh_windows_action_ = nullptr;
    QAction* pick_window_action_ = nullptr;
    std::jthread window_picker_;  // waits for the click that picks the call's window
    int window_picks_ = 0;        // counts picks, so a pick's time limit never ends a later one
    QCheckBox* loop_ = nullptr;
    QDoubleSpinBox* smoothing_ = nullptr;
    QAction* camera_index_action_ = nullptr;
    QAction* video_path_action_ = nullptr;
    QAction* browse_action_ = nullptr;
    QAction* screen_region_action_ = nullptr;
    QAction* loop_action_ = nullptr;
    QAction* start_action_ = nullptr;
    QAction* stop_action_ = nullptr;

    QLabel* state_label_ = nullptr;
    QLabel* fps_label_ = nullptr;
    QLabel* latency_label_ = nullptr;
    QLabel* dropped_label_ = nullptr;
};

}  // namespace emotrace::ui
