#include "review_timeline.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QMouseEvent>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include "emotion_palette.h"

namespace emotrace::ui {
namespace {

// A press this close to the playhead grabs it; further away a drag pans the view.
constexpr double kPlayheadGrabPx = 6.0;
// Movement below this between press and release still counts as a click.
constexpr double kClickSlopPx = 4.0;
const QColor kExcludedFill(120, 120, 120, 60);
const QColor kLowQualityHatch(110, 110, 110, 110);

}  // namespace

double timeAtPixel(const TimeAxisSpan& span, double x_px) {
    if (span.width_px <= 0.0)
        return span.lower_s;
    return span.lower_s + (x_px - span.left_px) / span.width_px * (span.upper_s - span.lower_s);
}

double pixelAtTime(const TimeAxisSpan& span, double seconds) {
    const double range = span.upper_s - span.lower_s;
    if (range <= 0.0)
        return span.left_px;
    return span.left_px + (seconds - span.lower_s) / range * span.width_px;
}

double clampToSession(double seconds, double duration_s) {
    return std::clamp(seconds, 0.0, std::max(0.0, duration_s));
}

ReviewTimeline::ReviewTimeline(QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot(this)), playhead_line_(nullptr) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(plot_);

    setUpProbabilityTimeline(*plot_);
    plot_->legend->setVisible(false);

    playhead_line_ = new QCPItemStraightLine(plot_);
    playhead_line_->setPen(QPen(QColor(200, 0, 0), 2.0));
    playhead_line_->setLayer(QStringLiteral("overlay"));

    connect(plot_, &QCustomPlot::mousePress, this, &ReviewTimeline::onMousePress);
    connect(plot_, &QCustomPlot::mouseMove, this, &ReviewTimeline::onMouseMove);
    connect(plot_, &QCustomPlot::mouseRelease, this, &ReviewTimeline::onMouseRelease);
    setMinimumHeight(200);
    setPlayhead(0.0);
    fitAll();
}

void ReviewTimeline::setLabels(const std::vector<std::string>& labels) {
    plot_->clearGraphs();
    visible_.assign(labels.size(), true);
    for (std::size_t i = 0; i < labels.size(); ++i) {
        auto* graph = plot_->addGraph();
        graph->setName(QString::fromStdString(labels[i]));
        graph->setPen(QPen(emotionColor(labels[i], static_cast<int>(i)), 1.6));
    }
    replot();
}

void ReviewTimeline::setSeries(const TrackSeries& series) {
    const double gap = std::numeric_limits<double>::quiet_NaN();
    for (int label = 0; label < plot_->graphCount(); ++label) {
        QVector<QCPGraphData> points;
        points.reserve(static_cast<qsizetype>(series.time_ms.size()));
        bool in_gap = true;  // one NaN point breaks a line; further absent frames add nothing
        for (std::size_t frame = 0; frame < series.time_ms.size(); ++frame) {
            const auto& probabilities = series.probabilities[frame];
            const double seconds = series.time_ms[frame] / 1000.0;
            const auto index = static_cast<std::size_t>(label);
            if (index < probabilities.size()) {
                points.append(QCPGraphData(seconds, probabilities[index]));
                in_gap = false;
            } else if (!in_gap) {
                points.append(QCPGraphData(seconds, gap));
                in_gap = true;
            }
        }
        plot_->graph(label)->data()->set(points, true);
    }
    replot();
}

void ReviewTimeline::setDuration(double seconds) {
    const bool was_fitted =
        plot_->xAxis->range().upper >= duration_s_ - 1e-9 && plot_->xAxis->range().lower <= 1e-9;
    duration_s_ = std::max(0.0, seconds);
    // A view still showing the whole session keeps showing it as analysis results arrive.
    if (was_fitted)
        fitAll();
}

void ReviewTimeline::setEmotionVisible(int label_index, bool visible) {
    if (label_index < 0 || label_index >= plot_->graphCount())
        return;
    visible_[static_cast<std::size_t>(label_index)] = visible;
    plot_->graph(label_index)->setVisible(visible);
    replot();
}

bool ReviewTimeline::isEmotionVisible(int label_index) const {
    if (label_index < 0 || label_index >= plot_->graphCount())
        return false;
    return plot_->graph(label_index)->visible();
}

void ReviewTimeline::setPlayhead(double seconds) {
    playhead_s_ = seconds;
    playhead_line_->point1->setCoords(seconds, 0.0);
    playhead_line_->point2->setCoords(seconds, 1.0);
    replot();
}

void ReviewTimeline::setPlayheadVisible(bool visible) {
    playhead_line_->setVisible(visible);
    replot();
}

void ReviewTimeline::setLegendVisible(bool visible) {
    // In a row of its own above the axes, so it never covers the lines; out of the layout when
    // hidden, or its empty cell would still take room.
    auto* legend = plot_->legend;
    auto* layout = plot_->plotLayout();
    const bool above = layout->hasElement(0, 0) && layout->element(0, 0) == legend;
    if (visible && !above) {
        plot_->axisRect()->insetLayout()->take(legend);
        layout->insertRow(0);
        layout->addElement(0, 0, legend);
        layout->setRowStretchFactor(0, 0.001);
        // Eight classes in one row do not fit a page's width. The fill order rearranges the
        // items already there by the wrap, so the wrap comes first.
        legend->setWrap(4);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
        legend->setBorderPen(Qt::NoPen);
    } else if (!visible && above) {
        layout->take(legend);
        layout->simplify();
    }
    legend->setVisible(visible);
    replot();
}

void ReviewTimeline::setMarkers(const std::vector<Marker>& markers) {
    for (int i = plot_->itemCount() - 1; i >= 0; --i) {
        const auto* item = plot_->item(i);
        if (item != playhead_line_ && !item->property("moment").toBool() &&
            !item->property("low_quality").toBool())
            plot_->removeItem(i);
    }
    for (const auto& marker : markers) {
        const double start = marker.start_ms / 1000.0;
        const double end = marker.end_ms / 1000.0;
        if (marker.exclude) {
            auto* span = new QCPItemRect(plot_);
            span->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
            span->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
            span->topLeft->setCoords(start, 0.0);
            span->bottomRight->setCoords(std::max(end, start), 1.0);
            span->setPen(Qt::NoPen);
            span->setBrush(kExcludedFill);
            span->setLayer(QStringLiteral("background"));
        }
        auto* caption = addMarkerItems(
            *plot_, start, marker.exclude ? QColor(80, 80, 80) : markerColor(), !marker.exclude);
        caption->setText(QString::fromStdString(marker.label));
    }
    replot();
}

void ReviewTimeline::setLowQualityStretches(
    const std::vector<std::pair<double, double>>& stretches_ms) {
    for (int i = plot_->itemCount() - 1; i >= 0; --i) {
        if (plot_->item(i)->property("low_quality").toBool())
            plot_->removeItem(i);
    }
    for (const auto& [start_ms, end_ms] : stretches_ms) {
        auto* span = new QCPItemRect(plot_);
        span->setProperty("low_quality", true);
        span->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
        span->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
        span->topLeft->setCoords(start_ms / 1000.0, 0.0);
        // A single low frame still shows: at least one nominal frame wide.
        span->bottomRight->setCoords(std::max(end_ms, start_ms + 40.0) / 1000.0, 1.0);
        span->setPen(Qt::NoPen);
        span->setBrush(QBrush(kLowQualityHatch, Qt::BDiagPattern));
        span->setLayer(QStringLiteral("background"));
    }
    low_quality_count_ = static_cast<int>(stretches_ms.size());
    replot();
}

void ReviewTimeline::setRestingFaceStretch(std::optional<std::pair<double, double>> stretch_ms) {
    for (int i = plot_->itemCount() - 1; i >= 0; --i) {
        if (plot_->item(i)->property("resting_face").toBool())
            plot_->removeItem(i);
    }
    has_resting_face_ = stretch_ms.has_value();
    if (stretch_ms) {
        const QColor green(46, 160, 67);
        auto* span = new QCPItemRect(plot_);
        span->setProperty("resting_face", true);
        span->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
        span->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
        span->topLeft->setCoords(stretch_ms->first / 1000.0, 0.0);
        span->bottomRight->setCoords(stretch_ms->second / 1000.0, 1.0);
        span->setPen(Qt::NoPen);
        span->setBrush(QColor(green.red(), green.green(), green.blue(), 40));
        span->setLayer(QStringLiteral("background"));
        auto* caption = new QCPItemText(plot_);
        caption->setProperty("resting_face", true);
        caption->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        caption->position->setCoords(stretch_ms->first / 1000.0, 0.08);
        caption->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        caption->setColor(green.darker(140));
        caption->setBrush(QColor(255, 255, 255, 200));
        caption->setPadding(QMargins(3, 1, 3, 1));
        caption->setClipToAxisRect(true);
        caption->setText(tr("resting face"));
    }
    replot();
}

void ReviewTimeline::setMoments(const std::vector<std::pair<Moment, QColor>>& moments) {
    for (int i = plot_->itemCount() - 1; i >= 0; --i) {
        if (plot_->item(i)->property("moment").toBool())
            plot_->removeItem(i);
    }
    for (const auto& [moment, color] : moments)
        addMomentMark(*plot_, moment.start_ms / 1000.0, moment.end_ms / 1000.0, color);
    moment_count_ = static_cast<int>(moments.size());
    replot();
}

void ReviewTimeline::fitAll() {
    plot_->xAxis->setRange(0.0, std::max(duration_s_, 1.0));
    replot();
}

TimeAxisSpan ReviewTimeline::axisSpan() const {
    const QRect rect = plot_->axisRect()->rect();
    return {plot_->xAxis->range().lower, plot_->xAxis->range().upper, double(rect.left()),
            double(rect.width())};
}

double ReviewTimeline::seekTarget(double x_px) const {
    return clampToSession(timeAtPixel(axisSpan(), x_px), duration_s_);
}

void ReviewTimeline::onMousePress(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton ||
        !plot_->axisRect()->rect().contains(event->position().toPoint())) {
        return;
    }
    press_at_ = event->position();
    const double playhead_x = pixelAtTime(axisSpan(), playhead_s_);
    scrubbing_ = std::abs(event->position().x() - playhead_x) <= kPlayheadGrabPx;
    // QCustomPlot starts its pan on the same press; a grabbed playhead must not pan.
    plot_->axisRect()->setRangeDrag(scrubbing_ ? Qt::Orientations() : Qt::Horizontal);
}

void ReviewTimeline::onMouseMove(QMouseEvent* event) {
    if (scrubbing_ && (event->buttons() & Qt::LeftButton))
        emit seekRequested(seekTarget(event->position().x()));
}

void ReviewTimeline::onMouseRelease(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || !press_at_)
        return;
    const QPointF moved = event->position() - *press_at_;
    const bool click = std::hypot(moved.x(), moved.y()) < kClickSlopPx;
    if (click || scrubbing_)
        emit seekRequested(seekTarget(event->position().x()));
    press_at_.reset();
    scrubbing_ = false;
    plot_->axisRect()->setRangeDrag(Qt::Horizontal);
}

void ReviewTimeline::replot() {
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace emotrace::ui
