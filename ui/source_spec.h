// Which source a session reads, as the user names it on the command line or picks in the
// toolbar: a video file path, "camera:N", "screen[:X,Y,W,H]", "window:TITLE" (a part of the
// call window's title, or its id such as 0x3a00007), or "screencast" (the desktop portal: the
// user picks the window or screen in the desktop's own dialog; the way on Wayland).
#pragma once

#include <memory>
#include <string>

#include <QRect>

#include "emotrace/frame_source.h"

namespace emotrace::ui {

struct SourceSpec {
    enum class Kind { VideoFile, Camera, Screen, Window, ScreenCast };
    Kind kind = Kind::Camera;
    std::string path;      // VideoFile
    int camera_index = 0;  // Camera
    QRect screen_region;   // Screen: empty means the whole primary screen
    std::string window;    // Window: a part of its title, or its id
};

// Throws Error naming the accepted forms when text is malformed ("camera:x", "screen:1,2,3").
// Any text that is not "camera...", "screen...", "window:..." or "screencast" is taken as a file
// path; whether it exists is checked when the source is opened.
SourceSpec parseSourceSpec(const std::string& text);
// The inverse of parseSourceSpec, for the toolbar and messages.
std::string toString(const SourceSpec& spec);
// "X,Y,W,H" with W and H positive; throws Error otherwise.
QRect parseScreenRegion(const std::string& text);

// Opens the source. Files play in real time and, with loop, start over at the end; loop is
// ignored for live sources. Call on the GUI thread (the screen source grabs there). Throws
// SourceError from the source.
std::unique_ptr<FrameSource> openFrameSource(const SourceSpec& spec, bool loop);

}  // namespace emotrace::ui
