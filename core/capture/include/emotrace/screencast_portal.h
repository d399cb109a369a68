// Frames from the desktop's screen-cast portal (xdg-desktop-portal's ScreenCast interface, with
// the picture coming over PipeWire): the way to read a video call on a Wayland desktop, where an
// X11 client sees no other program's windows. The desktop asks the user which window or screen
// to share in its own dialog (GNOME, KDE; on wlroots desktops such as sway, xdg-desktop-portal-wlr
// shares a whole output), so emotrace never sees more than the user chose, and the desktop shows
// that the screen is being shared while it is.
//
// The dialog can take the user a while, so the handshake happens on the pipeline's capture thread
// when the first frame is asked for, never on the GUI thread; pausedBecause() says that the
// desktop is waiting for the user meanwhile.
#pragma once

#include <memory>
#include <string>

#include "emotrace/frame_source.h"

namespace emotrace {

struct ScreenCastOptions {
    bool offer_windows = true;   // let the user pick a single window (where the desktop can)
    bool offer_monitors = true;  // let the user pick a whole screen
    double fps = 30.0;           // at most this many frames a second reach the pipeline
};

// Whether the session bus has the screen-cast portal, and if not, why (for the dashboard's
// source list): "" when it has. Never throws; never shows a dialog.
std::string screenCastUnavailableBecause();

// The source. Nothing is asked of the desktop until the first next(): that call shows the
// desktop's sharing dialog and waits for the user's answer (or for stop). next() throws
// SourceError when there is no session bus or portal (naming what to install), when the user
// refuses ("screen sharing was refused in the desktop's dialog"), and when the desktop or the
// user ends the sharing mid-session.
std::unique_ptr<FrameSource> openScreenCastPortal(const ScreenCastOptions& options = {});

}  // namespace emotrace
