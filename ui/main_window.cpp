#include "main_window.h"

#include <QAction>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include "emotion_timeline.h"
#include "emotrace/error.h"
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
constexpr int kStatusMessageMs = 10000;

}  // namespace

MainWindow::MainWindow(SessionController& controller, QWidget* parent)
    : QMainWindow(parent),
      controller_(controller),
      video_view_(new VideoView),
      timeline_(new EmotionTimeline) {
    setWindowTitle(tr("emotrace"));
    resize(1100, 860);
    buildToolbar();
    buildStatusBar();

    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(video_view_);
    splitter->addWidget(timeline_);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    // The plot needs height to tell eight lines apart; the video keeps the larger share.
    timeline_->setMinimumHeight(220);
    splitter->setSizes({500, 320});
    splitter->setChildrenCollapsible(false);

    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 0);
    model_banner_ = buildBanner(model_banner_text_, kWarningStyle, false);
    error_banner_ = buildBanner(error_banner_text_, kErrorStyle, true);
    layout->addWidget(model_banner_);
    layout->addWidget(error_banner_);
    layout->addWidget(splitter, 1);
    setCentralWidget(central);

    model_banner_text_->setText(kNoModelText);
    model_banner_->setVisible(!controller_.hasClassifier());
    error_banner_->hide();
    video_view_->setLabels(controller_.labels());
    timeline_->startSession(controller_.labels());

    connect(&controller_, &SessionController::sessionStarted, this, &MainWindow::onSessionStarted);
    connect(&controller_, &SessionController::sessionFinished, this,
            &MainWindow::onSessionFinished);
    connect(&controller_, &SessionController::sessionFailed, this, &MainWindow::showError);
    connect(&controller_, &SessionController::figuresChanged, this, &MainWindow::showFigures);
    connect(&controller_, &SessionController::resultReady, this, [this](const FrameResult& r) {
        video_view_->showResult(r);
        timeline_->addResult(r);
    });
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
    source_kind_->addItem(tr("Camera"), static_cast<int>(SourceSpec::Kind::Camera));
    source_kind_->addItem(tr("Video file"), static_cast<int>(SourceSpec::Kind::VideoFile));
    source_kind_->addItem(tr("Screen region"), static_cast<int>(SourceSpec::Kind::Screen));
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
}

void MainWindow::setSourceSpec(const SourceSpec& spec) {
    source_kind_->setCurrentIndex(source_kind_->findData(static_cast<int>(spec.kind)));
    camera_index_->setValue(spec.camera_index);
    if (spec.kind == SourceSpec::Kind::VideoFile)
        video_path_->setText(QString::fromStdString(spec.path));
    if (spec.kind == SourceSpec::Kind::Screen) {
        const auto text = toString(spec);
        screen_region_->setText(spec.screen_region.isEmpty()
                                    ? QString()
                                    : QString::fromStdString(text.substr(text.find(':') + 1)));
    }
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
        return controller_.start(openFrameSource(spec, loop));
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
    state_label_->setText(tr("Running: %1").arg(description));
    video_view_->clear();
    video_view_->setLabels(controller_.labels());
    timeline_->startSession(controller_.labels());
    updateActions();
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
    source_kind_->setEnabled(!running);
}

}  // namespace emotrace::ui
