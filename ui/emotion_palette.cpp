#include "emotion_palette.h"

#include <algorithm>

#include <qcustomplot.h>

#include "emotrace/charts.h"

namespace emotrace::ui {

QColor emotionColor(const std::string& label, int index) {
    // One table for the dashboard and the command-line charts (core/src/charts.cpp).
    return QColor::fromRgb(emotionRgb(label, index));
}

QCPItemText* addMarkerItems(QCustomPlot& plot, double seconds, const QColor& color, bool line) {
    if (line) {
        auto* dashed = new QCPItemStraightLine(&plot);
        dashed->point1->setCoords(seconds, 0.0);
        dashed->point2->setCoords(seconds, 1.0);
        dashed->setPen(QPen(color, 1.5, Qt::DashLine));
    }
    auto* caption = new QCPItemText(&plot);
    caption->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    caption->position->setCoords(seconds, 0.0);
    caption->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    caption->setColor(color);
    caption->setClipToAxisRect(true);
    return caption;
}

QCPItemRect* addMomentMark(QCustomPlot& plot, double start_seconds, double end_seconds,
                           const QColor& color) {
    auto* mark = new QCPItemRect(&plot);
    mark->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
    mark->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
    mark->topLeft->setCoords(start_seconds, 0.955);
    mark->bottomRight->setCoords(std::max(end_seconds, start_seconds + 0.2), 1.0);
    mark->setPen(QPen(color.darker(130), 1.0));
    mark->setBrush(color);
    mark->setClipToAxisRect(true);
    mark->setProperty("moment", true);
    return mark;
}

void setMomentMarkEnd(QCPItemRect& mark, double end_seconds) {
    const double start = mark.topLeft->coords().x();
    mark.bottomRight->setCoords(std::max(end_seconds, start + 0.2), 1.0);
}

QColor markerColor() {
    return {40, 40, 160};
}

QColor plainFaceColor() {
    return QColor::fromRgb(0x00c8ff);
}

void setUpProbabilityTimeline(QCustomPlot& plot) {
    plot.setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot.axisRect()->setRangeDrag(Qt::Horizontal);
    plot.axisRect()->setRangeZoom(Qt::Horizontal);
    plot.setPlottingHints(plot.plottingHints() | QCP::phFastPolylines);
    plot.xAxis->setLabel(QObject::tr("session time (s)"));
    plot.yAxis->setLabel(QObject::tr("probability"));
    plot.yAxis->setRange(-0.02, 1.02);
}

}  // namespace emotrace::ui
