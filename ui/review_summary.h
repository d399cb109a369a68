// The review workspace's summary of the chosen track, with excluded ranges left out: the share
// of frames with the face present, the emotion distribution (mean probability per class) and,
// per window of the session, the dominant emotion and the valence trend. The drawing functions
// are shared with the session report so the PDF shows the same charts as the screen.
#pragma once

#include <QWidget>

#include "emotrace/session_statistics.h"

class QCheckBox;
class QCustomPlot;
class QLabel;

namespace emotrace::ui {

// Windows short enough to show a trend in a 10-second demo clip, a minute at most for a
// one-hour session: about 40 windows per session.
double summaryWindowSeconds(double session_seconds);

// Bars of mean probability per class, in the classes' colours.
void plotEmotionDistribution(QCustomPlot& plot, const SessionStatistics& statistics);
// Valence per window (line, -1..1) above a strip coloured by each window's dominant emotion.
void plotValenceTrend(QCustomPlot& plot, const SessionStatistics& statistics);
// "Face present 93.1% of 1,234 frames counted", or why there is nothing to count.
QString describeFacePresence(const SessionStatistics& statistics);

class SummaryPanel : public QWidget {
    Q_OBJECT
  public:
    explicit SummaryPanel(QWidget* parent = nullptr);

    void setStatistics(const SessionStatistics& statistics);
    QString facePresenceText() const;
    // The reviewer's choice: leave low-quality readings out of the figures (default: counted).
    LowQualityReadings lowQualityReadings() const;
    void setLowQualityReadings(LowQualityReadings choice);

    QCustomPlot* distributionPlot() const { return distribution_; }
    QCustomPlot* trendPlot() const { return trend_; }

  signals:
    void lowQualityReadingsChanged(LowQualityReadings choice);

  private:
    QLabel* presence_;
    QCheckBox* leave_out_low_quality_;
    QCustomPlot* distribution_;
    QCustomPlot* trend_;
};

}  // namespace emotrace::ui
