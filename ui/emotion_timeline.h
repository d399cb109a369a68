// The probability of every emotion over the session: one line per class in its fixed colour,
// x = session time in seconds, y = probability. Follows the last ~30 s while live and keeps the
// whole session so the user can pan and zoom back with the mouse; following resumes with the
// "Follow live" button or when the view is dragged back to the newest data. Frames without a
// face leave a gap in the lines rather than dropping them to zero.
//
// Memory: each frame with a face adds one QCPGraphData (key + value, two doubles = 16 bytes) per
// class: 8 classes -> 128 bytes a frame; a gap adds the same once per run of faceless frames.
// A two-hour session at 30 fps (216,000 frames) holds 27.6 MB of points, up to about twice that
// while a graph's vector grows geometrically: well under 100 MB with every point kept. Drawing
// stays cheap because QCustomPlot finds the visible range by binary search and thins dense lines
// per pixel, and replots are throttled to a few per second whatever the frame rate.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <QString>
#include <QTimer>
#include <QWidget>

#include "emotrace/types.h"

class QCustomPlot;
class QCPItemRect;
class QCPItemText;
class QCPRange;
class QLabel;
class QToolButton;

namespace emotrace::ui {

class EmotionTimeline : public QWidget {
    Q_OBJECT
  public:
    explicit EmotionTimeline(QWidget* parent = nullptr);

    // Starts a new session's plot: one line per label, in the model's output order. No labels
    // (no model): the plot stays empty with a note saying why.
    void startSession(const std::vector<std::string>& labels);
    // Adds the followed face's probabilities (the largest, unless setFollowedTrack chose one) at
    // the frame's session time, or a gap when the frame has no such face.
    void addResult(const FrameResult& result);

    // A marker the therapist added at a session time: a dashed line with its label on top.
    void addMarker(double seconds, const QString& label);
    void setMarkerLabel(int marker, const QString& label);  // marker: in the order added
    // From this session time on the lines show readings another way ("vs resting face", "as
    // read"): a dotted grey line with the words at its foot. Not a marker: nothing is kept.
    void markShownAs(double seconds, const QString& how);
    int markerCount() const { return static_cast<int>(marker_captions_.size()); }
    QString markerLabel(int marker) const;

    // A moment found live: a bar in its emotion's colour along the bottom, from its start; its
    // end follows when it ends. Returns its number for setMomentEnd.
    int addMoment(double start_seconds, double end_seconds, const QColor& color);
    void setMomentEnd(int moment, double end_seconds);
    int momentCount() const { return static_cast<int>(moment_marks_.size()); }

    // The person to plot: a track id, or nullopt for the largest face. Says so in the title.
    void setFollowedTrack(std::optional<int> track, const QString& name = {});

    // Whether the colour legend is drawn (from the next startSession). A further person's
    // timeline under the first leaves it out: the colours are the same, the height is theirs.
    void setLegendWanted(bool wanted) { legend_wanted_ = wanted; }

    bool isFollowingLive() const { return following_; }
    void setFollowingLive(bool follow);
    double visibleSeconds() const { return visible_seconds_; }

    QCustomPlot* plot() const { return plot_; }
    // Redraws now instead of at the next throttled tick (for screenshots and tests).
    void replotNow();

  private:
    void onRangeChanged(const QCPRange& range);
    void scheduleReplot();
    void showLegend(bool show);
    void applyFollowRange();

    QCustomPlot* plot_;
    QToolButton* follow_button_;
    QTimer replot_timer_;
    bool dirty_ = false;
    bool following_ = true;
    bool legend_wanted_ = true;
    bool applying_range_ = false;  // our own range changes must not look like the user's
    bool in_gap_ = true;           // the lines are broken already: no second NaN point
    double visible_seconds_ = 30.0;
    std::optional<double> latest_seconds_;
    std::optional<int> followed_track_;
    QLabel* title_ = nullptr;
    std::vector<QCPItemText*> marker_captions_;  // owned by the plot
    std::vector<QCPItemRect*> moment_marks_;     // owned by the plot
};

}  // namespace emotrace::ui
