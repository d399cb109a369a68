#include "review_summary.h"

#include <QCheckBox>

#include <algorithm>

#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include "emotion_palette.h"

namespace emotrace::ui {
namespace {

constexpr double kStripTop = -1.15;  // the dominant-emotion strip lies under valence -1
constexpr double kStripBottom = -1.45;

void resetPlot(QCustomPlot& plot) {
    plot.clearPlottables();
    plot.clearItems();
    plot.legend->setVisible(false);
}

}  // namespace

double summaryWindowSeconds(double session_seconds) {
    return std::clamp(session_seconds / 40.0, 1.0, 60.0);
}

void plotEmotionDistribution(QCustomPlot& plot, const SessionStatistics& statistics) {
    resetPlot(plot);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    const auto& labels = statistics.labels;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const double value =
            i < statistics.mean_probabilities.size() ? statistics.mean_probabilities[i] : 0.0;
        const auto color = emotionColor(labels[i], static_cast<int>(i));
        auto* bar = new QCPBars(plot.xAxis, plot.yAxis);
        bar->setWidth(0.7);
        bar->setPen(Qt::NoPen);
        bar->setBrush(color);
        bar->addData(static_cast<double>(i), value);
        ticker->addTick(static_cast<double>(i), QString::fromStdString(labels[i]));
    }
    plot.xAxis->setTicker(ticker);
    // Rotated labels run down and to the right: room for the last one ("surprise").
    plot.axisRect()->setMinimumMargins(QMargins(15, 15, 45, 15));
    plot.xAxis->setTickLabelRotation(labels.size() > 5 ? 35 : 0);
    plot.xAxis->setRange(-0.6, std::max<double>(1.0, static_cast<double>(labels.size())) - 0.4);
    plot.yAxis->setLabel(QObject::tr("mean probability"));
    const double top = statistics.mean_probabilities.empty()
                           ? 1.0
                           : *std::max_element(statistics.mean_probabilities.begin(),
                                               statistics.mean_probabilities.end());
    plot.yAxis->setRange(0.0, std::max(0.05, top * 1.15));
    plot.replot();
}

void plotValenceTrend(QCustomPlot& plot, const SessionStatistics& statistics) {
    resetPlot(plot);
    auto* valence = plot.addGraph();
    valence->setPen(QPen(Qt::black, 1.8));
    valence->setLineStyle(QCPGraph::lsStepLeft);
    QVector<QCPGraphData> points;
    double end_s = 1.0;
    for (const auto& window : statistics.windows) {
        const double start = window.start_ms / 1000.0;
        end_s = std::max(end_s, window.end_ms / 1000.0);
        // A window without the face has no valence: a gap, not a neutral zero.
        points.append(QCPGraphData(start, window.dominant < 0 ? qQNaN() : window.valence));
        if (window.dominant >= 0) {
            const auto label = static_cast<std::size_t>(window.dominant);
            auto* cell = new QCPItemRect(&plot);
            cell->topLeft->setCoords(start, kStripTop);
            cell->bottomRight->setCoords(window.end_ms / 1000.0, kStripBottom);
            const auto color = label < statistics.labels.size()
                                   ? emotionColor(statistics.labels[label], window.dominant)
                                   : QColor(Qt::gray);
            cell->setPen(Qt::NoPen);
            cell->setBrush(color);
        }
    }
    if (!statistics.windows.empty()) {
        const auto& last = statistics.windows.back();
        points.append(
            QCPGraphData(last.end_ms / 1000.0, last.dominant < 0 ? qQNaN() : last.valence));
    }
    valence->data()->set(points, true);
    auto* zero = new QCPItemStraightLine(&plot);
    zero->point1->setCoords(0.0, 0.0);
    zero->point2->setCoords(1.0, 0.0);
    zero->setPen(QPen(Qt::gray, 1.0, Qt::DotLine));
    plot.xAxis->setLabel(QObject::tr("session time (s); strip: dominant emotion"));
    plot.yAxis->setLabel(QObject::tr("valence"));
    plot.xAxis->setRange(0.0, end_s);
    plot.yAxis->setRange(kStripBottom - 0.05, 1.05);
    plot.replot();
}

QString describeFacePresence(const SessionStatistics& statistics) {
    if (statistics.frames_counted == 0)
        return QObject::tr("No frames counted yet (nothing analysed, or all excluded).");
    QString text =
        QObject::tr("Face present in %1% of %2 frames counted (excluded ranges left out).")
            .arg(statistics.face_present_share * 100.0, 0, 'f', 1)
            .arg(QLocale().toString(static_cast<qlonglong>(statistics.frames_counted)));
    if (statistics.low_quality_share > 0.0 || statistics.low_quality_left_out) {
        text += QLatin1Char(' ') +
                (statistics.low_quality_left_out
                     ? QObject::tr("Low-quality readings (%1% of the frames with the face) are "
                                   "left out of the figures.")
                     : QObject::tr("%1% of the frames with the face have low-quality readings "
                                   "(counted)."))
                    .arg(statistics.low_quality_share * 100.0, 0, 'f', 1);
    }
    return text;
}

SummaryPanel::SummaryPanel(QWidget* parent)
    : QWidget(parent),
      presence_(new QLabel),
      leave_out_low_quality_(new QCheckBox(tr("Leave out low-quality readings"))),
      distribution_(new QCustomPlot),
      trend_(new QCustomPlot) {
    presence_->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(presence_);
    leave_out_low_quality_->setToolTip(
        tr("Readings of a small, blurred, badly lit or turned-away face (quality below %1) do "
           "not count in the distribution and the trend; the frames still count as ones with "
           "the face.")
            .arg(kLowQuality));
    connect(leave_out_low_quality_, &QCheckBox::toggled, this, [this](bool checked) {
        emit lowQualityReadingsChanged(checked ? LowQualityReadings::LeftOut
                                               : LowQualityReadings::Counted);
    });
    layout->addWidget(leave_out_low_quality_);
    layout->addWidget(new QLabel(tr("<b>Emotion distribution</b>")));
    layout->addWidget(distribution_, 1);
    layout->addWidget(new QLabel(tr("<b>Valence and dominant emotion over time</b>")));
    layout->addWidget(trend_, 1);
    distribution_->setMinimumHeight(140);
    trend_->setMinimumHeight(140);
    setStatistics({});
}

LowQualityReadings SummaryPanel::lowQualityReadings() const {
    return leave_out_low_quality_->isChecked() ? LowQualityReadings::LeftOut
                                               : LowQualityReadings::Counted;
}

void SummaryPanel::setLowQualityReadings(LowQualityReadings choice) {
    leave_out_low_quality_->setChecked(choice == LowQualityReadings::LeftOut);
}

void SummaryPanel::setStatistics(const SessionStatistics& statistics) {
    presence_->setText(describeFacePresence(statistics));
    plotEmotionDistribution(*distribution_, statistics);
    plotValenceTrend(*trend_, statistics);
}

QString SummaryPanel::facePresenceText() const {
    return presence_->text();
}

}  // namespace emotrace::ui
