#include "main_window.h"

#include <algorithm>
#include <functional>

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include "emotion_palette.h"
#include "emotion_timeline.h"
#include "moment_list.h"
#include "people_list.h"
#include "emotrace/error.h"
#include "emotrace/x11_capture.h"
#include "session_controller.h"
#include "video_view.h"

namespace emotrace::ui {
namespace {

const QString kNoModelText = QStringLiteral(
    "No emotion model loaded: emotions are not shown. emotrace ships "
    "models/emotrace-resnet18.pt; pass --model FILE for another (README: 'The model')");
const QString kWarningStyle =
    QStringLiteral("background:#fff3c4; color:#5c4500; border:1px solid #e0c060;");
const QString kErrorStyle =
    QStringLiteral("background:#fde2e1; color:#8a1c16; border:1px solid #e59a96;");
const QString kInfoStyle =
    QStringLiteral("background:#e3f1e6; color:#1d4d2b; border:1px solid #9cc9a8;");
constexpr int kStatusMessageMs = 10000;
// How long the marker's label box holds the keyboard when nothing is typed.
constexpr int kMarkerLabelMs = 8000;

// Hands Esc in the marker's label box to the window (which leaves the marker unlabelled).
class EscapeFilter : public QObject {
  public:
    EscapeFilter(QObject* parent, std::function<void()> on_escape)
        : QObject(parent), on_escape_(std::move(on_escape)) {}
    bool eventFilter(QObject* watched, QEvent* event) override {
        if (event->type() == QEvent::KeyPress &&
            static_cast<QKeyEvent*>(event)->key() == Qt::Key_Escape) {
            on_escape_();
            return true;
        }
        return QObject::eventFilter(watched, event);
    }

  private:
    std::function<void()> on_escape_;
};

}  // namespace

MainWindow::MainWindow(SessionController& controller, QWidget* parent)
    : QMainWindow(parent),
      controller_(controller),
      video_view_(new VideoView),
      timeline_(new EmotionTimeline) {
    setWindowTitle(tr("emotrace"));
    resize(1100, 860);
    buildToolbar();
    addToolBarBreak();
    buildSessionToolbar();
    buildStatusBar();

    auto* splitter = video_and_timeline_ = new QSplitter(Qt::Vertical);
    splitter->addWidget(video_view_);
    timelines_ = new QWidget;
    auto* timelines_layout = new QVBoxLayout(timelines_);
    timelines_layout->setContentsMargins(0, 0, 0, 0);
    timelines_layout->setSpacing(2);
    timelines_layout->addWidget(timeline_, 1);
    splitter->addWidget(timelines_);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    // The plot needs height to tell eight lines apart; the video keeps the larger share.
    timeline_->setMinimumHeight(220);
    splitter->setSizes({500, 320});
    splitter->setChildrenCollapsible(false);

    // The moments rail: beside the video and the timeline, where a glance finds it.
    auto* rail = new QWidget;
    rail->setObjectName(QStringLiteral("momentsRail"));
    auto* rail_layout = new QVBoxLayout(rail);
    rail_layout->setContentsMargins(4, 0, 0, 0);
    auto* rail_title = new QLabel(tr("<b>Moments</b>"));
    auto* rail_hint = new QLabel(tr("Click one to make it a marker."));
    rail_hint->setStyleSheet(QStringLiteral("color: #666;"));
    rail_hint->setWordWrap(true);
    moment_list_ = new MomentList(MomentList::Order::NewestFirst);
    moment_list_->setLabels(controller_.labels());
    moment_list_->setEmptyText(
        controller_.hasClassifier()
            ? tr("No moments yet. Expressions that depart clearly from the person's own "
                 "baseline appear here.")
            : tr("No emotion model loaded: no moments."));
    // The people of the call above the moments: who is followed, named, left out.
    auto* people_title = new QLabel(tr("<b>People</b>"));
    people_list_ = new PeopleList;
    people_list_->setObjectName(QStringLiteral("peopleList"));
    people_list_->setMaximumHeight(170);
    rail_layout->addWidget(people_title);
    rail_layout->addWidget(people_list_);
    rail_layout->addSpacing(6);
    rail_layout->addWidget(rail_title);
    rail_layout->addWidget(rail_hint);
    rail_layout->addWidget(moment_list_, 1);
    rail->setMinimumWidth(220);
    auto* beside = beside_rail_ = new QSplitter(Qt::Horizontal);
    beside->addWidget(splitter);
    beside->addWidget(rail);
    beside->setStretchFactor(0, 4);
    beside->setStretchFactor(1, 1);
    beside->setSizes({850, 240});
    beside->setChildrenCollapsible(false);

    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 0);
    model_banner_ = buildBanner(model_banner_text_, kWarningStyle, false);
    error_banner_ = buildBanner(error_banner_text_, kErrorStyle, true);
    keeping_banner_ = buildBanner(keeping_banner_text_, kWarningStyle, true);
    paused_banner_ = buildBanner(paused_banner_text_, kWarningStyle, false);
    paused_banner_->setObjectName(QStringLiteral("sourcePausedBanner"));
    kept_bar_ = buildBanner(kept_text_, kInfoStyle, true);
    review_kept_ = new QPushButton(tr("Review this session"));
    review_kept_->setObjectName(QStringLiteral("reviewKeptSession"));
    connect(review_kept_, &QPushButton::clicked, this,
            [this] { emit reviewSessionRequested(kept_session_id_); });
    static_cast<QHBoxLayout*>(kept_bar_->layout())->insertWidget(1, review_kept_);
    layout->addWidget(model_banner_);
    layout->addWidget(error_banner_);
    layout->addWidget(keeping_banner_);
    layout->addWidget(paused_banner_);
    layout->addWidget(kept_bar_);
    layout->addWidget(beside, 1);
    setCentralWidget(central);

    model_banner_text_->setText(kNoModelText);
    model_banner_->setVisible(!controller_.hasClassifier());
    error_banner_->hide();
    keeping_banner_->hide();
    paused_banner_->hide();
    kept_bar_->hide();
    video_view_->setLabels(controller_.labels());
    timeline_->startSession(controller_.labels());

    connect(&controller_, &SessionController::sessionStarted, this, &MainWindow::onSessionStarted);
    connect(&controller_, &SessionController::sessionFinished, this,
            &MainWindow::onSessionFinished);
    connect(&controller_, &SessionController::sessionFailed, this, &MainWindow::showError);
    connect(&controller_, &SessionController::figuresChanged, this, &MainWindow::showFigures);
    connect(&controller_, &SessionController::resultReady, this, [this](const FrameResult& r) {
        video_view_->showResult(r);
        for (auto* timeline : timelines())
            timeline->addResult(r);
    });
    connect(&controller_, &SessionController::markerAdded, this, [this](int, const Marker& marker) {
        live_markers_.emplace_back(marker.start_ms / 1000.0, QString::fromStdString(marker.label));
        for (auto* timeline : timelines())
            timeline->addMarker(marker.start_ms / 1000.0, QString::fromStdString(marker.label));
    });
    connect(&controller_, &SessionController::markerLabelled, this,
            [this](int marker, const QString& label) {
                if (marker >= 0 && static_cast<std::size_t>(marker) < live_markers_.size())
                    live_markers_[static_cast<std::size_t>(marker)].second = label;
                for (auto* timeline : timelines())
                    timeline->setMarkerLabel(marker, label);
            });
    // Following one person: a click on a face; a click on the followed face again lets go
    // (back to the largest face). Ctrl+click follows one more (or one fewer); a right click
    // offers names and leaving out; the People list does the same with one click.
    connect(video_view_, &VideoView::faceClicked, this, [this](int track) {
        const auto& followed = controller_.followedTracks();
        controller_.setFollowedTrack(followed.size() == 1 && followed.front() == track
                                         ? std::nullopt
                                         : std::optional(track));
    });
    connect(video_view_, &VideoView::faceAddClicked, this, [this](int track) {
        const auto& followed = controller_.followedTracks();
        controller_.setTrackFollowed(
            track, std::find(followed.begin(), followed.end(), track) == followed.end());
    });
    connect(video_view_, &VideoView::faceMenuRequested, this, [this](int track, QPoint at) {
        auto* menu = faceMenu(track);
        menu->setAttribute(Qt::WA_DeleteOnClose);
        menu->popup(at);
    });
    connect(people_list_, &PeopleList::nameEdited, &controller_, &SessionController::setPersonName);
    connect(people_list_, &PeopleList::followToggled, &controller_,
            &SessionController::setTrackFollowed);
    connect(people_list_, &PeopleList::leaveOutToggled, &controller_,
            &SessionController::setTrackExcluded);
    connect(&controller_, &SessionController::peopleChanged, this, &MainWindow::syncPeople);
    connect(&controller_, &SessionController::sourcePaused, this, [this](const QString& why) {
        paused_banner_text_->setText(tr("No frames: %1. The session goes on.").arg(why));
        paused_banner_->setVisible(!why.isEmpty());
    });
    connect(
        &controller_, &SessionController::momentFound, this, [this](int, const LiveMoment& found) {
            moment_list_->addMoment(found.moment, toQImage(found.thumbnail));
            const auto labels = controller_.labels();
            const auto label = static_cast<std::size_t>(found.moment.label);
            timelineFor(found.moment.track_id)
                ->addMoment(
                    found.moment.start_ms / 1000.0, found.moment.end_ms / 1000.0,
                    emotionColor(label < labels.size() ? labels[label] : "", found.moment.label));
        });
    connect(
        &controller_, &SessionController::momentEnded, this,
        [this](int number, const LiveMoment& ended) {
            moment_list_->updateMoment(number, ended.moment, toQImage(ended.thumbnail));
            timelineFor(ended.moment.track_id)->setMomentEnd(number, ended.moment.end_ms / 1000.0);
        });
    connect(moment_list_, &MomentList::momentClicked, this, [this](int number) {
        if (controller_.markMoment(number))
            moment_list_->setMomentState(number, tr("marker"));
    });
    connect(&controller_, &SessionController::keepingFailed, this, &MainWindow::showKeepingProblem);
    connect(&controller_, &SessionController::recordingFailed, this,
            &MainWindow::showKeepingProblem);
    connect(&controller_, &SessionController::recordingChanged, this,
            [this](bool recording) { recording_indicator_action_->setVisible(recording); });
    connect(&controller_, &SessionController::sessionKept, this, &MainWindow::onSessionKept);
    connect(&controller_, &SessionController::restingFaceStarted, this, [this](double seconds) {
        resting_face_action_->setText(tr("Taking resting face…"));
        statusBar()->showMessage(
            tr("Taking the resting face over the next %1 s: the person at rest, looking at the "
               "camera")
                .arg(seconds, 0, 'f', 0),
            qRound(seconds * 1000.0) + 1000);
        updateActions();
    });
    connect(&controller_, &SessionController::restingFaceTaken, this,
            [this](int track, const QString& warning) {
                resting_face_action_->setText(tr("Resting face (B)"));
                const QString name = controller_.personName(track);
                const QString who = name.isEmpty() ? tr("face #%1").arg(track) : name;
                statusBar()->showMessage(
                    warning.isEmpty()
                        ? tr("Resting face of %1 taken; readings are shown relative to it").arg(who)
                        : tr("Resting face of %1 taken, but %2").arg(who, warning),
                    3 * kStatusMessageMs);
                video_view_->setRelativeTracks(controller_.isRelativeToRest()
                                                   ? controller_.tracksWithRestingFace()
                                                   : std::vector<int>{});
                updateActions();
                setRelativeToRest(true);
            });
    connect(&controller_, &SessionController::restingFaceRefused, this, [this](const QString& why) {
        resting_face_action_->setText(tr("Resting face (B)"));
        showError(tr("No resting face was taken: %1.").arg(why));
        updateActions();
    });
    marker_label_timeout_.setSingleShot(true);
    marker_label_timeout_.setInterval(kMarkerLabelMs);
    connect(&marker_label_timeout_, &QTimer::timeout, this, &MainWindow::endMarkerLabelling);
    updateActions();
}

QWidget* MainWindow::buildBanner(QLabel*& text, const QString& style, bool closable) {
    auto* banner = new QFrame;
    banner->setObjectName(QStringLiteral("banner"));
    banner->setStyleSheet(QStringLiteral("#banner{%1 border-radius:4px;}").arg(style));
    auto* layout = new QHBoxLayout(banner);
    layout->setContentsMargins(10, 6, 6, 6);
    text = new QLabel;
    text->setWordWrap(true);
    text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    text->setStyleSheet(QStringLiteral("border:none; font-weight:bold;"));
    layout->addWidget(text, 1);
    if (closable) {
        auto* close = new QToolButton;
        close->setText(QStringLiteral("\u2715"));
        close->setAutoRaise(true);
        close->setToolTip(tr("Dismiss"));
        connect(close, &QToolButton::clicked, banner, &QWidget::hide);
        layout->addWidget(close, 0, Qt::AlignTop);
    }
    return banner;
}

void MainWindow::buildToolbar() {
    auto* bar = addToolBar(tr("Source"));
    bar->setMovable(false);
    bar->addWidget(new QLabel(tr(" Source: ")));
    source_kind_ = new QComboBox;
    source_kind_->setObjectName(QStringLiteral("sourceKind"));
    source_kind_->addItem(tr("Camera"), static_cast<int>(SourceSpec::Kind::Camera));
    source_kind_->addItem(tr("Video file"), static_cast<int>(SourceSpec::Kind::VideoFile));
    source_kind_->addItem(tr("Call window"), static_cast<int>(SourceSpec::Kind::Window));
    source_kind_->addItem(tr("Screen region"), static_cast<int>(SourceSpec::Kind::Screen));
    // The desktop portal: the way to read a call on Wayland, where the list above sees only X11
    // windows. Its dialog opens at Start.
    source_kind_->addItem(tr("Shared window (desktop portal)"),
                          static_cast<int>(SourceSpec::Kind::ScreenCast));
    source_kind_->setItemData(
        source_kind_->count() - 1,
        tr("The desktop asks which window or screen to share; the way on Wayland desktops"),
        Qt::ToolTipRole);
    bar->addWidget(source_kind_);

    camera_index_ = new QSpinBox;
    camera_index_->setRange(0, 63);
    camera_index_->setPrefix(tr("index "));
    camera_index_action_ = bar->addWidget(camera_index_);

    video_path_ = new QLineEdit;
    video_path_->setPlaceholderText(tr("video file"));
    video_path_->setMinimumWidth(260);
    video_path_action_ = bar->addWidget(video_path_);
    browse_action_ = bar->addAction(tr("Browse…"), this, &MainWindow::browseForVideo);

    screen_region_ = new QLineEdit;
    screen_region_->setPlaceholderText(tr("X,Y,W,H (empty: whole screen)"));
    screen_region_->setToolTip(
        tr("The rectangle of the primary screen to read, e.g. the video call's window"));
    screen_region_->setMinimumWidth(200);
    screen_region_action_ = bar->addWidget(screen_region_);

    // The call's window by its title: picked from the open windows, or a part of the title
    // typed in; the capture follows the window wherever it goes.
    call_window_ = new QComboBox;
    call_window_->setObjectName(QStringLiteral("callWindow"));
    call_window_->setEditable(true);
    call_window_->setMinimumWidth(300);
    call_window_->lineEdit()->setPlaceholderText(tr("the call's window (title)"));
    call_window_->setToolTip(
        tr("The video call's window: emotrace reads that window itself, wherever it is and "
           "even when other windows cover it"));
    call_window_action_ = bar->addWidget(call_window_);
    refresh_windows_action_ =
        bar->addAction(tr("Windows ↻"), this, &MainWindow::refreshCallWindows);
    refresh_windows_action_->setToolTip(tr("List the open windows again"));
    pick_window_action_ = bar->addAction(tr("Click the window…"), this, &MainWindow::pickWindow);
    pick_window_action_->setObjectName(QStringLiteral("pickWindow"));
    pick_window_action_->setToolTip(
        tr("Pick the call's window by clicking it (a right click cancels)"));

    loop_ = new QCheckBox(tr("Loop"));
    loop_->setToolTip(tr("Start the video over at its end"));
    loop_action_ = bar->addWidget(loop_);

    bar->addSeparator();
    bar->addWidget(new QLabel(tr(" Smoothing: ")));
    smoothing_ = new QDoubleSpinBox;
    smoothing_->setObjectName(QStringLiteral("smoothing"));
    smoothing_->setRange(0.0, 5.0);
    smoothing_->setSingleStep(0.25);
    smoothing_->setDecimals(2);
    smoothing_->setSuffix(tr(" s"));
    smoothing_->setValue(controller_.smoothingSeconds());
    smoothing_->setToolTip(
        tr("Each face's emotions are averaged over about this long before they are shown, so the "
           "label does not jump between frames; expressions then appear a little later. 0 shows "
           "every frame as it is (docs/dashboard.md)"));
    connect(smoothing_, &QDoubleSpinBox::valueChanged, this,
            [this](double seconds) { controller_.setSmoothingSeconds(seconds); });
    bar->addWidget(smoothing_);

    bar->addSeparator();
    start_action_ = bar->addAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("Start"), this,
                                   &MainWindow::startSession);
    stop_action_ = bar->addAction(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"), this,
                                  &MainWindow::stopSession);
    bar->addSeparator();
    auto* review = bar->addAction(style()->standardIcon(QStyle::SP_FileDialogDetailedView),
                                  tr("Review recording…"), this, &MainWindow::reviewRequested);
    review->setObjectName(QStringLiteral("reviewRecording"));
    review->setToolTip(tr("Go through a recorded session: timeline, markers, summary, report"));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);

    connect(source_kind_, &QComboBox::currentIndexChanged, this, &MainWindow::showSourceControls);
    showSourceControls();
}

void MainWindow::buildSessionToolbar() {
    auto* bar = addToolBar(tr("Session"));
    bar->setObjectName(QStringLiteral("sessionToolbar"));
    bar->setMovable(false);
    bar->addWidget(new QLabel(tr(" Session label: ")));
    session_label_ = new QLineEdit;
    session_label_->setObjectName(QStringLiteral("sessionLabel"));
    session_label_->setPlaceholderText(tr("client code, note (optional)"));
    session_label_->setToolTip(
        tr("Kept with the session and shown in the sessions list, the exports and the report. "
           "Use a pseudonymous code, never a name. It can be changed while the session runs; "
           "once it has stopped, the field holds the next session's label."));
    session_label_->setMinimumWidth(220);
    session_label_->setMaximumWidth(360);
    connect(session_label_, &QLineEdit::editingFinished, this,
            [this] { controller_.setSessionLabel(session_label_->text()); });
    bar->addWidget(session_label_);

    bar->addSeparator();
    marker_action_ = bar->addAction(tr("\u2691 Marker (M)"), this, &MainWindow::addMarkerNow);
    marker_action_->setObjectName(QStringLiteral("addMarker"));
    marker_action_->setShortcut(QKeySequence(Qt::Key_M));
    marker_action_->setToolTip(
        tr("Mark this moment (M). The marker is kept at once; a label can be typed or picked "
           "next to it, Enter keeps it, Esc leaves the marker without one. Nothing pauses."));
    marker_label_ = new QComboBox;
    marker_label_->setObjectName(QStringLiteral("markerLabel"));
    marker_label_->setEditable(true);
    marker_label_->setInsertPolicy(QComboBox::NoInsert);
    marker_label_->setMinimumWidth(160);
    marker_label_->lineEdit()->setPlaceholderText(tr("marker label"));
    marker_label_->setToolTip(tr("The label of the marker just added; type a new one or pick one"));
    connect(marker_label_->lineEdit(), &QLineEdit::returnPressed, this,
            [this] { applyMarkerLabel(marker_label_->currentText()); });
    connect(marker_label_, &QComboBox::activated, this,
            [this](int index) { applyMarkerLabel(marker_label_->itemText(index)); });
    // The combo box holds the focus and hands typed keys to its line edit: both may see Esc.
    auto* escape = new EscapeFilter(this, [this] { endMarkerLabelling(); });
    marker_label_->installEventFilter(escape);
    marker_label_->lineEdit()->installEventFilter(escape);
    bar->addWidget(marker_label_);
    auto* edit_labels = bar->addAction(tr("Labels…"), this, &MainWindow::editMarkerLabels);
    edit_labels->setToolTip(tr("Edit the short list of marker labels"));

    bar->addSeparator();
    record_action_ = bar->addAction(tr("\u25CF Record video"));
    record_action_->setObjectName(QStringLiteral("recordVideo"));
    record_action_->setCheckable(true);
    record_action_->setToolTip(
        tr("Record the analysed frames into a video beside the session store (owner-only), in "
           "step with the readings, for review. Off by default: recording needs the client's "
           "consent. Takes effect when the session starts."));
    connect(record_action_, &QAction::toggled, this,
            [this](bool on) { controller_.setRecordingWanted(on); });
    recording_indicator_ = new QLabel(tr("\u25CF REC"));
    recording_indicator_->setObjectName(QStringLiteral("recordingIndicator"));
    recording_indicator_->setStyleSheet(
        QStringLiteral("background:#c62828; color:white; font-weight:bold; border-radius:4px; "
                       "padding:2px 10px; margin-left:6px;"));
    recording_indicator_->setToolTip(tr("The session's frames are being recorded"));
    recording_indicator_action_ = bar->addWidget(recording_indicator_);
    recording_indicator_action_->setVisible(false);

    bar->addSeparator();
    resting_face_action_ =
        bar->addAction(tr("Resting face (B)"), this, [this] { takeRestingFace(); });
    resting_face_action_->setObjectName(QStringLiteral("takeRestingFace"));
    resting_face_action_->setShortcut(QKeySequence(Qt::Key_B));
    resting_face_action_->setToolTip(
        tr("The next %1 seconds are this person's resting face (the followed person, or the one "
           "in view; right-click a face to choose). Readings can then be shown relative to how "
           "they look at rest. Refused, with the reason, with no face, two faces, or an "
           "expression.")
            .arg(SessionController::kRestingFaceSeconds, 0, 'f', 0));
    relative_to_rest_action_ = bar->addAction(tr("Relative to rest"));
    relative_to_rest_action_->setObjectName(QStringLiteral("relativeToRest"));
    relative_to_rest_action_->setCheckable(true);
    relative_to_rest_action_->setToolTip(
        tr("Show each person's readings relative to their resting face (people without one "
           "stay as read; the caption says \"vs rest\"). The session keeps the raw readings; "
           "its exports carry both."));
    connect(relative_to_rest_action_, &QAction::toggled, this,
            [this](bool on) { setRelativeToRest(on); });
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
}

void MainWindow::takeRestingFace(std::optional<int> track) {
    if (!track)
        track = controller_.followedTrack();
    if (!controller_.takeRestingFace(track)) {
        statusBar()->showMessage(controller_.hasClassifier()
                                     ? tr("Start a session to take a resting face")
                                     : tr("A resting face needs an emotion model"),
                                 kStatusMessageMs);
    }
}

void MainWindow::setRelativeToRest(bool relative) {
    if (relative_to_rest_action_->isChecked() != relative) {
        relative_to_rest_action_->setChecked(relative);  // comes back here through toggled
        return;
    }
    if (controller_.isRelativeToRest() == relative)
        return;
    controller_.setRelativeToRest(relative);
    video_view_->setRelativeTracks(relative ? controller_.tracksWithRestingFace()
                                            : std::vector<int>{});
    if (controller_.isRunning()) {
        for (auto* timeline : timelines())
            timeline->markShownAs(controller_.sessionSeconds(),
                                  relative ? tr("vs resting face") : tr("as read"));
    }
}

void MainWindow::setMarkerLabels(const QStringList& labels) {
    marker_label_->clear();
    marker_label_->addItems(labels);
    marker_label_->setCurrentIndex(-1);
    marker_label_->clearEditText();
}

QStringList MainWindow::markerLabels() const {
    QStringList labels;
    for (int i = 0; i < marker_label_->count(); ++i)
        labels << marker_label_->itemText(i);
    return labels;
}

void MainWindow::addMarkerNow() {
    const auto number = controller_.addMarker();
    if (!number) {
        statusBar()->showMessage(tr("Start a session to add markers"), kStatusMessageMs);
        return;
    }
    labelling_marker_ = *number;
    if (QWidget* focused = QApplication::focusWidget();
        focused != marker_label_ && focused != marker_label_->lineEdit())
        focus_before_marker_ = focused;
    marker_label_->setCurrentIndex(-1);
    marker_label_->clearEditText();
    marker_label_->setFocus(Qt::ShortcutFocusReason);
    marker_label_timeout_.start();
    statusBar()->showMessage(
        tr("Marker at %1 s kept. Type or pick a label and press Enter; Esc leaves it without one.")
            .arg(controller_.sessionSeconds(), 0, 'f', 1),
        kMarkerLabelMs);
}

void MainWindow::applyMarkerLabel(const QString& label) {
    const auto text = label.trimmed();
    if (labelling_marker_ < 0) {
        // No marker waits for a label (Enter pressed twice, or a pick after the timeout).
        endMarkerLabelling();
        return;
    }
    if (!text.isEmpty()) {
        controller_.setMarkerLabel(labelling_marker_, text);
        if (marker_label_->findText(text) < 0) {
            marker_label_->addItem(text);
            emit markerLabelsChanged(markerLabels());
        }
        statusBar()->showMessage(tr("Marker \u201c%1\u201d kept").arg(text), kStatusMessageMs);
    }
    endMarkerLabelling();
}

void MainWindow::endMarkerLabelling() {
    labelling_marker_ = -1;
    marker_label_timeout_.stop();
    marker_label_->setCurrentIndex(-1);
    marker_label_->clearEditText();
    // The keyboard goes back where it was (the call, or the window's video).
    if (focus_before_marker_)
        focus_before_marker_->setFocus(Qt::OtherFocusReason);
    else if (marker_label_->hasFocus() || marker_label_->lineEdit()->hasFocus())
        video_view_->setFocus(Qt::OtherFocusReason);
    focus_before_marker_.clear();
}

void MainWindow::editMarkerLabels() {
    bool ok = false;
    const auto text = QInputDialog::getMultiLineText(
        this, tr("Marker labels"), tr("One label per line, offered for every marker:"),
        markerLabels().join(QLatin1Char('\n')), &ok);
    if (!ok)
        return;
    QStringList labels;
    for (const auto& line : text.split(QLatin1Char('\n'))) {
        if (const auto label = line.trimmed(); !label.isEmpty() && !labels.contains(label))
            labels << label;
    }
    setMarkerLabels(labels);
    emit markerLabelsChanged(labels);
}

void MainWindow::setSessionLabel(const QString& label) {
    session_label_->setText(label);
    controller_.setSessionLabel(label);
}

void MainWindow::setRecordingWanted(bool record) {
    record_action_->setChecked(record);
}

void MainWindow::showKeepingProblem(const QString& message) {
    const auto shown = keeping_banner_->isHidden() ? QString() : keeping_banner_text_->text();
    keeping_banner_text_->setText(shown.isEmpty() || shown.contains(message)
                                      ? message
                                      : shown + QStringLiteral("\n") + message);
    keeping_banner_->show();
}

void MainWindow::onSessionKept(const KeptSession& session) {
    kept_session_id_ = session.id;
    QString text = tr("Session %1 kept: %2 readings, %3 markers")
                       .arg(session.id)
                       .arg(session.frames)
                       .arg(session.markers);
    if (!session.recording.empty()) {
        text += tr(", recorded (%1 frames, %2)")
                    .arg(session.frames_recorded)
                    .arg(QString::fromStdString(session.recording.filename().string()));
    }
    text += QStringLiteral(".");
    if (!session.problem.isEmpty())
        text += QStringLiteral(" ") + tr("Not everything was kept: %1").arg(session.problem);
    kept_text_->setText(text);
    kept_bar_->show();
}

QString MainWindow::keepingText() const {
    return keeping_banner_->isHidden() ? QString() : keeping_banner_text_->text();
}

QString MainWindow::keptSessionText() const {
    return kept_bar_->isHidden() ? QString() : kept_text_->text();
}

bool MainWindow::isRecordingIndicatorShown() const {
    return recording_indicator_action_->isVisible();
}

void MainWindow::buildStatusBar() {
    state_label_ = new QLabel(tr("Idle"));
    fps_label_ = new QLabel;
    latency_label_ = new QLabel;
    dropped_label_ = new QLabel;
    for (auto* label : {fps_label_, latency_label_, dropped_label_}) {
        label->setMinimumWidth(130);
        statusBar()->addPermanentWidget(label);
    }
    statusBar()->insertWidget(0, state_label_, 1);
    fps_label_->setToolTip(tr("Results shown per second over the last 2 s"));
    latency_label_->setToolTip(tr("Median capture-to-result latency of recent frames"));
    dropped_label_->setToolTip(
        tr("Frames the analysis skipped to stay live, since the session started"));
    showFigures({});
}

void MainWindow::showSourceControls() {
    const auto kind = static_cast<SourceSpec::Kind>(source_kind_->currentData().toInt());
    camera_index_action_->setVisible(kind == SourceSpec::Kind::Camera);
    video_path_action_->setVisible(kind == SourceSpec::Kind::VideoFile);
    browse_action_->setVisible(kind == SourceSpec::Kind::VideoFile);
    loop_action_->setVisible(kind == SourceSpec::Kind::VideoFile);
    screen_region_action_->setVisible(kind == SourceSpec::Kind::Screen);
    call_window_action_->setVisible(kind == SourceSpec::Kind::Window);
    refresh_windows_action_->setVisible(kind == SourceSpec::Kind::Window);
    pick_window_action_->setVisible(kind == SourceSpec::Kind::Window);
    if (kind == SourceSpec::Kind::Window && call_window_->count() == 0)
        refreshCallWindows();
}

void MainWindow::refreshCallWindows() {
    const auto typed = call_window_->currentText();
    call_window_->clear();
    try {
        for (const auto& window : listX11Windows()) {
            if (!window.viewable || window.width < 64 || window.height < 64)
                continue;  // hidden windows and docks are no call
            const auto title = QString::fromStdString(window.title);
            if (title.startsWith(QStringLiteral("emotrace")))
                continue;  // the dashboard reading itself helps nobody
            call_window_->addItem(window.application.empty()
                                      ? title
                                      : QStringLiteral("%1 — %2").arg(
                                            title, QString::fromStdString(window.application)),
                                  QStringLiteral("0x%1").arg(window.id, 0, 16));
        }
    } catch (const std::exception& error) {
        showError(tr("The open windows cannot be listed: %1").arg(error.what()));
    }
    call_window_->setCurrentText(typed);
    if (typed.isEmpty() && call_window_->count() > 0)
        call_window_->setCurrentIndex(0);
    if (!qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")) {
        // Native Wayland windows are invisible to an X11 client: say what to do instead.
        statusBar()->showMessage(
            tr("Wayland desktop: only X11 windows are listed. For a call in a native Wayland "
               "window, choose 'Shared window (desktop portal)' as the source "
               "(docs/dashboard.md, 'Capturing the call')."));
    }
}

void MainWindow::pickWindow() {
    if (window_picker_.joinable())
        return;  // one pick at a time
    statusBar()->showMessage(tr("Click the call's window (a right click cancels)…"));
    pick_window_action_->setEnabled(false);
    window_picker_ = std::jthread([this](std::stop_token stop) {
        QString error;
        std::optional<X11Window> picked;
        try {
            picked = pickX11WindowByClick(stop);
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(
            this, [this, picked, error] { onWindowPicked(picked, error); }, Qt::QueuedConnection);
    });
    // Nobody clicks within half a minute: the pointer is given back (this pick's, not a later
    // one's that started after it ended).
    const int pick = ++window_picks_;
    QTimer::singleShot(30'000, this, [this, pick] {
        if (pick == window_picks_)
            window_picker_.request_stop();
    });
}

void MainWindow::onWindowPicked(const std::optional<X11Window>& picked, const QString& error) {
    if (window_picker_.joinable())
        window_picker_.join();
    window_picker_ = {};
    pick_window_action_->setEnabled(true);
    if (!error.isEmpty()) {
        showError(tr("The window could not be picked: %1").arg(error));
        return;
    }
    if (!picked) {
        statusBar()->showMessage(tr("No window picked."), 5000);
        return;
    }
    refreshCallWindows();
    const auto id = QStringLiteral("0x%1").arg(picked->id, 0, 16);
    int index = call_window_->findData(id);
    if (index < 0) {  // e.g. emotrace's own window, or one too small to be listed
        call_window_->addItem(QString::fromStdString(picked->title), id);
        index = call_window_->count() - 1;
    }
    call_window_->setCurrentIndex(index);
    statusBar()->showMessage(
        tr("Picked '%1'. Start reads it.").arg(QString::fromStdString(picked->title)), 8000);
}

void MainWindow::setSourceSpec(const SourceSpec& spec) {
    source_kind_->setCurrentIndex(source_kind_->findData(static_cast<int>(spec.kind)));
    camera_index_->setValue(spec.camera_index);
    if (spec.kind == SourceSpec::Kind::VideoFile)
        video_path_->setText(QString::fromStdString(spec.path));
    if (spec.kind == SourceSpec::Kind::Window)
        call_window_->setCurrentText(QString::fromStdString(spec.window));
    if (spec.kind == SourceSpec::Kind::Screen) {
        const auto text = toString(spec);
        screen_region_->setText(spec.screen_region.isEmpty()
                                    ? QString()
                                    : QString::fromStdString(text.substr(text.find(':') + 1)));
    }
}

void MainWindow::restoreSettings(const QSettings& settings) {
    const auto kind = settings.value(QStringLiteral("source/kind"));
    if (kind.isValid() && source_kind_->findData(kind.toInt()) >= 0)
        source_kind_->setCurrentIndex(source_kind_->findData(kind.toInt()));
    camera_index_->setValue(settings.value(QStringLiteral("source/camera"), 0).toInt());
    video_path_->setText(settings.value(QStringLiteral("source/video")).toString());
    screen_region_->setText(settings.value(QStringLiteral("source/region")).toString());
    call_window_->setCurrentText(settings.value(QStringLiteral("source/window")).toString());
    const auto smoothing = settings.value(QStringLiteral("smoothing"));
    if (smoothing.isValid())
        smoothing_->setValue(smoothing.toDouble());  // the controller follows the box
    const auto sizes = [&](const char* key, QSplitter* splitter) {
        QList<int> values;
        for (const auto& v : settings.value(QLatin1String(key)).toList())
            values << v.toInt();
        if (values.size() == splitter->count())
            splitter->setSizes(values);
    };
    sizes("layout/videoAndTimeline", video_and_timeline_);
    sizes("layout/besideRail", beside_rail_);
    showSourceControls();
}

void MainWindow::setSmoothingSeconds(double seconds) {
    smoothing_->setValue(seconds);
    controller_.setSmoothingSeconds(smoothing_->value());
}

void MainWindow::saveSettings(QSettings& settings) const {
    settings.setValue(QStringLiteral("source/kind"), source_kind_->currentData());
    settings.setValue(QStringLiteral("source/camera"), camera_index_->value());
    settings.setValue(QStringLiteral("source/video"), video_path_->text());
    settings.setValue(QStringLiteral("source/region"), screen_region_->text());
    settings.setValue(QStringLiteral("source/window"), call_window_->currentText());
    settings.setValue(QStringLiteral("smoothing"), smoothing_->value());
    const auto sizes = [](const QSplitter* splitter) {
        QVariantList values;
        for (int size : splitter->sizes())
            values << size;
        return values;
    };
    settings.setValue(QStringLiteral("layout/videoAndTimeline"), sizes(video_and_timeline_));
    settings.setValue(QStringLiteral("layout/besideRail"), sizes(beside_rail_));
}

void MainWindow::setLooping(bool loop) {
    loop_->setChecked(loop);
}

SourceSpec MainWindow::sourceSpecFromToolbar() const {
    SourceSpec spec;
    spec.kind = static_cast<SourceSpec::Kind>(source_kind_->currentData().toInt());
    spec.camera_index = camera_index_->value();
    spec.path = video_path_->text().trimmed().toStdString();
    const auto region = screen_region_->text().trimmed().toStdString();
    if (spec.kind == SourceSpec::Kind::Screen && !region.empty()) {
        spec.screen_region = parseScreenRegion(region);
    }
    if (spec.kind == SourceSpec::Kind::Window) {
        // A window picked from the list is known by its id; a typed text by its title.
        const int picked = call_window_->findText(call_window_->currentText());
        spec.window = picked >= 0 ? call_window_->itemData(picked).toString().toStdString()
                                  : call_window_->currentText().trimmed().toStdString();
    }
    return spec;
}

void MainWindow::browseForVideo() {
    const auto path = QFileDialog::getOpenFileName(
        this, tr("Open a video"), video_path_->text(),
        tr("Videos (*.mp4 *.avi *.mkv *.mov *.webm *.m4v);;All files (*)"));
    if (!path.isEmpty())
        video_path_->setText(path);
}

bool MainWindow::startSession() {
    SourceSpec spec;
    try {
        spec = sourceSpecFromToolbar();
        const bool loop = spec.kind == SourceSpec::Kind::VideoFile && loop_->isChecked();
        state_label_->setText(tr("Opening %1…").arg(QString::fromStdString(toString(spec))));
        controller_.setSessionLabel(session_label_->text());
        return controller_.start(openFrameSource(spec, loop), toString(spec));
    } catch (const std::exception& error) {
        showError(tr("Could not open the source: %1").arg(QString::fromStdString(error.what())));
        state_label_->setText(tr("Idle"));
        return false;
    }
}

void MainWindow::stopSession() {
    controller_.stop();
}

void MainWindow::setModelLoadError(const QString& message) {
    model_banner_text_->setText(tr("Could not load the emotion model: %1").arg(message) +
                                QStringLiteral("\n") + kNoModelText);
    model_banner_->setVisible(true);
}

void MainWindow::showError(const QString& message) {
    error_banner_text_->setText(message);
    error_banner_->show();
    // The banner holds the whole message; the status bar only a line that fits beside the figures.
    const QFontMetrics metrics(statusBar()->font());
    statusBar()->showMessage(metrics.elidedText(message, Qt::ElideRight, width() / 2),
                             kStatusMessageMs);
    updateActions();
}

QString MainWindow::errorText() const {
    return error_banner_->isHidden() ? QString() : error_banner_text_->text();
}

QString MainWindow::modelBannerText() const {
    return model_banner_->isHidden() ? QString() : model_banner_text_->text();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    controller_.stop();
    event->accept();
}

void MainWindow::onSessionStarted(const QString& description) {
    error_banner_->hide();
    keeping_banner_->hide();
    kept_bar_->hide();
    endMarkerLabelling();
    state_label_->setText(tr("Running: %1").arg(description));
    video_view_->clear();
    video_view_->setLabels(controller_.labels());
    live_markers_.clear();
    setRelativeToRest(false);  // a new session's people have no resting face yet
    timeline_->startSession(controller_.labels());
    syncPeople();
    moment_list_->clear();
    moment_list_->setLabels(controller_.labels());
    updateActions();
    video_view_->setFocus(Qt::OtherFocusReason);  // M is a marker from the first moment on
}

std::vector<Person> MainWindow::people() const {
    std::vector<Person> all;
    for (int track : controller_.tracksSeen()) {
        const auto& followed = controller_.followedTracks();
        all.push_back(
            {.track_id = track,
             .name = controller_.personName(track).toStdString(),
             .followed = std::find(followed.begin(), followed.end(), track) != followed.end(),
             .excluded = controller_.isTrackExcluded(track)});
    }
    return all;
}

std::vector<EmotionTimeline*> MainWindow::timelines() const {
    std::vector<EmotionTimeline*> all{timeline_};
    for (const auto& [track, timeline] : further_timelines_)
        all.push_back(timeline);
    return all;
}

EmotionTimeline* MainWindow::timelineFor(int track) const {
    for (const auto& [followed, timeline] : further_timelines_) {
        if (followed == track)
            return timeline;
    }
    return timeline_;
}

void MainWindow::syncPeople() {
    const auto all = people();
    video_view_->setPeople(all);
    people_list_->setPeople(all);
    const auto& followed = controller_.followedTracks();
    const auto nameOf = [this](int track) { return controller_.personName(track); };
    timeline_->setFollowedTrack(followed.empty() ? std::nullopt : std::optional(followed.front()),
                                followed.empty() ? QString() : nameOf(followed.front()));
    // A further timeline per further person, in the order they were chosen: from when chosen
    // (the review has every reading of everyone).
    std::erase_if(further_timelines_, [&](const auto& entry) {
        const bool still = std::find(followed.begin() + (followed.empty() ? 0 : 1), followed.end(),
                                     entry.first) != followed.end();
        if (!still)
            entry.second->deleteLater();
        return !still;
    });
    for (std::size_t i = 1; i < followed.size(); ++i) {
        const int track = followed[i];
        auto* timeline = timelineFor(track);
        if (timeline == timeline_) {
            timeline = new EmotionTimeline;
            timeline->setMinimumHeight(150);
            timeline->setLegendWanted(false);
            timeline->startSession(controller_.labels());
            for (const auto& [seconds, label] : live_markers_)
                timeline->addMarker(seconds, label);
            timelines_->layout()->addWidget(timeline);
            further_timelines_.emplace_back(track, timeline);
        }
        timeline->setFollowedTrack(track, nameOf(track));
    }
}

QMenu* MainWindow::faceMenu(int track) {
    auto* menu = new QMenu(this);
    const auto& followed = controller_.followedTracks();
    const bool is_followed = std::find(followed.begin(), followed.end(), track) != followed.end();
    const bool excluded = controller_.isTrackExcluded(track);
    const QString name = controller_.personName(track);
    menu->addSection(name.isEmpty() ? tr("Face #%1").arg(track)
                                    : tr("%1 (face #%2)").arg(name).arg(track));
    if (!excluded) {
        if (!is_followed || followed.size() > 1) {
            menu->addAction(tr("Follow only this person"), this,
                            [this, track] { controller_.setFollowedTrack(track); });
        }
        if (is_followed) {
            menu->addAction(tr("Stop following"), this,
                            [this, track] { controller_.setTrackFollowed(track, false); });
        } else if (!followed.empty()) {
            menu->addAction(tr("Follow too (a timeline of their own)"), this,
                            [this, track] { controller_.setTrackFollowed(track, true); });
        }
        menu->addSeparator();
    }
    for (const QString& suggestion : {tr("client"), tr("therapist")}) {
        auto* action = menu->addAction(
            tr("Name: %1").arg(suggestion), this,
            [this, track, suggestion] { controller_.setPersonName(track, suggestion); });
        action->setCheckable(true);
        action->setChecked(name == suggestion);
    }
    menu->addAction(tr("Name…"), this, [this, track, name] {
        bool ok = false;
        const auto typed = QInputDialog::getText(this, tr("Name this person"),
                                                 tr("A short name (not their real name):"),
                                                 QLineEdit::Normal, name, &ok);
        if (ok)
            controller_.setPersonName(track, typed);
    });
    menu->addSeparator();
    if (!excluded && controller_.isRunning() && controller_.hasClassifier()) {
        menu->addAction(tr("Resting face: the next %1 s")
                            .arg(SessionController::kRestingFaceSeconds, 0, 'f', 0),
                        this, [this, track] { takeRestingFace(track); });
        menu->addSeparator();
    }
    if (excluded) {
        menu->addAction(tr("Include again"), this,
                        [this, track] { controller_.setTrackExcluded(track, false); });
    } else {
        menu->addAction(tr("Leave out (self-view): not read or kept"), this,
                        [this, track] { controller_.setTrackExcluded(track, true); });
    }
    return menu;
}

void MainWindow::onSessionFinished(const QString& error) {
    if (!error.isEmpty())
        showError(tr("The session stopped: %1").arg(error));
    state_label_->setText(error.isEmpty() ? tr("Stopped") : tr("Stopped by an error"));
    updateActions();
}

void MainWindow::showFigures(const LiveFigures& figures) {
    fps_label_->setText(tr("%1 results/s").arg(figures.results_per_second, 0, 'f', 1));
    latency_label_->setText(figures.results == 0
                                ? tr("latency \u2013")
                                : tr("latency %1 ms").arg(figures.median_latency_ms, 0, 'f', 0));
    dropped_label_->setText(tr("dropped %1").arg(figures.dropped_frames));
}

void MainWindow::updateActions() {
    const bool running = controller_.isRunning();
    start_action_->setEnabled(!running);
    stop_action_->setEnabled(running);
    // The source is chosen for a whole session; disabled fields also cannot keep the keyboard,
    // so M marks instead of typing into a path.
    for (QWidget* field : std::initializer_list<QWidget*>{source_kind_, camera_index_, video_path_,
                                                          screen_region_, call_window_, loop_})
        field->setEnabled(!running);
    browse_action_->setEnabled(!running);
    marker_action_->setEnabled(running);
    // The recording is chosen for a whole session: frame i of the file is reading i.
    record_action_->setEnabled(!running && controller_.isKeeping());
    if (!controller_.isKeeping())
        record_action_->setToolTip(tr("Sessions are not kept (--no-keep): nothing to record into"));
    resting_face_action_->setEnabled(running && controller_.hasClassifier() &&
                                     !controller_.isTakingRestingFace());
    relative_to_rest_action_->setEnabled(!controller_.tracksWithRestingFace().empty());
}

}  // namespace emotrace::ui
