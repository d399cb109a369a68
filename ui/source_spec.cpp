#include "source_spec.h"

#include <charconv>
#include <vector>

#include <QGuiApplication>

#include "emotrace/error.h"
#include "emotrace/screencast_portal.h"
#include "emotrace/x11_capture.h"
#include "looping_frame_source.h"
#include "screen_region_source.h"

namespace emotrace::ui {
namespace {

constexpr const char* kAcceptedForms =
    "expected a video file path, camera:N (N = 0, 1, ...), screen[:X,Y,W,H], window:TITLE or "
    "screencast";

bool parseInt(std::string_view text, int& value) {
    const auto* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    return error == std::errc{} && stop == end && !text.empty();
}

}  // namespace

QRect parseScreenRegion(const std::string& text) {
    std::vector<int> numbers;
    std::string_view rest = text;
    while (true) {
        const auto comma = rest.find(',');
        int value = 0;
        if (!parseInt(rest.substr(0, comma), value))
            break;
        numbers.push_back(value);
        if (comma == std::string_view::npos)
            break;
        rest.remove_prefix(comma + 1);
    }
    if (numbers.size() != 4 || numbers[0] < 0 || numbers[1] < 0 || numbers[2] <= 0 ||
        numbers[3] <= 0) {
        throw Error("screen region \"" + text +
                    "\": expected X,Y,W,H (four integers, X,Y >= 0, W,H > 0)");
    }
    return {numbers[0], numbers[1], numbers[2], numbers[3]};
}

SourceSpec parseSourceSpec(const std::string& text) {
    SourceSpec spec;
    if (text.empty())
        throw Error("empty source: " + std::string(kAcceptedForms));
    if (text == "camera" || text.starts_with("camera:")) {
        spec.kind = SourceSpec::Kind::Camera;
        if (text != "camera" &&
            (!parseInt(text.substr(7), spec.camera_index) || spec.camera_index < 0)) {
            throw Error("source \"" + text + "\": " + kAcceptedForms);
        }
        return spec;
    }
    if (text == "screen" || text.starts_with("screen:")) {
        spec.kind = SourceSpec::Kind::Screen;
        if (text != "screen")
            spec.screen_region = parseScreenRegion(text.substr(7));
        return spec;
    }
    if (text == "screencast") {
        spec.kind = SourceSpec::Kind::ScreenCast;
        return spec;
    }
    if (text.starts_with("window:")) {
        spec.kind = SourceSpec::Kind::Window;
        spec.window = text.substr(7);
        if (spec.window.empty())
            throw Error("source \"" + text + "\": " + kAcceptedForms);
        return spec;
    }
    spec.kind = SourceSpec::Kind::VideoFile;
    spec.path = text;
    return spec;
}

std::string toString(const SourceSpec& spec) {
    switch (spec.kind) {
        case SourceSpec::Kind::Camera:
            return "camera:" + std::to_string(spec.camera_index);
        case SourceSpec::Kind::Screen: {
            const auto& r = spec.screen_region;
            if (r.isEmpty())
                return "screen";
            return "screen:" + std::to_string(r.x()) + "," + std::to_string(r.y()) + "," +
                   std::to_string(r.width()) + "," + std::to_string(r.height());
        }
        case SourceSpec::Kind::Window:
            return "window:" + spec.window;
        case SourceSpec::Kind::ScreenCast:
            return "screencast";
        case SourceSpec::Kind::VideoFile:
            return spec.path;
    }
    return {};
}

std::unique_ptr<FrameSource> openFrameSource(const SourceSpec& spec, bool loop) {
    switch (spec.kind) {
        case SourceSpec::Kind::Camera:
            return openCamera(spec.camera_index);
        case SourceSpec::Kind::Screen:
            if (QGuiApplication::platformName() == QLatin1String("xcb")) {
                // On X11 the region is read on the capture thread at a call's rate; Qt's grab
                // (other platforms) must run on the GUI thread.
                const auto& r = spec.screen_region;
                return openX11Region(r.x(), r.y(), r.width(), r.height(), 30.0);
            }
            return std::make_unique<ScreenRegionSource>(QGuiApplication::primaryScreen(),
                                                        spec.screen_region);
        case SourceSpec::Kind::Window:
            if (spec.window.empty())
                throw SourceError("no call window chosen: pick one from the list");
            // The call's rate: video calls send 25-30 frames a second.
            return openX11Window(findX11Window(spec.window), 30.0);
        case SourceSpec::Kind::ScreenCast:
            // The desktop's dialog opens when the capture thread asks for the first frame.
            return openScreenCastPortal(ScreenCastOptions{});
        case SourceSpec::Kind::VideoFile:
            if (spec.path.empty())
                throw SourceError("no video file chosen");
            if (loop) {
                return std::make_unique<LoopingFrameSource>(
                    [path = spec.path] { return openVideoFile(path, Pacing::RealTime); });
            }
            return openVideoFile(spec.path, Pacing::RealTime);
    }
    throw SourceError("unknown source kind");
}

}  // namespace emotrace::ui
