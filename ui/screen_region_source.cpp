#include "screen_region_source.h"

#include <chrono>
#include <cmath>

#include <QImage>
#include <QPixmap>

#include "emotrace/error.h"

namespace emotrace::ui {
namespace {

std::string describe(const QRect& rect) {
    return std::to_string(rect.x()) + "," + std::to_string(rect.y()) + " " +
           std::to_string(rect.width()) + "x" + std::to_string(rect.height());
}

}  // namespace

ScreenRegionSource::ScreenRegionSource(QScreen* screen, QRect region, double fps)
    : screen_(screen), region_(region), fps_(fps) {
    if (!screen)
        throw SourceError("screen capture: no screen is available");
    const QRect whole(QPoint(0, 0), screen->geometry().size());
    if (region_.isEmpty())
        region_ = whole;
    if (!whole.contains(region_)) {
        throw SourceError("screen region " + describe(region_) + " lies outside screen \"" +
                          screen->name().toStdString() + "\" (" + describe(whole) +
                          "); give X,Y,W,H inside it");
    }
    if (!(fps_ > 0.0))
        throw SourceError("screen capture: frame rate must be positive");
    info_.description =
        "screen region " + describe(region_) + " (" + screen->name().toStdString() + ")";
    info_.fps = fps_;
    info_.width = region_.width();
    info_.height = region_.height();
    timer_.setTimerType(Qt::PreciseTimer);
    timer_.setInterval(static_cast<int>(std::lround(1000.0 / fps_)));
    QObject::connect(&timer_, &QTimer::timeout, [this] { grab(); });
    timer_.start();
}

ScreenRegionSource::~ScreenRegionSource() {
    timer_.stop();
    slot_.close();
}

void ScreenRegionSource::grab() {
    if (!screen_) {
        // The monitor was unplugged: end the stream with an error instead of waiting forever.
        screen_lost_ = true;
        timer_.stop();
        slot_.close();
        return;
    }
    const QImage image =
        screen_->grabWindow(0, region_.x(), region_.y(), region_.width(), region_.height())
            .toImage()
            .convertToFormat(QImage::Format_BGR888);
    if (image.isNull())
        return;  // a platform that cannot grab now: try again on the next tick
    Frame frame;
    const cv::Mat view(image.height(), image.width(), CV_8UC3,
                       const_cast<uchar*>(image.constBits()),  // read only: cloned at once
                       static_cast<std::size_t>(image.bytesPerLine()));
    frame.image = view.clone();
    frame.index = next_index_++;
    frame.captured_at = SteadyClock::now();
    frame.timestamp_ms =
        std::chrono::duration<double, std::milli>(frame.captured_at - started_at_).count();
    slot_.put(std::move(frame));
}

std::optional<Frame> ScreenRegionSource::next(std::stop_token stop) {
    auto frame = slot_.take(stop);
    if (!frame && screen_lost_ && !stop.stop_requested()) {
        throw SourceError("screen capture: the screen was disconnected");
    }
    return frame;
}

SourceInfo ScreenRegionSource::info() const {
    return info_;
}

}  // namespace emotrace::ui
