#include "screen_region_source.h"

#include <thread>

#include <gtest/gtest.h>

#include <QGuiApplication>
#include <QWidget>
#include <QWindow>

#include "emotrace/error.h"
#include "session_controller.h"
#include "ui_test_support.h"

namespace emotrace::ui {
namespace {

using test::waitUntil;

// A red window at a known place on the screen, for the source to grab.
class RedWindow : public QWidget {
  public:
    RedWindow() {
        setAutoFillBackground(true);
        QPalette red = palette();
        red.setColor(QPalette::Window, Qt::red);
        setPalette(red);
        setGeometry(100, 100, 200, 150);
        show();
    }
};

TEST(ScreenRegionSource, RejectsARegionOutsideTheScreen) {
    auto* screen = QGuiApplication::primaryScreen();
    ASSERT_NE(screen, nullptr);
    const QSize size = screen->geometry().size();
    EXPECT_THROW(ScreenRegionSource(screen, QRect(size.width() - 10, 0, 20, 20)), SourceError);
    EXPECT_THROW(ScreenRegionSource(nullptr, QRect()), SourceError);
}

TEST(ScreenRegionSource, HandsGrabbedPixelsToTheCaptureThread) {
    RedWindow window;
    ASSERT_TRUE(
        waitUntil([&] { return window.windowHandle() && window.windowHandle()->isExposed(); }));
    window.repaint();
    const QRect region = window.geometry().adjusted(10, 10, -10, -10);
    ScreenRegionSource source(QGuiApplication::primaryScreen(), region, 50.0);
    EXPECT_EQ(source.info().width, region.width());
    EXPECT_EQ(source.info().fps, 50.0);

    // next() runs on its own thread, as in the pipeline; the GUI thread grabs on the timer.
    std::optional<Frame> frame;
    {
        std::jthread capture([&](std::stop_token stop) { frame = source.next(stop); });
        waitUntil([&] { return frame.has_value(); });
    }  // joins: if no frame came, the stop token ends next()
    ASSERT_TRUE(frame) << "no frame grabbed from the screen";
    ASSERT_EQ(frame->image.cols, region.width());
    ASSERT_EQ(frame->image.rows, region.height());
    const auto pixel = frame->image.at<cv::Vec3b>(frame->image.rows / 2, frame->image.cols / 2);
    EXPECT_EQ(pixel, cv::Vec3b(0, 0, 255));  // red, in BGR
}

class NoFaceDetector : public FaceDetector {
  public:
    std::vector<Detection> detect(const cv::Mat&) override { return {}; }
    std::string name() const override { return "none"; }
};

// The GUI thread grabs and, in stop(), joins the capture thread that waits for those grabs:
// this must neither deadlock nor leave a grab pending for a destroyed source.
TEST(ScreenRegionSource, FeedsALiveSessionThatStopsCleanly) {
    RedWindow window;
    ASSERT_TRUE(
        waitUntil([&] { return window.windowHandle() && window.windowHandle()->isExposed(); }));
    SessionController controller([] { return std::make_unique<NoFaceDetector>(); }, nullptr);
    int results = 0;
    QObject::connect(&controller, &SessionController::resultReady, [&](const FrameResult& result) {
        EXPECT_EQ(result.image.cols, 100);
        ++results;
    });
    ASSERT_TRUE(controller.start(std::make_unique<ScreenRegionSource>(
        QGuiApplication::primaryScreen(), QRect(110, 110, 100, 80), 60.0)));
    ASSERT_TRUE(waitUntil([&] { return results >= 3; }));
    controller.stop();
    EXPECT_FALSE(controller.isRunning());
    const int at_stop = results;
    waitUntil([] { return false; }, std::chrono::milliseconds(50));  // timers keep firing
    EXPECT_EQ(results, at_stop);
}

TEST(ScreenRegionSource, NextReturnsWhenStopIsRequested) {
    auto* screen = QGuiApplication::primaryScreen();
    ScreenRegionSource source(screen, QRect(0, 0, 10, 10), 1.0);
    std::stop_source stop;
    std::jthread requester([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        stop.request_stop();
    });
    // No event loop runs here, so no grab: only the stop token can end the wait.
    EXPECT_FALSE(source.next(stop.get_token()));
}

}  // namespace
}  // namespace emotrace::ui
