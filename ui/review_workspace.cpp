#include "review_workspace.h"

#include <algorithm>

#include <QAction>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include "emotion_palette.h"
#include "emotrace/live_session_writer.h"
#include "review_analysis.h"
#include "review_markers.h"
#include "review_moments.h"
#include "review_player.h"
#include "review_player_controls.h"
#include "review_sessions.h"
#include "review_summary.h"
#include "review_timeline.h"
#include "review_video_view.h"

namespace emotrace::ui {
namespace {

const QString kErrorStyle = QStringLiteral(
    "background:#fde2e1; color:#8a1c16; border:1px solid #e59a96; border-radius:4px; "
    "padding:6px; font-weight:bold;");
// Analysis batches arrive about once a second; redrawing a long session's timeline for each is
// wasted work when the next one is close behind.
constexpr int kRefreshDelayMs = 300;

}  // namespace

ReviewWorkspace::ReviewWorkspace(ReviewSetup setup, QWidget* parent)
    : QMainWindow(parent),
      setup_(std::move(setup)),
      player_(new RecordingPlayer(this)),
      runner_(new AnalysisRunner(this)),
      video_(new ReviewVideoView),
      timeline_(new ReviewTimeline),
      marker_panel_(new MarkerPanel),
      summary_(new SummaryPanel),
      session_list_(new SessionListPanel),
      moment_panel_(new MomentPanel) {
    setWindowTitle(tr("emotrace — review"));
    resize(1500, 950);
    buildActions();

    side_tabs_ = new QTabWidget;
    side_tabs_->addTab(summary_, tr("Summary"));
    connect(summary_, &SummaryPanel::lowQualityReadingsChanged, this, [this] { refreshSummary(); });
    side_tabs_->addTab(marker_panel_, tr("Markers"));
    side_tabs_->addTab(moment_panel_, tr("Moments"));
    side_tabs_->addTab(session_list_, tr("Sessions"));
    auto* top = new QSplitter(Qt::Horizontal);
    top->addWidget(buildPlayerArea());
    top->addWidget(side_tabs_);
    top->setStretchFactor(0, 3);
    top->setStretchFactor(1, 2);
    auto* vertical = new QSplitter(Qt::Vertical);
    vertical->addWidget(top);
    vertical->addWidget(buildTimelineArea());
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 2);
    vertical->setChildrenCollapsible(false);

    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 0);
    error_banner_ = new QLabel;
    error_banner_->setStyleSheet(kErrorStyle);
    error_banner_->setWordWrap(true);
    error_banner_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    error_banner_->hide();
    session_title_ = new QLabel(tr("No session open."));
    // The session's label (a pseudonymous client code and a note) can be given or corrected
    // here after the call; it is stored at once.
    session_label_ = new QLineEdit;
    session_label_->setObjectName(QStringLiteral("sessionLabel"));
    session_label_->setPlaceholderText(tr("session label (client code, note)"));
    session_label_->setMaximumWidth(320);
    session_label_->setEnabled(false);
    connect(session_label_, &QLineEdit::editingFinished, this,
            [this] { setSessionLabel(session_label_->text()); });
    auto* title_row = new QHBoxLayout;
    title_row->addWidget(session_title_, 1);
    title_row->addWidget(new QLabel(tr("Label:")));
    title_row->addWidget(session_label_);
    layout->addWidget(error_banner_);
    layout->addLayout(title_row);
    layout->addWidget(buildProgressRow());
    layout->addWidget(vertical, 1);
    setCentralWidget(central);

    refresh_timer_.setSingleShot(true);
    refresh_timer_.setInterval(kRefreshDelayMs);
    connect(&refresh_timer_, &QTimer::timeout, this, &ReviewWorkspace::refreshViews);
    connect(player_, &RecordingPlayer::frameShown, this, &ReviewWorkspace::showFrame);
    connect(timeline_, &ReviewTimeline::seekRequested, player_, &RecordingPlayer::seekToSeconds);
    connect(moment_panel_, &MomentPanel::seekRequested, player_, &RecordingPlayer::seekToSeconds);
    connect(moment_panel_, &MomentPanel::sensitivityChanged, this,
            &ReviewWorkspace::setMomentSensitivity);
    connect(moment_panel_, &MomentPanel::acceptRequested, this, &ReviewWorkspace::acceptMoment);
    connect(moment_panel_, &MomentPanel::dismissRequested, this, &ReviewWorkspace::dismissMoment);
    connect(moment_panel_, &MomentPanel::restoreRequested, this, &ReviewWorkspace::restoreMoment);
    thumbnail_timer_.setInterval(0);
    connect(&thumbnail_timer_, &QTimer::timeout, this, &ReviewWorkspace::cutNextThumbnails);
    connect(player_, &RecordingPlayer::decodeFailed, this, [this](std::int64_t frame) {
        statusBar()->showMessage(
            tr("The video cannot be decoded at frame %1 (a broken or cut recording).").arg(frame),
            10000);
    });
    connect(marker_panel_, &MarkerPanel::jumpRequested, player_, &RecordingPlayer::seekToSeconds);
    // Queued: the panel rebuilds its list from the store, which must not happen inside the
    // list's own itemChanged signal.
    connect(marker_panel_, &MarkerPanel::markerEdited, this, &ReviewWorkspace::updateMarker,
            Qt::QueuedConnection);
    connect(marker_panel_, &MarkerPanel::markerRemoved, this, &ReviewWorkspace::removeMarker,
            Qt::QueuedConnection);
    connect(session_list_, &SessionListPanel::openRequested, this, &ReviewWorkspace::openSession);
    connect(session_list_, &SessionListPanel::refreshRequested, this,
            &ReviewWorkspace::refreshSessionList);
    connect(runner_, &AnalysisRunner::framesArrived, this, &ReviewWorkspace::onFramesArrived);
    connect(runner_, &AnalysisRunner::progressed, this, &ReviewWorkspace::onProgress);
    connect(runner_, &AnalysisRunner::finished, this, &ReviewWorkspace::onAnalysisFinished);
    connect(runner_, &AnalysisRunner::failed, this, &ReviewWorkspace::onAnalysisFailed);

    try {
        store_ = std::make_unique<SessionStore>(setup_.store_path);
        refreshSessionList();
    } catch (const std::exception& error) {
        showError(tr("The session store cannot be used: %1").arg(error.what()));
    }
}

ReviewWorkspace::~ReviewWorkspace() {
    runner_->cancel();  // before store_ and the widgets the queued results would reach go
}

void ReviewWorkspace::buildActions() {
    auto* bar = addToolBar(tr("Review"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addAction(style()->standardIcon(QStyle::SP_DialogOpenButton), tr("Open recording…"), this,
                   [this] {
                       const auto file = QFileDialog::getOpenFileName(
                           this, tr("Review a recording"), {},
                           tr("Videos (*.mp4 *.avi *.mkv *.mov *.webm *.m4v);;All files (*)"));
                       if (!file.isEmpty())
                           openRecording(file.toStdString());
                   });
    auto* export_menu = new QMenu(tr("Export"), this);
    export_menu->addAction(tr("Per-frame CSV…"), this, [this] {
        exportWithDialog(tr("Export per-frame CSV"), tr("CSV (*.csv)"), QStringLiteral(".csv"),
                         [this](const auto& file) { return exportFramesCsv(file); });
    });
    export_menu->addAction(tr("Session JSON…"), this, [this] {
        exportWithDialog(tr("Export session JSON"), tr("JSON (*.json)"), QStringLiteral(".json"),
                         [this](const auto& file) { return exportSessionJson(file); });
    });
    export_menu->addAction(tr("Timeline as PNG…"), this, [this] {
        exportWithDialog(tr("Export the timeline"), tr("PNG (*.png)"), QStringLiteral(".png"),
                         [this](const auto& file) { return exportTimeline(file); });
    });
    export_menu->addAction(tr("Timeline as PDF…"), this, [this] {
        exportWithDialog(tr("Export the timeline"), tr("PDF (*.pdf)"), QStringLiteral(".pdf"),
                         [this](const auto& file) { return exportTimeline(file); });
    });
    export_menu->addAction(tr("Session report (PDF)…"), this, [this] {
        exportWithDialog(tr("Export the session report"), tr("PDF (*.pdf)"), QStringLiteral(".pdf"),
                         [this](const auto& file) { return exportReport(file); });
    });
    auto* export_button = new QToolButton;
    export_button->setText(tr("Export"));
    export_button->setMenu(export_menu);
    export_button->setPopupMode(QToolButton::InstantPopup);
    bar->addWidget(export_button);

    // Window-wide keys; a line being edited (a marker's label) keeps its letters.
    const auto add_key = [this](const QString& name, const QKeySequence& key, auto slot) {
        auto* action = new QAction(name, this);
        action->setObjectName(name);
        action->setShortcut(key);
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
    };
    add_key(QStringLiteral("addMarker"), QKeySequence(Qt::Key_M),
            [this] { addMarkerAtCurrentTime(); });
    add_key(QStringLiteral("toggleExclusion"), QKeySequence(Qt::Key_E),
            [this] { toggleExclusion(); });
    add_key(QStringLiteral("takeRestingFace"), QKeySequence(Qt::Key_B),
            [this] { takeRestingFace(player_->currentSeconds()); });
    add_key(QStringLiteral("playPause"), QKeySequence(Qt::Key_Space),
            [this] { player_->togglePlay(); });
    add_key(QStringLiteral("stepBack"), QKeySequence(Qt::Key_Comma),
            [this] { player_->stepBack(); });
    add_key(QStringLiteral("stepForward"), QKeySequence(Qt::Key_Period),
            [this] { player_->stepForward(); });
}

QWidget* ReviewWorkspace::buildPlayerArea() {
    auto* area = new QWidget;
    auto* layout = new QVBoxLayout(area);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(video_, 1);
    layout->addWidget(new PlayerControls(*player_));
    return area;
}

QWidget* ReviewWorkspace::buildTimelineArea() {
    track_choice_ = new QComboBox;
    track_choice_->setToolTip(tr("The face the timeline and summary show; most present first"));
    connect(track_choice_, &QComboBox::activated, this,
            [this] { setTrack(track_choice_->currentData().toInt()); });
    smoothing_kind_ = new QComboBox;
    smoothing_kind_->addItem(tr("No smoothing"), static_cast<int>(SmoothingKind::None));
    smoothing_kind_->addItem(tr("Moving average"), static_cast<int>(SmoothingKind::MovingAverage));
    smoothing_kind_->addItem(tr("Exponential"), static_cast<int>(SmoothingKind::Exponential));
    smoothing_seconds_ = new QDoubleSpinBox;
    smoothing_seconds_->setRange(0.1, 60.0);
    smoothing_seconds_->setSingleStep(0.5);
    smoothing_seconds_->setValue(1.0);
    smoothing_seconds_->setSuffix(tr(" s"));
    smoothing_seconds_->setToolTip(
        tr("Moving average: the window's length. Exponential: the "
           "time constant (a step reaches 63% after it)."));
    const auto apply_smoothing = [this] {
        setSmoothing({static_cast<SmoothingKind>(smoothing_kind_->currentData().toInt()),
                      smoothing_seconds_->value()});
    };
    connect(smoothing_kind_, &QComboBox::activated, this, apply_smoothing);
    connect(smoothing_seconds_, &QDoubleSpinBox::valueChanged, this, apply_smoothing);
    auto* fit = new QPushButton(tr("Fit"));
    fit->setToolTip(tr("Show the whole session (scroll to zoom, drag to pan, click to seek)"));
    connect(fit, &QPushButton::clicked, timeline_, &ReviewTimeline::fitAll);

    auto* header = new QHBoxLayout;
    header->addWidget(new QLabel(tr("Track:")));
    header->addWidget(track_choice_);
    emotion_checks_layout_ = new QHBoxLayout;
    header->addLayout(emotion_checks_layout_);
    header->addStretch();
    header->addWidget(buildRestingFaceControls());
    header->addWidget(smoothing_kind_);
    header->addWidget(smoothing_seconds_);
    header->addWidget(fit);
    auto* area = new QWidget;
    auto* layout = new QVBoxLayout(area);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(header);
    layout->addWidget(timeline_, 1);
    return area;
}

QWidget* ReviewWorkspace::buildProgressRow() {
    progress_row_ = new QWidget;
    progress_ = new QProgressBar;
    progress_->setRange(0, 1000);
    eta_ = new QLabel;
    auto* cancel = new QPushButton(tr("Cancel"));
    cancel->setToolTip(tr("Stop the analysis; what is stored stays, reopening resumes it"));
    connect(cancel, &QPushButton::clicked, this, &ReviewWorkspace::cancelAnalysis);
    auto* layout = new QHBoxLayout(progress_row_);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Analysing:")));
    layout->addWidget(progress_, 1);
    layout->addWidget(eta_);
    layout->addWidget(cancel);
    progress_row_->hide();
    return progress_row_;
}

void ReviewWorkspace::showError(const QString& message) {
    error_banner_->setText(message);
    error_banner_->show();
    statusBar()->showMessage(message.left(160), 10000);
}

void ReviewWorkspace::clearError() {
    error_banner_->hide();
    error_banner_->clear();
}

QString ReviewWorkspace::errorText() const {
    return error_banner_->isHidden() ? QString() : error_banner_->text();
}

bool ReviewWorkspace::isAnalysing() const {
    return runner_->isRunning();
}

void ReviewWorkspace::showSideTab(int index) {
    side_tabs_->setCurrentIndex(index);
}

bool ReviewWorkspace::showSideTab(const QString& name) {
    const std::pair<const char*, QWidget*> tabs[] = {{"summary", summary_},
                                                     {"markers", marker_panel_},
                                                     {"moments", moment_panel_},
                                                     {"sessions", session_list_}};
    for (const auto& [tab, widget] : tabs) {
        if (name == QLatin1String(tab)) {
            side_tabs_->setCurrentWidget(widget);
            return true;
        }
    }
    return false;
}

void ReviewWorkspace::closeEvent(QCloseEvent* event) {
    player_->pause();
    runner_->cancel();
    event->accept();
}

void ReviewWorkspace::showFrame(std::int64_t frame, double seconds, const cv::Mat& image) {
    current_frame_ = frame;
    current_image_ = image.clone();  // the player reuses its buffer for the next frame
    const auto index = static_cast<std::size_t>(frame);
    const FrameRecord none{frame, seconds * 1000.0, {}};
    const auto& shown = shownFrames();
    video_->showFrame(current_image_, index < shown.size() ? shown[index] : none, track_);
    timeline_->setPlayhead(seconds);
}

const std::vector<std::string>& ReviewWorkspace::labels() const {
    static const std::vector<std::string> kNone;
    return session_ ? session_->setup.labels : kNone;
}

double ReviewWorkspace::sessionSeconds() const {
    if (player_->isOpen())
        return player_->durationSeconds();
    if (!session_)
        return 0.0;
    // Without the recording: what the container announced, or what is stored if longer.
    const double fps = session_->recording.fps > 0.0 ? session_->recording.fps : 30.0;
    const double stored = frames_.empty() ? 0.0 : frames_.back().timestamp_ms / 1000.0 + 1.0 / fps;
    return std::max(static_cast<double>(session_->recording.frame_count) / fps, stored);
}

void ReviewWorkspace::rebuildEmotionChecks() {
    for (auto* check : emotion_checks_)
        delete check;
    emotion_checks_.clear();
    const auto& names = labels();
    for (std::size_t i = 0; i < names.size(); ++i) {
        auto* check = new QCheckBox(QString::fromStdString(names[i]));
        check->setChecked(true);
        const auto color = emotionColor(names[i], static_cast<int>(i)).name();
        check->setStyleSheet(QStringLiteral("QCheckBox{color:%1; font-weight:bold;}").arg(color));
        connect(check, &QCheckBox::toggled, this,
                [this, i](bool on) { setEmotionVisible(static_cast<int>(i), on); });
        emotion_checks_layout_->addWidget(check);
        emotion_checks_.push_back(check);
    }
}

void ReviewWorkspace::setEmotionVisible(int label_index, bool visible) {
    timeline_->setEmotionVisible(label_index, visible);
    if (label_index >= 0 && static_cast<std::size_t>(label_index) < emotion_checks_.size()) {
        auto* check = emotion_checks_[static_cast<std::size_t>(label_index)];
        const QSignalBlocker quiet(check);
        check->setChecked(visible);
    }
}

void ReviewWorkspace::rebuildTrackChoice() {
    const auto tracks = tracksByPresence(frames_);
    // The person followed live, when one was chosen and is in the readings; else the most present.
    if (track_ < 0 && session_ && session_->followed_track >= 0 &&
        std::find(tracks.begin(), tracks.end(), session_->followed_track) != tracks.end())
        track_ = session_->followed_track;
    if (track_ < 0 && !tracks.empty())
        track_ = tracks.front();
    const QSignalBlocker quiet(track_choice_);
    track_choice_->clear();
    for (const int id : tracks) {
        const auto person = std::find_if(people_.begin(), people_.end(),
                                         [id](const Person& p) { return p.track_id == id; });
        QString text = person != people_.end() && !person->name.empty()
                           ? tr("%1 (face #%2)").arg(QString::fromStdString(person->name)).arg(id)
                           : tr("face #%1").arg(id);
        if (person != people_.end() ? person->followed : session_ && id == session_->followed_track)
            text += tr(", followed live");
        track_choice_->addItem(text, id);
    }
    if (tracks.empty())
        track_choice_->addItem(tr("no face yet"), -1);
    track_choice_->setCurrentIndex(std::max(0, track_choice_->findData(track_)));
}

void ReviewWorkspace::setTrack(int track_id) {
    track_ = track_id;
    rebuildTrackChoice();
    refreshViews();
}

void ReviewWorkspace::setSmoothing(const Smoothing& smoothing) {
    smoothing_ = smoothing;
    {
        const QSignalBlocker quiet_kind(smoothing_kind_);
        const QSignalBlocker quiet_seconds(smoothing_seconds_);
        smoothing_kind_->setCurrentIndex(
            smoothing_kind_->findData(static_cast<int>(smoothing.kind)));
        smoothing_seconds_->setValue(smoothing.seconds);
        smoothing_seconds_->setEnabled(smoothing.kind != SmoothingKind::None);
    }
    refreshSeries();
}

void ReviewWorkspace::scheduleRefresh() {
    if (!refresh_timer_.isActive())
        refresh_timer_.start();
}

void ReviewWorkspace::refreshViews() {
    refresh_timer_.stop();
    rebuildTrackChoice();
    timeline_->setDuration(sessionSeconds());
    refreshSeries();
    refreshSummary();
    refreshTitle();
    refreshMoments();
    refreshRestingFaceControls();
    if (!current_image_.empty())  // the frame on show may have just been analysed
        showFrame(current_frame_, player_->secondsOfFrame(current_frame_), current_image_);
}

bool ReviewWorkspace::setSessionLabel(const QString& label) {
    if (!session_ || !store_)
        return false;
    const auto text = label.trimmed().toStdString();
    if (text == session_->label)
        return true;
    try {
        store_->setLabel(session_->id, text);
        session_->label = text;
    } catch (const std::exception& error) {
        showError(tr("The label could not be stored: %1").arg(error.what()));
        return false;
    }
    refreshTitle();
    return true;
}

void ReviewWorkspace::refreshTitle() {
    session_label_->setEnabled(session_.has_value());
    if (!session_label_->hasFocus())
        session_label_->setText(session_ ? QString::fromStdString(session_->label) : QString());
    if (!session_) {
        session_title_->setText(tr("No session open."));
        return;
    }
    const auto model =
        session_->setup.model_path.empty()
            ? tr("no emotion model")
            : QString::fromStdString(
                  std::filesystem::path(session_->setup.model_path).filename().string());
    if (session_->kind == SessionKind::Live) {
        const auto label = session_->label.empty()
                               ? QString()
                               : QStringLiteral(" \u00b7 ") +
                                     QString::fromStdString(session_->label).toHtmlEscaped();
        session_title_->setText(
            tr("<b>Live session %1%2</b> — %3, started %4 UTC, %5 readings with %6 (%7); %8")
                .arg(session_->id)
                .arg(label, QString::fromStdString(session_->source).toHtmlEscaped(),
                     QString::fromStdString(session_->started_utc))
                .arg(frames_.size())
                .arg(model, QString::fromStdString(sessionStatus(*session_, store_->path())),
                     session_->recording.path.empty() ? tr("not recorded") : tr("recorded")));
        return;
    }
    // frames_ rather than the stored count: it grows with each analysis batch.
    session_title_->setText(tr("<b>%1</b> — analysed %2 UTC with %3, %4 frames stored (%5)")
                                .arg(QString::fromStdString(session_->recording.path),
                                     QString::fromStdString(session_->created_utc), model)
                                .arg(frames_.size())
                                .arg(QString::fromStdString(toString(session_->state))));
}

void ReviewWorkspace::refreshSeries() {
    timeline_->setSeries(smooth(trackSeries(shownFrames(), track_), smoothing_));
    timeline_->setLowQualityStretches(lowQualityStretches(frames_, track_));
}

void ReviewWorkspace::refreshSummary() {
    summary_->setStatistics(sessionStatistics(shownFrames(), labels(), track_, markers_,
                                              summaryWindowSeconds(sessionSeconds()), {},
                                              summary_->lowQualityReadings()));
}

}  // namespace emotrace::ui
