#include "emotion_timeline.h"

#include <algorithm>
#include <limits>

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include "emotion_palette.h"

namespace emotrace::ui {
namespace {

// A few redraws a second read as live; one per frame would cost a core at 30 fps.
constexpr int kReplotIntervalMs = 200;
constexpr double kDefaultVisibleSeconds = 30.0;

// The face the timeline follows when several are found: the largest, which in a video call is
// the person in front of the camera rather than a face in the background.
const FaceResult* largestFaceWithEmotions(const FrameResult& result) {
    const FaceResult* largest = nullptr;
    for (const auto& face : result.faces) {
        if (face.probabilities.empty())
            continue;
        if (!largest || face.box.area() > largest->box.area())
            largest = &face;
    }
    return largest;
}

}  // namespace

EmotionTimeline::EmotionTimeline(QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot(this)), follow_button_(new QToolButton(this)) {
    auto* title = title_ = new QLabel(tr("Emotion probability over time (largest face)"), this);
    follow_button_->setText(tr("Follow live"));
    follow_button_->setCheckable(true);
    follow_button_->setChecked(true);
    follow_button_->setToolTip(
        tr("Keep the last %1 s in view. Drag or scroll the plot to look back.")
            .arg(kDefaultVisibleSeconds));
    connect(follow_button_, &QToolButton::clicked, this,
            [this](bool checked) { setFollowingLive(checked); });

    auto* header = new QHBoxLayout;
    header->addWidget(title);
    header->addStretch();
    header->addWidget(follow_button_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(header);
    layout->addWidget(plot_, 1);

    setUpProbabilityTimeline(*plot_);
    plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot_->legend->setBorderPen(Qt::NoPen);
    connect(plot_->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
            &EmotionTimeline::onRangeChanged);

    replot_timer_.setInterval(kReplotIntervalMs);
    connect(&replot_timer_, &QTimer::timeout, this, [this] {
        if (dirty_)
            replotNow();
    });
    replot_timer_.start();
    startSession({});
}

void EmotionTimeline::startSession(const std::vector<std::string>& labels) {
    plot_->clearGraphs();
    plot_->clearItems();
    marker_captions_.clear();
    moment_marks_.clear();
    for (std::size_t i = 0; i < labels.size(); ++i) {
        auto* graph = plot_->addGraph();
        graph->setName(QString::fromStdString(labels[i]));
        graph->setPen(QPen(emotionColor(labels[i], static_cast<int>(i)), 2.0));
    }
    showLegend(!labels.empty() && legend_wanted_);
    if (labels.empty()) {
        auto* note = new QCPItemText(plot_);
        note->position->setType(QCPItemPosition::ptAxisRectRatio);
        note->position->setCoords(0.5, 0.5);
        note->setText(tr("No emotion model loaded: nothing to plot"));
        note->setColor(Qt::darkGray);
    }
    latest_seconds_.reset();
    in_gap_ = true;
    visible_seconds_ = kDefaultVisibleSeconds;
    setFollowingLive(true);
    replotNow();
}

void EmotionTimeline::showLegend(bool show) {
    // The legend gets its own row above the axes so it never covers the lines. An empty legend
    // must leave the layout: its maximum width (zero items) would cap the axes' column.
    auto* layout = plot_->plotLayout();
    const bool shown = layout->hasElement(0, 0) && layout->element(0, 0) == plot_->legend;
    if (show && !shown) {
        layout->insertRow(0);
        layout->addElement(0, 0, plot_->legend);
        layout->setRowStretchFactor(0, 0.001);
    } else if (!show && shown) {
        layout->take(plot_->legend);
        layout->simplify();
    }
    plot_->legend->setVisible(show);
}

void EmotionTimeline::addResult(const FrameResult& result) {
    if (plot_->graphCount() == 0)
        return;
    const double seconds = result.timestamp_ms / 1000.0;
    latest_seconds_ = std::max(seconds, latest_seconds_.value_or(seconds));
    const FaceResult* face = nullptr;
    if (followed_track_) {
        for (const auto& candidate : result.faces) {
            if (candidate.track_id == *followed_track_ && !candidate.probabilities.empty())
                face = &candidate;
        }
    } else {
        face = largestFaceWithEmotions(result);
    }
    if (face) {
        const int classes =
            std::min(plot_->graphCount(), static_cast<int>(face->probabilities.size()));
        for (int i = 0; i < classes; ++i) {
            plot_->graph(i)->addData(seconds, face->probabilities[static_cast<std::size_t>(i)]);
        }
        in_gap_ = false;
    } else if (!in_gap_) {
        // One NaN point breaks every line; further faceless frames add nothing.
        const double gap = std::numeric_limits<double>::quiet_NaN();
        for (int i = 0; i < plot_->graphCount(); ++i)
            plot_->graph(i)->addData(seconds, gap);
        in_gap_ = true;
    }
    scheduleReplot();
}

void EmotionTimeline::addMarker(double seconds, const QString& label) {
    auto* caption = addMarkerItems(*plot_, seconds, markerColor(), true);
    caption->setPadding(QMargins(3, 2, 3, 2));
    marker_captions_.push_back(caption);
    // An unlabelled marker still shows a flag, so it can be seen and labelled later.
    setMarkerLabel(markerCount() - 1, label);
}

void EmotionTimeline::setMarkerLabel(int marker, const QString& label) {
    if (marker < 0 || marker >= markerCount())
        return;
    auto* caption = marker_captions_[static_cast<std::size_t>(marker)];
    caption->setText(label.isEmpty() ? QStringLiteral("\u2691") : label);
    caption->setProperty("markerLabel", label);
    scheduleReplot();
}

void EmotionTimeline::markShownAs(double seconds, const QString& how) {
    const QColor grey(110, 110, 110);
    auto* line = new QCPItemStraightLine(plot_);
    line->point1->setCoords(seconds, 0.0);
    line->point2->setCoords(seconds, 1.0);
    line->setPen(QPen(grey, 1.2, Qt::DotLine));
    auto* caption = new QCPItemText(plot_);
    caption->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    // Near the top, below the markers' captions, on white so the lines never hide it.
    caption->position->setCoords(seconds, 0.08);
    caption->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    caption->setColor(grey);
    caption->setBrush(QColor(255, 255, 255, 220));
    caption->setClipToAxisRect(true);
    caption->setPadding(QMargins(3, 1, 3, 1));
    caption->setText(how);
    scheduleReplot();
}

void EmotionTimeline::setFollowedTrack(std::optional<int> track, const QString& name) {
    followed_track_ = track;
    title_->setText(track ? tr("Emotion probability over time (%1)")
                                .arg(name.isEmpty() ? tr("face #%1").arg(*track) : name)
                          : tr("Emotion probability over time (largest face)"));
}

int EmotionTimeline::addMoment(double start_seconds, double end_seconds, const QColor& color) {
    moment_marks_.push_back(addMomentMark(*plot_, start_seconds, end_seconds, color));
    scheduleReplot();
    return momentCount() - 1;
}

void EmotionTimeline::setMomentEnd(int moment, double end_seconds) {
    if (moment < 0 || moment >= momentCount())
        return;
    setMomentMarkEnd(*moment_marks_[static_cast<std::size_t>(moment)], end_seconds);
    scheduleReplot();
}

QString EmotionTimeline::markerLabel(int marker) const {
    if (marker < 0 || marker >= markerCount())
        return {};
    return marker_captions_[static_cast<std::size_t>(marker)]->property("markerLabel").toString();
}

void EmotionTimeline::setFollowingLive(bool follow) {
    following_ = follow;
    follow_button_->setChecked(follow);
    if (follow) {
        applyFollowRange();
        scheduleReplot();
    }
}

void EmotionTimeline::replotNow() {
    if (following_)
        applyFollowRange();
    plot_->replot();
    dirty_ = false;
}

void EmotionTimeline::scheduleReplot() {
    dirty_ = true;
}

void EmotionTimeline::applyFollowRange() {
    const double upper = std::max(latest_seconds_.value_or(0.0), visible_seconds_);
    applying_range_ = true;
    plot_->xAxis->setRange(upper - visible_seconds_, upper);
    applying_range_ = false;
}

void EmotionTimeline::onRangeChanged(const QCPRange& range) {
    if (applying_range_)
        return;
    // The user dragged or zoomed: keep their zoom, and follow again once the view reaches the
    // newest data (dragging back to the right edge resumes following, as in a chat log).
    visible_seconds_ = range.size();
    const bool at_newest = !latest_seconds_ || range.upper >= *latest_seconds_;
    following_ = at_newest;
    follow_button_->setChecked(at_newest);
}

}  // namespace emotrace::ui
