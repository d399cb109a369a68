// The review workspace's timeline: every emotion of one track over the whole recorded session,
// with a playhead that follows the video, markers as vertical lines and excluded ranges as
// shaded spans. Clicking the plot, or dragging the playhead, asks the player to seek; the
// mouse wheel zooms and a drag elsewhere pans the time axis only. Unlike the live timeline it
// never follows: the whole session is known (or arriving from the background analysis).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <QColor>
#include <QWidget>

#include "emotrace/moments.h"

#include "emotrace/session_statistics.h"
#include "emotrace/session_store.h"

class QCustomPlot;
class QCPItemStraightLine;
class QMouseEvent;

namespace emotrace::ui {

// The part of the plot's x axis on screen: plot time [lower_s, upper_s] drawn across the pixels
// [left_px, left_px + width_px). Kept apart from the widget so seeking can be tested exactly.
struct TimeAxisSpan {
    double lower_s = 0.0;
    double upper_s = 1.0;
    double left_px = 0.0;
    double width_px = 1.0;
};
// Session time under widget column x; linear, so a point outside the axis maps outside the range.
double timeAtPixel(const TimeAxisSpan& span, double x_px);
double pixelAtTime(const TimeAxisSpan& span, double seconds);
// Where a seek to `seconds` lands: inside [0, duration_s] (a click left of zero starts the video).
double clampToSession(double seconds, double duration_s);

class ReviewTimeline : public QWidget {
    Q_OBJECT
  public:
    explicit ReviewTimeline(QWidget* parent = nullptr);

    // One line per label, in the model's order; replaces the plotted series.
    void setLabels(const std::vector<std::string>& labels);
    // The (possibly smoothed) series of the chosen track. Absent frames break the lines.
    void setSeries(const TrackSeries& series);
    void setDuration(double seconds);
    void setEmotionVisible(int label_index, bool visible);
    bool isEmotionVisible(int label_index) const;
    void setPlayhead(double seconds);
    double playhead() const { return playhead_s_; }
    void setPlayheadVisible(bool visible);
    // A legend inside the plot, for exports (the workspace names the lines in its checkboxes).
    void setLegendVisible(bool visible);
    void setMarkers(const std::vector<Marker>& markers);
    // Where the track's readings are of low quality ([start, end) in ms): hatched grey spans
    // behind the lines, so a reader weighs those stretches less.
    void setLowQualityStretches(const std::vector<std::pair<double, double>>& stretches_ms);
    int lowQualityStretchCount() const { return low_quality_count_; }
    // The stretch the chosen person's resting face was taken over (docs/baseline.md): a light
    // green band captioned "resting face"; nullopt removes it.
    void setRestingFaceStretch(std::optional<std::pair<double, double>> stretch_ms);
    bool hasRestingFaceStretch() const { return has_resting_face_; }
    // The moments of the track shown: bars in their emotions' colours along the bottom.
    void setMoments(const std::vector<std::pair<Moment, QColor>>& moments);
    int momentCount() const { return moment_count_; }
    // Shows the whole session.
    void fitAll();

    // The x axis's current mapping, in the plot widget's coordinates.
    TimeAxisSpan axisSpan() const;
    QCustomPlot* plot() const { return plot_; }

  signals:
    void seekRequested(double seconds);

  private:
    void onMousePress(QMouseEvent* event);
    void onMouseMove(QMouseEvent* event);
    void onMouseRelease(QMouseEvent* event);
    double seekTarget(double x_px) const;
    void replot();

    QCustomPlot* plot_;
    QCPItemStraightLine* playhead_line_;
    double playhead_s_ = 0.0;
    int low_quality_count_ = 0;
    bool has_resting_face_ = false;
    double duration_s_ = 0.0;
    std::vector<bool> visible_;
    // Press position of a left click, to tell a click (seek) from a drag (pan).
    std::optional<QPointF> press_at_;
    bool scrubbing_ = false;  // the press grabbed the playhead: moving seeks instead of panning
    int moment_count_ = 0;
};

}  // namespace emotrace::ui
