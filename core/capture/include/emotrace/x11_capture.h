// Frames from a window of the X11 desktop: the video call's window, picked by its title rather
// than by screen coordinates. The capture follows the window when it moves or is resized, keeps
// reading it when other windows cover it (the Composite extension keeps the window's own
// contents off screen), and runs on the pipeline's capture thread at its own rate, so a busy
// dashboard never slows it. A window that closes ends the session with a message saying so.
//
// Wayland: a plain X11 grab sees only X11 (XWayland) windows there; docs/dashboard.md says what
// to do on a Wayland desktop.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "emotrace/frame_source.h"

namespace emotrace {

struct X11Window {
    std::uint32_t id = 0;
    std::string title;        // _NET_WM_NAME, else WM_NAME
    std::string application;  // WM_CLASS's class ("Firefox", "zoom")
    int x = 0;                // on the screen
    int y = 0;
    int width = 0;
    int height = 0;
    bool viewable = false;  // mapped (not minimised)
};

// The titled top-level windows of the display (`display`: empty for $DISPLAY), in stacking
// order, bottom first. Throws SourceError when no X display can be opened (naming $DISPLAY and
// $WAYLAND_DISPLAY, so a Wayland session is told what to do).
std::vector<X11Window> listX11Windows(const std::string& display = {});

// The window to capture: an id ("0x3a00007") or a case-insensitive part of its title. Throws
// SourceError when none or more than one window matches, listing the titles.
X11Window findX11Window(const std::string& id_or_title, const std::string& display = {});

// The "click the window" way of picking the call: the pointer turns into a cross until a window
// is clicked, and that window is returned (the application's own window, also inside a window
// manager's frame), as xwininfo does. A right click, or `stop`, cancels: nullopt. Throws
// SourceError when there is no X display, or another program holds the pointer.
std::optional<X11Window> pickX11WindowByClick(std::stop_token stop,
                                              const std::string& display = {});

// Captures the window at `fps`. Throws SourceError when the display or the Composite extension
// is missing or the window cannot be read. next() throws SourceError when the window closes;
// while it is minimised no frames come and pausedBecause() says so.
std::unique_ptr<FrameSource> openX11Window(const X11Window& window, double fps = 30.0,
                                           const std::string& display = {});

// Captures a rectangle of the X screen (the whole screen when width or height is 0) at `fps`, on
// the capture thread. Throws SourceError when the display cannot be opened or the rectangle does
// not lie inside the screen (naming the screen's size).
std::unique_ptr<FrameSource> openX11Region(int x, int y, int width, int height, double fps = 30.0,
                                           const std::string& display = {});

}  // namespace emotrace
