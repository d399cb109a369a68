// The dashboard window: a toolbar to pick the source (camera, video file, screen region) and
// start or stop, the live video with its overlay above the emotion timeline, and a status bar
// with the live figures. Errors appear in a banner and the status bar; the window stays usable.
#pragma once

#include <QMainWindow>

#include "source_spec.h"

class QAction;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace emotrace::ui {

class EmotionTimeline;
class SessionController;
class VideoView;
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

    // For tests and screenshots.
    QString errorText() const;
    QString modelBannerText() const;
    VideoView* videoView() const { return video_view_; }
    EmotionTimeline* timeline() const { return timeline_; }

  signals:
    // "Review recording…": the app opens the review workspace (it owns the store and model).
    void reviewRequested();

  protected:
    void closeEvent(QCloseEvent* event) override;

  private:
    void buildToolbar();
    void buildStatusBar();
    QWidget* buildBanner(QLabel*& text, const QString& style, bool closable);
    SourceSpec sourceSpecFromToolbar() const;
    void showSourceControls();
    void browseForVideo();
    void onSessionStarted(const QString& description);
    void onSessionFinished(const QString& error);
    void showFigures(const LiveFigures& figures);
    void updateActions();

    SessionController& controller_;
    VideoView* video_view_;
    EmotionTimeline* timeline_;
    QWidget* model_banner_ = nullptr;
    QLabel* model_banner_text_ = nullptr;
    QWidget* error_banner_ = nullptr;
    QLabel* error_banner_text_ = nullptr;

    QComboBox* source_kind_ = nullptr;
    QSpinBox* camera_index_ = nullptr;
    QLineEdit* video_path_ = nullptr;
    QLineEdit* screen_region_ = nullptr;
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
