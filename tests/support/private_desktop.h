// A private headless desktop with the screen-cast portal, for the tests of the portal source
// (core) and of the dashboard reading through it (ui): tests/support/wayland-desktop.sh starts
// it (its own D-Bus bus, PipeWire with WirePlumber, xdg-desktop-portal and a screen-cast back
// end) and this class stops it, with everything it started, when the test ends. Meanwhile the
// process's DBUS_SESSION_BUS_ADDRESS points at its bus (ctest runs each test in its own process).
#pragma once

#include <sys/types.h>

#include <string>

#include <opencv2/core.hpp>

#include "test_support.h"

namespace emotrace::test {

inline constexpr int kSharedScreenWidth = 1280;
inline constexpr int kSharedScreenHeight = 720;

// What the shared screen shows: a face on the left half (the first frame of a shared clip, where
// the data is there, else red) and pure blue on the right half.
cv::Mat sharedScreenPicture();

class PrivateDesktop {
  public:
    // How the desktop answers a request to share, as wayland-desktop.sh names it: "fake" (granted
    // at once, by the stand-in back end; any machine), "none" (granted by sway and
    // xdg-desktop-portal-wlr; needs a GPU), "refuse", "wait" (no answer for a minute),
    // "no-portal" (a bus and nothing else).
    explicit PrivateDesktop(const std::string& answer);
    ~PrivateDesktop();
    PrivateDesktop(const PrivateDesktop&) = delete;
    PrivateDesktop& operator=(const PrivateDesktop&) = delete;

    bool ready() const { return ready_; }
    // Why it did not start (for the skip).
    const std::string& whyNot() const { return why_not_; }
    // Ends the sharing from the desktop's side: the screen-cast back end stops.
    bool stopScreenCastBackEnd() const;
    // With the stand-in back end ("fake"): pauses the shared stream as a compositor does while the
    // shared window is minimised (true), or lets it run again (false).
    bool hideSharedWindow(bool hidden) const;
    // A log of the desktop ("backend", "xdpw", "portal", "sway", "pipewire").
    std::string log(const std::string& name) const;

  private:
    TempDir dir_;
    pid_t pid_ = 0;
    bool ready_ = false;
    std::string why_not_;
};

}  // namespace emotrace::test

#define EMOTRACE_START_DESKTOP_OR_SKIP(desktop) \
    if (!(desktop).ready())                     \
    EMOTRACE_SKIP_UNLESS_REQUIRED((desktop).whyNot())
