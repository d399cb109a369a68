// Frames from a rectangle of a screen, for telehealth: point it at the video call's window and
// the dashboard reads the remote person's face. Qt only lets the GUI thread grab the screen,
// while the pipeline calls next() on its capture thread; so a QTimer on the GUI thread grabs
// into a latest-wins slot and next() waits on that slot with the stop token. Never a blocking
// queued call into the GUI thread: that deadlocks when the GUI thread joins the capture thread.
#pragma once

#include <atomic>
#include <cstdint>

#include <QPointer>
#include <QRect>
#include <QScreen>
#include <QTimer>

#include "emotrace/frame_source.h"
#include "emotrace/latest_frame_slot.h"

namespace emotrace::ui {

class ScreenRegionSource : public FrameSource {
  public:
    // region is in the screen's own coordinates (0,0 is its top-left corner); an empty region
    // means the whole screen. Throws SourceError when there is no screen or the region lies
    // outside it. Construct and destroy on the GUI thread.
    ScreenRegionSource(QScreen* screen, QRect region, double fps = 15.0);
    ~ScreenRegionSource() override;

    std::optional<Frame> next(std::stop_token stop) override;
    SourceInfo info() const override;

    // Grabs one frame now (the timer calls this); public so tests need not wait for the timer.
    void grab();

  private:
    QPointer<QScreen> screen_;
    QRect region_;
    double fps_;
    QTimer timer_;
    LatestFrameSlot slot_{SlotPolicy::LatestWins};
    SteadyClock::time_point started_at_ = SteadyClock::now();
    std::int64_t next_index_ = 0;  // GUI thread only
    std::atomic<bool> screen_lost_{false};
    SourceInfo info_;  // fixed at construction: next() and info() run off the GUI thread
};

}  // namespace emotrace::ui
