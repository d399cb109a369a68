// The live video with what the pipeline found drawn over it: a box per face, the top emotion and
// its probability above the box, and a mini bar chart of every class's probability under it, in
// the same class colours as the timeline. Without a model only the boxes are drawn.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <QImage>
#include <QWidget>

#include "emotrace/session_store.h"
#include "emotrace/types.h"

namespace emotrace::ui {

// A deep copy of a BGR (or grey) 8-bit frame as an RGB QImage; null for an empty or unsupported
// Mat.
QImage toQImage(const cv::Mat& bgr);

class VideoView : public QWidget {
    Q_OBJECT
  public:
    explicit VideoView(QWidget* parent = nullptr);

    // The model's class names in output order; empty when no model is loaded.
    void setLabels(std::vector<std::string> labels);
    void showResult(const FrameResult& result);
    void clear();
    // Shown on the empty view before the first frame.
    void setPlaceholder(const QString& text);
    const QString& placeholder() const { return placeholder_; }

    // Where a point of the frame lands in the widget (letterboxed, aspect ratio kept).
    QRectF frameToWidget(const cv::Rect2f& box) const;

    QSize sizeHint() const override { return {640, 480}; }

    // The followed face is drawn with a thicker box and "following" under its number.
    void setFollowedTrack(std::optional<int> track);
    // What the therapist said of the people (by track): names shown on their faces, followed
    // faces drawn thick, faces left out drawn grey and dashed with no reading. Replaces
    // setFollowedTrack's single face.
    void setPeople(std::vector<Person> people);
    // Faces whose readings are shown relative to the person's resting face: their caption says
    // "vs rest", so a reading is never taken for the raw one.
    void setRelativeTracks(std::vector<int> tracks);
    // The text on a face's tag ("#2", "client · following", "#3 left out").
    QString tagOf(int track) const;
    // The track of the face under a widget point; nullopt when none is there.
    std::optional<int> trackAt(QPointF point) const;

  signals:
    // A click on a face (with a track): the user chose to follow that person.
    void faceClicked(int track);
    // Ctrl+click on a face: follow that person too (or no longer).
    void faceAddClicked(int track);
    // A right click on a face: the owner offers what can be done with that person there.
    void faceMenuRequested(int track, QPoint global_position);

  protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

  private:
    QRectF imageRect() const;
    void drawFace(QPainter& painter, const FaceResult& face) const;
    void drawProbabilityBars(QPainter& painter, const QRectF& area,
                             const std::vector<float>& probabilities) const;

    std::vector<std::string> labels_;
    cv::Mat pending_frame_;  // converted lazily: frames arriving faster than paints cost nothing
    QImage image_;
    QSize frame_size_;
    std::vector<FaceResult> faces_;
    QString placeholder_;
    std::vector<Person> people_;
    std::vector<int> relative_tracks_;
    const Person* personOf(int track) const;
};

}  // namespace emotrace::ui
