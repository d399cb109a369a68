// The review player's picture: the live dashboard's VideoView (box, top emotion, class bars)
// plus each face's track id, so the clinician can tell which track the timeline shows.
#pragma once

#include <vector>

#include "emotrace/session_store.h"
#include "video_view.h"

namespace emotrace::ui {

// The stored faces of a frame in the shape the live overlay draws.
FrameResult toFrameResult(const FrameRecord& record, const cv::Mat& image);

class ReviewVideoView : public VideoView {
    Q_OBJECT
  public:
    explicit ReviewVideoView(QWidget* parent = nullptr);

    // faces may be empty (frame not analysed yet, or nobody in view).
    void showFrame(const cv::Mat& image, const FrameRecord& record, int chosen_track);

  protected:
    void paintEvent(QPaintEvent* event) override;

  private:
    std::vector<TrackedFace> faces_;
    int chosen_track_ = -1;
};

}  // namespace emotrace::ui
