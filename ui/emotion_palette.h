// One colour per emotion class, shared by the video overlay and the timeline so a class looks
// the same everywhere. Colours are keyed by label name, not index, so two models with the same
// classes in a different order still draw "happy" in the same colour.
#pragma once

#include <string>

#include <QColor>

class QCustomPlot;
class QCPItemRect;
class QCPItemText;

namespace emotrace::ui {

// The paper's classes have fixed colours; any other label gets a distinct hue from its position.
QColor emotionColor(const std::string& label, int index);

// The colour of markers on both timelines.
QColor markerColor();

// A marker's dashed line at `seconds` (unless `line` is false: an excluded range draws its own
// span) and its caption at the top of the plot, both in `color`. Returns the caption, owned by
// the plot, for its text.
QCPItemText* addMarkerItems(QCustomPlot& plot, double seconds, const QColor& color, bool line);

// A moment on a timeline: a short bar in the emotion's colour along the bottom of the plot, from
// its start to its end (at least a few pixels wide, so a brief one shows). Owned by the plot.
QCPItemRect* addMomentMark(QCustomPlot& plot, double start_seconds, double end_seconds,
                           const QColor& color);
void setMomentMarkEnd(QCPItemRect& mark, double end_seconds);

// Box colour for a face when no model is loaded.
QColor plainFaceColor();

// The axes and interactions the live and the review timelines share: probability 0-1 over
// session seconds, wheel zoom and drag pan on the time axis only, fast polylines.
void setUpProbabilityTimeline(QCustomPlot& plot);

}  // namespace emotrace::ui
