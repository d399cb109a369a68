#include "emotrace/x11_capture.h"

#include <xcb/composite.h>
#include <xcb/xcb.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <opencv2/imgproc.hpp>

#include "emotrace/error.h"

namespace emotrace {

namespace {

template <typename T>
using Reply = std::unique_ptr<T, decltype(&std::free)>;

template <typename T>
Reply<T> reply(T* raw) {
    return Reply<T>(raw, &std::free);
}

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

// One connection, closed when it goes.
class Connection {
  public:
    explicit Connection(const std::string& display) {
        connection_ = xcb_connect(display.empty() ? nullptr : display.c_str(), nullptr);
        if (xcb_connection_has_error(connection_)) {
            xcb_disconnect(connection_);
            const auto shown = display.empty() ? environment("DISPLAY") : display;
            const auto wayland = environment("WAYLAND_DISPLAY");
            throw SourceError(
                "window capture: cannot open the X display '" + shown + "'" +
                (wayland.empty()
                     ? std::string(" (is this a desktop session? $DISPLAY names the X server)")
                     : " (this is a Wayland session, '" + wayland +
                           "': only X11 windows can be picked; see docs/dashboard.md, "
                           "'Capturing the call')"));
        }
        screen_ = xcb_setup_roots_iterator(xcb_get_setup(connection_)).data;
    }
    ~Connection() { xcb_disconnect(connection_); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    xcb_connection_t* get() const { return connection_; }
    xcb_window_t root() const { return screen_->root; }

    xcb_atom_t atom(const char* name) const {
        auto found = reply(xcb_intern_atom_reply(
            connection_,
            xcb_intern_atom(connection_, 1, static_cast<std::uint16_t>(std::strlen(name)), name),
            nullptr));
        return found ? found->atom : static_cast<xcb_atom_t>(XCB_ATOM_NONE);
    }

  private:
    xcb_connection_t* connection_ = nullptr;
    xcb_screen_t* screen_ = nullptr;
};

std::string property(const Connection& c, xcb_window_t window, xcb_atom_t name, xcb_atom_t type) {
    if (name == XCB_ATOM_NONE)
        return {};
    auto value = reply(xcb_get_property_reply(
        c.get(), xcb_get_property(c.get(), 0, window, name, type, 0, 1024), nullptr));
    if (!value || value->format != 8)
        return {};
    const auto* bytes = static_cast<const char*>(xcb_get_property_value(value.get()));
    return std::string(bytes, static_cast<std::size_t>(xcb_get_property_value_length(value.get())));
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string hexId(std::uint32_t id) {
    std::ostringstream out;
    out << "0x" << std::hex << id;
    return out.str();
}

bool hasProperty(const Connection& c, xcb_window_t window, xcb_atom_t name) {
    if (name == XCB_ATOM_NONE)
        return false;
    auto value = reply(xcb_get_property_reply(
        c.get(), xcb_get_property(c.get(), 0, window, name, XCB_GET_PROPERTY_TYPE_ANY, 0, 0),
        nullptr));
    return value && value->type != XCB_ATOM_NONE;
}

std::vector<xcb_window_t> childrenOf(const Connection& c, xcb_window_t window) {
    auto tree = reply(xcb_query_tree_reply(c.get(), xcb_query_tree(c.get(), window), nullptr));
    if (!tree)
        return {};
    const auto* children = xcb_query_tree_children(tree.get());
    return {children, children + xcb_query_tree_children_length(tree.get())};
}

// The application's own window under a child of the root. A window manager reparents every
// application window into a frame of its own (title bar, borders), so the window with the
// title is a level or more below the root: the one with WM_STATE (ICCCM), found breadth-first
// as xwininfo and xprop do. Without a window manager the root's child is the window itself.
xcb_window_t clientUnder(const Connection& c, xcb_window_t top, xcb_atom_t wm_state) {
    if (hasProperty(c, top, wm_state))
        return top;
    std::vector<xcb_window_t> level = childrenOf(c, top);
    for (int depth = 0; depth < 4 && !level.empty(); ++depth) {
        std::vector<xcb_window_t> next;
        for (const auto window : level) {
            if (hasProperty(c, window, wm_state))
                return window;
            const auto below = childrenOf(c, window);
            next.insert(next.end(), below.begin(), below.end());
        }
        level = std::move(next);
    }
    return top;
}

std::optional<X11Window> describeWindow(const Connection& c, xcb_window_t id) {
    auto attributes = reply(
        xcb_get_window_attributes_reply(c.get(), xcb_get_window_attributes(c.get(), id), nullptr));
    if (!attributes || attributes->_class != XCB_WINDOW_CLASS_INPUT_OUTPUT ||
        attributes->override_redirect)
        return std::nullopt;  // menus, tooltips and input-only windows are no call window
    X11Window window;
    window.id = id;
    window.title = property(c, id, c.atom("_NET_WM_NAME"), c.atom("UTF8_STRING"));
    if (window.title.empty())
        window.title = property(c, id, XCB_ATOM_WM_NAME, XCB_ATOM_STRING);
    if (window.title.empty())
        return std::nullopt;
    // WM_CLASS holds "instance\0class\0": the class names the application.
    const auto wm_class = property(c, id, XCB_ATOM_WM_CLASS, XCB_ATOM_STRING);
    const auto split = wm_class.find('\0');
    window.application = split == std::string::npos ? wm_class : wm_class.substr(split + 1);
    while (!window.application.empty() && window.application.back() == '\0')
        window.application.pop_back();
    auto geometry = reply(xcb_get_geometry_reply(c.get(), xcb_get_geometry(c.get(), id), nullptr));
    if (geometry) {
        window.width = geometry->width;
        window.height = geometry->height;
    }
    // Where it is on the screen: inside a window manager's frame its own position is the
    // frame's offset, so it is translated to the root's coordinates.
    auto on_screen = reply(xcb_translate_coordinates_reply(
        c.get(), xcb_translate_coordinates(c.get(), id, c.root(), 0, 0), nullptr));
    if (on_screen) {
        window.x = on_screen->dst_x;
        window.y = on_screen->dst_y;
    }
    window.viewable = attributes->map_state == XCB_MAP_STATE_VIEWABLE;
    return window;
}

std::vector<X11Window> listWindows(const Connection& c) {
    const auto wm_state = c.atom("WM_STATE");
    std::vector<X11Window> windows;
    for (const auto top : childrenOf(c, c.root())) {
        if (auto window = describeWindow(c, clientUnder(c, top, wm_state)))
            windows.push_back(std::move(*window));
    }
    return windows;
}

// ZPixmap at depth 24/32 on a little-endian server: B, G, R, X per pixel. Nullopt when the reply
// is short (the drawable changed size between the requests).
std::optional<cv::Mat> toBgr(xcb_get_image_reply_t& image, int width, int height,
                             const std::string& what) {
    if (image.depth < 24) {
        throw SourceError("screen capture: " + what + " has a colour depth of " +
                          std::to_string(image.depth) + " bits; 24 or 32 expected");
    }
    const auto length = static_cast<std::size_t>(xcb_get_image_data_length(&image));
    if (length < static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 4)
        return std::nullopt;
    const cv::Mat bgrx(height, width, CV_8UC4, xcb_get_image_data(&image));
    cv::Mat bgr;
    cv::cvtColor(bgrx, bgr, cv::COLOR_BGRA2BGR);
    return bgr;
}

// Grabs at a fixed rate on the caller's thread (the pipeline's capture thread); a grab that gives
// nothing (a hidden window) is tried again at the next tick while the session goes on.
class PacedX11Source : public FrameSource {
  public:
    PacedX11Source(const std::string& display, double fps) : connection_(display), fps_(fps) {
        if (!(fps > 0.0))
            throw SourceError("screen capture: the frame rate must be positive");
        started_ = std::chrono::steady_clock::now();
    }

    std::optional<Frame> next(std::stop_token stop) override {
        if (first_) {
            auto frame = std::move(*first_);
            first_.reset();
            next_due_ = std::chrono::steady_clock::now() + interval();
            return frame;
        }
        for (;;) {
            {
                std::mutex mutex;
                std::unique_lock lock(mutex);
                std::condition_variable_any wake;
                wake.wait_until(lock, stop, next_due_, [] { return false; });
            }
            if (stop.stop_requested())
                return std::nullopt;
            next_due_ =
                std::max(next_due_ + interval(), std::chrono::steady_clock::now() - interval());
            if (auto image = grab())
                return frameOf(std::move(*image));
        }
    }

  protected:
    virtual std::optional<cv::Mat> grab() = 0;

    // A first frame at construction: a source that cannot be read is said at Start.
    void grabFirst(const std::string& why_none) {
        auto image = grab();
        if (!image)
            throw SourceError(why_none);
        width_ = image->cols;
        height_ = image->rows;
        first_ = frameOf(std::move(*image));
    }

    Connection connection_;
    double fps_;
    int width_ = 0;
    int height_ = 0;

  private:
    Frame frameOf(cv::Mat image) {
        Frame frame;
        frame.image = std::move(image);
        frame.index = index_++;
        const auto now = std::chrono::steady_clock::now();
        frame.timestamp_ms = std::chrono::duration<double, std::milli>(now - started_).count();
        frame.captured_at = now;
        return frame;
    }

    std::chrono::steady_clock::duration interval() const {
        return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(1.0 / fps_));
    }

    std::optional<Frame> first_;
    std::int64_t index_ = 0;
    std::chrono::steady_clock::time_point started_;
    std::chrono::steady_clock::time_point next_due_;
};

class X11WindowSource : public PacedX11Source {
  public:
    X11WindowSource(const X11Window& window, double fps, const std::string& display)
        : PacedX11Source(display, fps), window_(window) {
        auto composite = reply(xcb_composite_query_version_reply(
            connection_.get(), xcb_composite_query_version(connection_.get(), 0, 2), nullptr));
        if (!composite) {
            throw SourceError(
                "window capture: the X server has no Composite extension, "
                "which reading a covered window needs");
        }
        // The server keeps the window's contents off screen from now on, covered or not.
        // Automatic redirection: the window still shows on the screen as before.
        xcb_generic_error_t* error =
            xcb_request_check(connection_.get(),
                              xcb_composite_redirect_window_checked(
                                  connection_.get(), window_.id, XCB_COMPOSITE_REDIRECT_AUTOMATIC));
        if (error) {
            std::free(error);
            throw SourceError("window capture: the window '" + window_.title + "' (" +
                              hexId(window_.id) + ") cannot be read: it was closed");
        }
        grabFirst("window capture: the window '" + window_.title +
                  "' is minimised or hidden; show it and start again");
    }

    ~X11WindowSource() override {
        xcb_composite_unredirect_window(connection_.get(), window_.id,
                                        XCB_COMPOSITE_REDIRECT_AUTOMATIC);
        xcb_flush(connection_.get());
    }

    SourceInfo info() const override {
        return {"window '" + window_.title + "'", fps_, width_, height_, -1};
    }

    std::string pausedBecause() const override {
        return hidden_ ? "the call window '" + window_.title +
                             "' is minimised or hidden: no frames until it is shown again"
                       : std::string();
    }

  protected:
    // The window's own contents at its current size; nullopt while it is not viewable
    // (minimised). Throws SourceError once it is gone.
    std::optional<cv::Mat> grab() override {
        auto* c = connection_.get();
        auto attributes = reply(
            xcb_get_window_attributes_reply(c, xcb_get_window_attributes(c, window_.id), nullptr));
        auto geometry = reply(xcb_get_geometry_reply(c, xcb_get_geometry(c, window_.id), nullptr));
        if (!attributes || !geometry)
            throw SourceError("window capture: the window '" + window_.title + "' was closed");
        hidden_ = attributes->map_state != XCB_MAP_STATE_VIEWABLE;
        if (hidden_)
            return std::nullopt;
        const xcb_pixmap_t pixmap = xcb_generate_id(c);
        xcb_composite_name_window_pixmap(c, window_.id, pixmap);
        xcb_generic_error_t* error = nullptr;
        auto image =
            reply(xcb_get_image_reply(c,
                                      xcb_get_image(c, XCB_IMAGE_FORMAT_Z_PIXMAP, pixmap, 0, 0,
                                                    geometry->width, geometry->height, ~0u),
                                      &error));
        xcb_free_pixmap(c, pixmap);
        if (error) {
            std::free(error);
            return std::nullopt;  // unmapped or closed between the requests: the next grab says
        }
        if (!image)
            return std::nullopt;
        return toBgr(*image, geometry->width, geometry->height,
                     "the window '" + window_.title + "'");
    }

  private:
    X11Window window_;
    std::atomic<bool> hidden_{false};  // written by the capture thread, read by the GUI's
};

class X11RegionSource : public PacedX11Source {
  public:
    X11RegionSource(int x, int y, int width, int height, double fps, const std::string& display)
        : PacedX11Source(display, fps) {
        auto root = reply(xcb_get_geometry_reply(
            connection_.get(), xcb_get_geometry(connection_.get(), connection_.root()), nullptr));
        const int screen_width = root ? root->width : 0;
        const int screen_height = root ? root->height : 0;
        if (width == 0 || height == 0) {
            x = y = 0;
            width = screen_width;
            height = screen_height;
        }
        if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > screen_width ||
            y + height > screen_height) {
            throw SourceError("screen region " + std::to_string(x) + "," + std::to_string(y) + "," +
                              std::to_string(width) + "," + std::to_string(height) +
                              " does not lie inside the screen, which is " +
                              std::to_string(screen_width) + "x" + std::to_string(screen_height));
        }
        region_ = cv::Rect(x, y, width, height);
        grabFirst("screen capture: the screen region cannot be read");
    }

    SourceInfo info() const override {
        return {"screen region " + std::to_string(region_.x) + "," + std::to_string(region_.y) +
                    "," + std::to_string(region_.width) + "," + std::to_string(region_.height),
                fps_, width_, height_, -1};
    }

  protected:
    std::optional<cv::Mat> grab() override {
        auto* c = connection_.get();
        xcb_generic_error_t* error = nullptr;
        auto image = reply(
            xcb_get_image_reply(c,
                                xcb_get_image(c, XCB_IMAGE_FORMAT_Z_PIXMAP, connection_.root(),
                                              static_cast<std::int16_t>(region_.x),
                                              static_cast<std::int16_t>(region_.y),
                                              static_cast<std::uint16_t>(region_.width),
                                              static_cast<std::uint16_t>(region_.height), ~0u),
                                &error));
        if (error) {
            std::free(error);
            throw SourceError("screen capture: the screen can no longer be read");
        }
        if (!image)
            throw SourceError("screen capture: the X server went away");
        return toBgr(*image, region_.width, region_.height, "the screen");
    }

  private:
    cv::Rect region_;
};

}  // namespace

std::vector<X11Window> listX11Windows(const std::string& display) {
    const Connection connection(display);
    return listWindows(connection);
}

X11Window findX11Window(const std::string& id_or_title, const std::string& display) {
    const auto windows = listX11Windows(display);
    std::vector<X11Window> matches;
    for (const auto& window : windows) {
        if (hexId(window.id) == lower(id_or_title) ||
            lower(window.title).find(lower(id_or_title)) != std::string::npos)
            matches.push_back(window);
    }
    if (matches.size() == 1)
        return matches.front();
    std::string titles;
    for (const auto& window : windows)
        titles +=
            (titles.empty() ? "" : ", ") + ("'" + window.title + "' (" + hexId(window.id) + ")");
    if (matches.empty()) {
        throw SourceError("window capture: no window's title contains '" + id_or_title +
                          "'; open windows: " + (titles.empty() ? "none" : titles));
    }
    throw SourceError("window capture: " + std::to_string(matches.size()) +
                      " windows' titles contain '" + id_or_title +
                      "'; give more of the title or the id: " + titles);
}

std::optional<X11Window> pickX11WindowByClick(std::stop_token stop, const std::string& display) {
    const Connection connection(display);
    auto* c = connection.get();
    // The cross from the standard cursor font (XC_crosshair = 34, its mask the next glyph).
    const xcb_font_t font = xcb_generate_id(c);
    xcb_open_font(c, font, 6, "cursor");
    const xcb_cursor_t cross = xcb_generate_id(c);
    xcb_create_glyph_cursor(c, cross, font, font, 34, 35, 0, 0, 0, 0xffff, 0xffff, 0xffff);
    xcb_close_font(c, font);
    auto grab = reply(xcb_grab_pointer_reply(
        c,
        xcb_grab_pointer(c, 0, connection.root(), XCB_EVENT_MASK_BUTTON_PRESS, XCB_GRAB_MODE_ASYNC,
                         XCB_GRAB_MODE_ASYNC, XCB_NONE, cross, XCB_CURRENT_TIME),
        nullptr));
    if (!grab || grab->status != XCB_GRAB_STATUS_SUCCESS) {
        xcb_free_cursor(c, cross);
        throw SourceError(
            "window capture: another program holds the mouse pointer, so a window cannot be "
            "picked by a click; pick it from the list instead");
    }
    struct Ungrab {
        xcb_connection_t* c;
        xcb_cursor_t cursor;
        ~Ungrab() {
            xcb_ungrab_pointer(c, XCB_CURRENT_TIME);
            xcb_free_cursor(c, cursor);
            xcb_flush(c);
        }
    } ungrab{c, cross};
    xcb_flush(c);
    while (!stop.stop_requested()) {
        auto event = reply(xcb_poll_for_event(c));
        if (!event) {
            if (xcb_connection_has_error(c))
                throw SourceError("window capture: the X server went away");
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            continue;
        }
        if ((event->response_type & 0x7f) != XCB_BUTTON_PRESS)
            continue;
        const auto* press = reinterpret_cast<const xcb_button_press_event_t*>(event.get());
        if (press->detail != 1)
            return std::nullopt;  // any other button cancels
        if (press->child == XCB_NONE)
            continue;  // the desktop itself: keep waiting for a window
        const auto client = clientUnder(connection, press->child, connection.atom("WM_STATE"));
        if (auto window = describeWindow(connection, client))
            return window;
    }
    return std::nullopt;
}

std::unique_ptr<FrameSource> openX11Window(const X11Window& window, double fps,
                                           const std::string& display) {
    return std::make_unique<X11WindowSource>(window, fps, display);
}

std::unique_ptr<FrameSource> openX11Region(int x, int y, int width, int height, double fps,
                                           const std::string& display) {
    return std::make_unique<X11RegionSource>(x, y, width, height, fps, display);
}

}  // namespace emotrace
