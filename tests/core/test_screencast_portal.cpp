// The screen-cast portal source against the real desktop portal: each test starts a private
// headless desktop (tests/support/wayland-desktop.sh: its own D-Bus bus, PipeWire with
// WirePlumber, xdg-desktop-portal, and a screen-cast back end: sway on a headless output with
// xdg-desktop-portal-wlr, or, where no GPU is, a stand-in back end that grants at once) and
// points the source at its bus, so the whole path runs: the portal handshake over D-Bus, the
// user's answer (granted, cancelled, or not yet given), the PipeWire stream, and the end of the
// sharing.
#include "emotrace/screencast_portal.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "emotrace/error.h"
#include "emotrace/face_detector.h"
#include "private_desktop.h"
#include "test_support.h"

namespace emotrace {
namespace {

using namespace std::chrono_literals;

constexpr int kScreenWidth = test::kSharedScreenWidth;
constexpr int kScreenHeight = test::kSharedScreenHeight;
using test::PrivateDesktop;

// Reads the granted screen: the frames are the shared screen's own picture, at its size, at most
// at the asked rate, with the face on it found; when the back end goes away mid-session (the user
// stops sharing), the next frame ends the session with a message instead of waiting for ever.
void readGrantedScreenUntilSharingEnds(PrivateDesktop& desktop) {
    EXPECT_EQ(screenCastUnavailableBecause(), "");
    auto source =
        openScreenCastPortal({.offer_windows = true, .offer_monitors = true, .fps = 15.0});
    std::stop_source stop;
    // A stream that never delivers must fail the test, not hang it.
    std::jthread watchdog([&](std::stop_token finished) {
        std::mutex mutex;
        std::unique_lock lock(mutex);
        std::condition_variable_any().wait_for(lock, finished, 60s, [] { return false; });
        stop.request_stop();
    });
    const bool have_face = test::sharedData("videos/liveportrait_d0.mp4").has_value();
    auto detector = createFaceDetector({});
    int with_face = 0;
    constexpr int kFrames = 30;
    double first_ms = 0.0;
    double last_ms = 0.0;
    for (int i = 0; i < kFrames; ++i) {
        std::optional<Frame> frame;
        try {
            frame = source->next(stop.get_token());
        } catch (const SourceError& error) {
            FAIL() << error.what() << "\nback end:\n"
                   << desktop.log("backend") << desktop.log("xdpw") << "\nportal:\n"
                   << desktop.log("portal");
        }
        ASSERT_TRUE(frame);
        ASSERT_EQ(frame->image.size(), cv::Size(kScreenWidth, kScreenHeight));
        ASSERT_EQ(frame->image.type(), CV_8UC3);
        EXPECT_EQ(frame->index, i);
        // The right half is the blue of the picture: the channels are in BGR order.
        const auto right = cv::mean(frame->image.colRange(kScreenWidth * 3 / 4, kScreenWidth));
        EXPECT_GT(right[0], 240.0);
        EXPECT_LT(right[1], 15.0);
        EXPECT_LT(right[2], 15.0);
        if (i == 0)
            first_ms = frame->timestamp_ms;
        EXPECT_GE(frame->timestamp_ms, last_ms);
        last_ms = frame->timestamp_ms;
        if (have_face)
            with_face += detector->detect(frame->image).empty() ? 0 : 1;
    }
    EXPECT_EQ(source->pausedBecause(), "");
    EXPECT_EQ(source->info().width, kScreenWidth);
    EXPECT_EQ(source->info().height, kScreenHeight);
    // At most 15 frames a second reach the pipeline although the desktop sends 30.
    EXPECT_GE(last_ms - first_ms, (kFrames - 1) * 1000.0 / 15.0 * 0.9);
    if (have_face) {
        EXPECT_GE(with_face, kFrames * 95 / 100) << with_face << " of " << kFrames;
    }

    ASSERT_TRUE(desktop.stopScreenCastBackEnd());
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    std::string ended;
    while (std::chrono::steady_clock::now() < deadline && ended.empty()) {
        try {
            if (!source->next(stop.get_token()))
                break;
        } catch (const SourceError& error) {
            ended = error.what();
        }
    }
    EXPECT_NE(ended.find("screen cast"), std::string::npos) << ended;
}

// Through the real portal and PipeWire, with the stand-in back end (runs on any machine).
TEST(ScreenCastPortal, AGrantedScreenIsReadAndTheEndOfSharingEndsTheSession) {
    PrivateDesktop desktop("fake");
    EMOTRACE_START_DESKTOP_OR_SKIP(desktop);
    readGrantedScreenUntilSharingEnds(desktop);
}

// A minimised shared window sends no picture: the compositor pauses the stream. The source then
// says why (the dashboard's banner shows it) instead of looking frozen, and reads on, saying
// nothing, once the window is shown again.
TEST(ScreenCastPortal, AHiddenWindowIsSaidAndReadingGoesOnWhenItIsShown) {
    PrivateDesktop desktop("fake");
    EMOTRACE_START_DESKTOP_OR_SKIP(desktop);
    auto source =
        openScreenCastPortal({.offer_windows = true, .offer_monitors = true, .fps = 15.0});
    std::atomic<int> frames{0};
    std::mutex error_mutex;
    std::string error;
    std::jthread reader([&](std::stop_token stop) {
        try {
            while (!stop.stop_requested() && source->next(stop))
                ++frames;
        } catch (const SourceError& e) {
            std::lock_guard lock(error_mutex);
            error = e.what();
        }
    });
    // Waits up to 20 s for `done`; false when it did not come.
    const auto within = [](auto done) {
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (!done() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(20ms);
        return done();
    };
    const auto logs = [&] {
        std::lock_guard lock(error_mutex);
        return "source: " + error + "\nback end:\n" + desktop.log("backend") + "\nportal:\n" +
               desktop.log("portal");
    };
    ASSERT_TRUE(within([&] { return frames >= 5; })) << logs();
    EXPECT_EQ(source->pausedBecause(), "");

    ASSERT_TRUE(desktop.hideSharedWindow(true));
    ASSERT_TRUE(within([&] { return !source->pausedBecause().empty(); })) << logs();
    EXPECT_NE(source->pausedBecause().find("minimised"), std::string::npos)
        << source->pausedBecause();
    const int while_hidden = frames;
    std::this_thread::sleep_for(1s);
    EXPECT_LE(frames - while_hidden, 1) << "no pictures come while the window is hidden";

    ASSERT_TRUE(desktop.hideSharedWindow(false));
    EXPECT_TRUE(within([&] { return frames >= while_hidden + 5; })) << logs();
    EXPECT_TRUE(within([&] { return source->pausedBecause().empty(); })) << source->pausedBecause();
    reader.request_stop();
    reader.join();
    std::lock_guard lock(error_mutex);
    EXPECT_EQ(error, "");
}

// The same with sway and xdg-desktop-portal-wlr sharing its headless screen. Version 0.7 (Debian
// 12) shares only screens rendered on a GPU (it requires DMA-BUF buffers, upstream issue
// emersion/xdg-desktop-portal-wlr#289), so this runs where a render node is.
TEST(ScreenCastPortal, AScreenSharedBySwayIsRead) {
    bool have_render_node = false;
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator("/dev/dri", ignored))
        have_render_node |= entry.path().filename().string().starts_with("renderD");
    if (!have_render_node)
        GTEST_SKIP() << "no GPU render node (/dev/dri/renderD*): xdg-desktop-portal-wlr 0.7 "
                        "cannot share a screen rendered without one";
    PrivateDesktop desktop("none");
    EMOTRACE_START_DESKTOP_OR_SKIP(desktop);
    readGrantedScreenUntilSharingEnds(desktop);
}

// The user cancels the desktop's dialog: the first frame ends the session with the reason, and
// until the answer the source says it waits for the user.
TEST(ScreenCastPortal, ARefusedDialogEndsTheSessionSayingSo) {
    PrivateDesktop desktop("refuse");
    EMOTRACE_START_DESKTOP_OR_SKIP(desktop);
    auto source = openScreenCastPortal();
    EXPECT_NE(source->pausedBecause().find("sharing dialog"), std::string::npos)
        << source->pausedBecause();
    std::stop_source stop;
    try {
        source->next(stop.get_token());
        FAIL() << "a refused screen cast gave a frame";
    } catch (const SourceError& error) {
        EXPECT_NE(std::string(error.what()).find("refused"), std::string::npos) << error.what();
    }
}

// Stop while the dialog is open: the wait ends promptly with no frame (the dashboard's Stop).
TEST(ScreenCastPortal, StopEndsTheWaitForTheUsersAnswer) {
    PrivateDesktop desktop("wait");
    EMOTRACE_START_DESKTOP_OR_SKIP(desktop);
    auto source = openScreenCastPortal();
    std::stop_source stop;
    std::jthread stopper([&] {
        std::this_thread::sleep_for(1s);
        stop.request_stop();
    });
    const auto started = std::chrono::steady_clock::now();
    EXPECT_FALSE(source->next(stop.get_token()));
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

// A bus without the portal, and no bus at all: the message names what to install or set.
TEST(ScreenCastPortal, NoPortalOrNoBusIsSaidWithWhatToDo) {
    {
        PrivateDesktop desktop("no-portal");
        EMOTRACE_START_DESKTOP_OR_SKIP(desktop);
        const auto why = screenCastUnavailableBecause();
        EXPECT_NE(why.find("xdg-desktop-portal"), std::string::npos) << why;
        auto source = openScreenCastPortal();
        std::stop_source stop;
        EXPECT_THROW(source->next(stop.get_token()), SourceError);
    }
    test::TempDir nowhere;
    ::setenv("DBUS_SESSION_BUS_ADDRESS", ("unix:path=" + (nowhere / "bus").string()).c_str(), 1);
    const auto why = screenCastUnavailableBecause();
    EXPECT_NE(why.find("D-Bus session bus"), std::string::npos) << why;
}

}  // namespace
}  // namespace emotrace
