// Capturing a call's window under a private Xvfb server: the test opens its own windows (a
// "call" painted red with a blue right half, and others), picks the call by title, and checks
// that the frames are the window's own contents as it moves, is covered by another window, is
// resized, is hidden, and closes.
#include "emotrace/x11_capture.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xcb/xcb.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>
#include <thread>

#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "emotrace/error.h"
#include "emotrace/face_detector.h"
#include "test_support.h"

extern char** environ;

namespace emotrace {
namespace {

using namespace std::chrono_literals;

// An Xvfb server of the test's own on a free display number, stopped at the end.
class PrivateXServer {
  public:
    PrivateXServer() {
        if (std::system("command -v Xvfb > /dev/null 2>&1") != 0)
            return;
        for (int number = 90 + ::getpid() % 50; number < 190; ++number) {
            if (std::filesystem::exists("/tmp/.X11-unix/X" + std::to_string(number)) ||
                std::filesystem::exists("/tmp/.X" + std::to_string(number) + "-lock"))
                continue;
            display_ = ":" + std::to_string(number);
            break;
        }
        // -noreset: the server would otherwise reset when the readiness probe disconnects, and
        // refuse the test's own connection while it does.
        const char* argv[] = {"Xvfb", display_.c_str(), "-screen", "0", "1280x720x24", "-nolisten",
                              "tcp",  "-noreset",       nullptr};
        if (posix_spawnp(&pid_, "Xvfb", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) {
            pid_ = 0;
            return;
        }
        for (int attempt = 0; attempt < 100; ++attempt) {
            auto* connection = xcb_connect(display_.c_str(), nullptr);
            const bool up = !xcb_connection_has_error(connection);
            xcb_disconnect(connection);
            if (up) {
                ready_ = true;
                return;
            }
            std::this_thread::sleep_for(100ms);
        }
    }
    ~PrivateXServer() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    bool ready() const { return ready_; }
    const std::string& display() const { return display_; }

  private:
    std::string display_;
    pid_t pid_ = 0;
    bool ready_ = false;
};

// A window of the test's own: a title, an application class, a red background.
class TestWindow {
  public:
    // parent: 0 for the root; a frame window plays a window manager's frame, and the window
    // then carries WM_STATE as a managed application window does.
    TestWindow(xcb_connection_t* c, const std::string& title, std::uint32_t colour, int x, int y,
               int width, int height, xcb_window_t parent = 0)
        : c_(c), id_(xcb_generate_id(c)) {
        auto* screen = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
        const std::uint32_t values[] = {colour};
        xcb_create_window(c, XCB_COPY_FROM_PARENT, id_, parent ? parent : screen->root,
                          static_cast<std::int16_t>(x), static_cast<std::int16_t>(y),
                          static_cast<std::uint16_t>(width), static_cast<std::uint16_t>(height), 0,
                          XCB_WINDOW_CLASS_INPUT_OUTPUT, screen->root_visual, XCB_CW_BACK_PIXEL,
                          values);
        xcb_change_property(c, XCB_PROP_MODE_REPLACE, id_, XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 8,
                            static_cast<std::uint32_t>(title.size()), title.data());
        const char wm_class[] = "call\0CallApp\0";
        xcb_change_property(c, XCB_PROP_MODE_REPLACE, id_, XCB_ATOM_WM_CLASS, XCB_ATOM_STRING, 8,
                            sizeof(wm_class) - 1, wm_class);
        if (parent) {
            const char name[] = "WM_STATE";
            auto* atom =
                xcb_intern_atom_reply(c, xcb_intern_atom(c, 0, sizeof(name) - 1, name), nullptr);
            const std::uint32_t normal_state[] = {1, 0};
            xcb_change_property(c, XCB_PROP_MODE_REPLACE, id_, atom->atom, atom->atom, 32, 2,
                                normal_state);
            std::free(atom);
        }
        xcb_map_window(c, id_);
        xcb_aux_sync();
    }
    void paintRightHalfBlue(int width, int height) {
        const xcb_gcontext_t gc = xcb_generate_id(c_);
        const std::uint32_t blue[] = {0x0000ff};
        xcb_create_gc(c_, gc, id_, XCB_GC_FOREGROUND, blue);
        const xcb_rectangle_t half{static_cast<std::int16_t>(width / 2), 0,
                                   static_cast<std::uint16_t>(width / 2),
                                   static_cast<std::uint16_t>(height)};
        xcb_poly_fill_rectangle(c_, id_, gc, 1, &half);
        xcb_free_gc(c_, gc);
        xcb_aux_sync();
    }
    void configure(int x, int y, int width, int height) {
        const std::uint32_t values[] = {
            static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(y),
            static_cast<std::uint32_t>(width), static_cast<std::uint32_t>(height)};
        xcb_configure_window(c_, id_,
                             XCB_CONFIG_WINDOW_X | XCB_CONFIG_WINDOW_Y | XCB_CONFIG_WINDOW_WIDTH |
                                 XCB_CONFIG_WINDOW_HEIGHT,
                             values);
        xcb_aux_sync();
    }
    void unmap() {
        xcb_unmap_window(c_, id_);
        xcb_aux_sync();
    }
    void destroy() {
        xcb_destroy_window(c_, id_);
        xcb_aux_sync();
    }
    std::uint32_t id() const { return id_; }

  private:
    void xcb_aux_sync() {
        std::free(xcb_get_input_focus_reply(c_, xcb_get_input_focus(c_), nullptr));
    }

    xcb_connection_t* c_;
    xcb_window_t id_;
};

cv::Vec3b pixel(const Frame& frame, double fx, double fy) {
    return frame.image.at<cv::Vec3b>(static_cast<int>(fy * frame.image.rows),
                                     static_cast<int>(fx * frame.image.cols));
}

const cv::Vec3b kRed(0, 0, 255);  // BGR
const cv::Vec3b kBlue(255, 0, 0);

TEST(X11Capture, PicksTheCallWindowByTitleAndFollowsItMovedCoveredResizedHiddenAndClosed) {
    PrivateXServer server;
    if (!server.ready())
        EMOTRACE_SKIP_UNLESS_REQUIRED("Xvfb (package xvfb) could not be started");
    auto* c = xcb_connect(server.display().c_str(), nullptr);
    ASSERT_FALSE(xcb_connection_has_error(c));
    TestWindow call(c, "Therapy call - Clinic Video", 0xff0000, 100, 80, 320, 240);
    TestWindow notes(c, "Session notes", 0x00ff00, 700, 80, 200, 200);

    const auto windows = listX11Windows(server.display());
    ASSERT_EQ(windows.size(), 2u);
    const auto& listed = windows[0].id == call.id() ? windows[0] : windows[1];
    EXPECT_EQ(listed.title, "Therapy call - Clinic Video");
    EXPECT_EQ(listed.application, "CallApp");
    EXPECT_EQ(listed.width, 320);
    EXPECT_TRUE(listed.viewable);

    const auto chosen = findX11Window("clinic VIDEO", server.display());
    EXPECT_EQ(chosen.id, call.id());
    try {
        findX11Window("zoom", server.display());
        FAIL() << "no window is called zoom";
    } catch (const SourceError& e) {
        EXPECT_NE(std::string(e.what()).find("'Session notes'"), std::string::npos) << e.what();
    }
    EXPECT_THROW(findX11Window("i", server.display()), SourceError) << "two titles contain i";

    auto source = openX11Window(chosen, 30.0, server.display());
    EXPECT_EQ(source->info().width, 320);
    EXPECT_EQ(source->info().height, 240);
    call.paintRightHalfBlue(320, 240);
    std::stop_source stop;
    auto first = source->next(stop.get_token());
    ASSERT_TRUE(first);
    auto frame = source->next(stop.get_token());
    ASSERT_TRUE(frame);
    EXPECT_EQ(pixel(*frame, 0.25, 0.5), kRed);
    EXPECT_EQ(pixel(*frame, 0.75, 0.5), kBlue);
    EXPECT_GT(frame->timestamp_ms, first->timestamp_ms);

    // Moved, then covered by the notes window: still the call's own contents.
    call.configure(500, 300, 320, 240);
    notes.configure(450, 250, 400, 400);
    frame = source->next(stop.get_token());
    ASSERT_TRUE(frame);
    EXPECT_EQ(pixel(*frame, 0.25, 0.5), kRed);
    EXPECT_EQ(pixel(*frame, 0.75, 0.5), kBlue) << "covered, but read from its own contents";

    // Resized: the frames follow.
    call.configure(500, 300, 400, 300);
    frame = source->next(stop.get_token());
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->image.size(), cv::Size(400, 300));

    // Hidden (minimised): no frame until it shows again, and the source says why; a stop still
    // ends the wait.
    EXPECT_EQ(source->pausedBecause(), "");
    call.unmap();
    std::stop_source waiting;
    std::optional<Frame> while_hidden;
    std::thread reader([&] { while_hidden = source->next(waiting.get_token()); });
    std::this_thread::sleep_for(300ms);
    waiting.request_stop();
    reader.join();
    EXPECT_FALSE(while_hidden) << "no frame of a hidden window";
    EXPECT_NE(source->pausedBecause().find("minimised"), std::string::npos);

    // Closed: the session ends saying so.
    call.destroy();
    try {
        source->next(stop.get_token());
        FAIL() << "a closed window gave a frame";
    } catch (const SourceError& e) {
        EXPECT_NE(std::string(e.what()).find("was closed"), std::string::npos) << e.what();
    }
    xcb_disconnect(c);
}

// Under a window manager every application window sits in a frame of the manager's: the call's
// window is listed by its own title (not the untitled frame's), at its place on the screen, and
// read from its own contents.
TEST(X11Capture, FindsTheCallWindowInsideAWindowManagersFrame) {
    PrivateXServer server;
    if (!server.ready())
        EMOTRACE_SKIP_UNLESS_REQUIRED("Xvfb (package xvfb) could not be started");
    auto* c = xcb_connect(server.display().c_str(), nullptr);
    ASSERT_FALSE(xcb_connection_has_error(c));
    const xcb_window_t frame = xcb_generate_id(c);
    auto* screen = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
    const std::uint32_t grey[] = {0x808080};
    xcb_create_window(c, XCB_COPY_FROM_PARENT, frame, screen->root, 200, 100, 340, 270, 0,
                      XCB_WINDOW_CLASS_INPUT_OUTPUT, screen->root_visual, XCB_CW_BACK_PIXEL, grey);
    xcb_map_window(c, frame);
    TestWindow call(c, "Therapy call - Clinic Video", 0xff0000, 10, 25, 320, 240, frame);

    const auto windows = listX11Windows(server.display());
    ASSERT_EQ(windows.size(), 1u);
    EXPECT_EQ(windows[0].id, call.id());
    EXPECT_EQ(windows[0].title, "Therapy call - Clinic Video");
    EXPECT_EQ(windows[0].x, 210) << "the frame's place plus the window's offset in it";
    EXPECT_EQ(windows[0].y, 125);
    auto source = openX11Window(windows[0], 30.0, server.display());
    std::stop_source stop;
    const auto first = source->next(stop.get_token());
    ASSERT_TRUE(first);
    EXPECT_EQ(first->image.size(), cv::Size(320, 240));
    EXPECT_EQ(pixel(*first, 0.5, 0.5), kRed) << "the call's contents, not the grey frame";
    xcb_disconnect(c);
}

// "Click the window": the pointer is grabbed until a click, and the window clicked (inside its
// frame) is the one picked; a right click cancels. The clicks come from xdotool through the
// XTEST extension, as a mouse's would.
TEST(X11Capture, PicksTheWindowClickedAndARightClickCancels) {
    PrivateXServer server;
    if (!server.ready())
        EMOTRACE_SKIP_UNLESS_REQUIRED("Xvfb (package xvfb) could not be started");
    if (std::system("command -v xdotool > /dev/null 2>&1") != 0)
        EMOTRACE_SKIP_UNLESS_REQUIRED("xdotool (package xdotool) is not installed");
    auto* c = xcb_connect(server.display().c_str(), nullptr);
    ASSERT_FALSE(xcb_connection_has_error(c));
    auto* screen = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
    const xcb_window_t frame = xcb_generate_id(c);
    const std::uint32_t grey[] = {0x808080};
    xcb_create_window(c, XCB_COPY_FROM_PARENT, frame, screen->root, 600, 100, 340, 270, 0,
                      XCB_WINDOW_CLASS_INPUT_OUTPUT, screen->root_visual, XCB_CW_BACK_PIXEL, grey);
    xcb_map_window(c, frame);
    TestWindow call(c, "Therapy call - Clinic Video", 0xff0000, 10, 25, 320, 240, frame);
    TestWindow notes(c, "Session notes", 0x00ff00, 50, 50, 300, 300);

    const auto clickAt = [&](int x, int y, int button) {
        std::optional<X11Window> picked;
        std::stop_source stop;
        std::thread picker(
            [&] { picked = pickX11WindowByClick(stop.get_token(), server.display()); });
        std::this_thread::sleep_for(500ms);  // the grab is in place
        const auto command = "DISPLAY=" + server.display() + " xdotool mousemove " +
                             std::to_string(x) + " " + std::to_string(y) + " click " +
                             std::to_string(button);
        EXPECT_EQ(std::system(command.c_str()), 0) << command;
        for (int waited = 0; waited < 300 && !picked; ++waited)
            std::this_thread::sleep_for(10ms);
        stop.request_stop();
        picker.join();
        return picked;
    };
    const auto on_call = clickAt(750, 250, 1);
    ASSERT_TRUE(on_call) << "a click on the call's window";
    EXPECT_EQ(on_call->id, call.id());
    EXPECT_EQ(on_call->title, "Therapy call - Clinic Video");
    const auto on_notes = clickAt(100, 100, 1);
    ASSERT_TRUE(on_notes);
    EXPECT_EQ(on_notes->title, "Session notes");
    EXPECT_FALSE(clickAt(750, 250, 3)) << "a right click cancels";
    xcb_disconnect(c);
}

// The proof: a player window showing a shared clip (the test draws the frames at the
// clip's rate), picked by title; it is moved and then half covered mid-run, and the face is
// still found in at least 95 % of the frames read.
TEST(X11Capture, AClipPlayedInAWindowKeepsItsFaceWhileTheWindowMovesAndIsCovered) {
    const auto clip = test::sharedData("videos/liveportrait_d0.mp4");
    if (!clip)
        EMOTRACE_SKIP_WITHOUT_DATA("videos/liveportrait_d0.mp4");
    PrivateXServer server;
    if (!server.ready())
        EMOTRACE_SKIP_UNLESS_REQUIRED("Xvfb (package xvfb) could not be started");
    std::vector<cv::Mat> frames;
    {
        cv::VideoCapture capture(clip->string());
        for (cv::Mat frame; capture.read(frame);) {
            cv::Mat bgrx;
            cv::cvtColor(frame, bgrx, cv::COLOR_BGR2BGRA);
            frames.push_back(bgrx);
        }
    }
    ASSERT_FALSE(frames.empty());
    const int width = frames[0].cols;
    const int height = frames[0].rows;
    auto* c = xcb_connect(server.display().c_str(), nullptr);
    ASSERT_FALSE(xcb_connection_has_error(c));
    TestWindow player(c, "liveportrait_d0.mp4 - Player", 0x202020, 50, 50, width, height);

    // The player: a frame every 40 ms, in strips small enough for any request size.
    std::jthread playing([&](std::stop_token stop) {
        auto* pc = xcb_connect(server.display().c_str(), nullptr);
        const xcb_gcontext_t gc = xcb_generate_id(pc);
        xcb_create_gc(pc, gc, player.id(), 0, nullptr);
        const auto max_bytes =
            static_cast<std::size_t>(xcb_get_maximum_request_length(pc)) * 4 - 64;
        const int rows_per_strip =
            std::max(1, static_cast<int>(max_bytes / (static_cast<std::size_t>(width) * 4)));
        for (std::size_t i = 0; !stop.stop_requested(); i = (i + 1) % frames.size()) {
            const auto& frame = frames[i];
            for (int row = 0; row < height; row += rows_per_strip) {
                const int rows = std::min(rows_per_strip, height - row);
                xcb_put_image(pc, XCB_IMAGE_FORMAT_Z_PIXMAP, player.id(), gc,
                              static_cast<std::uint16_t>(width), static_cast<std::uint16_t>(rows),
                              0, static_cast<std::int16_t>(row), 0, 24,
                              static_cast<std::uint32_t>(rows * width * 4), frame.ptr(row));
            }
            xcb_flush(pc);
            std::this_thread::sleep_for(40ms);
        }
        xcb_free_gc(pc, gc);
        xcb_disconnect(pc);
    });

    auto source =
        openX11Window(findX11Window("d0.mp4 - player", server.display()), 25.0, server.display());
    auto detector = createFaceDetector({});
    std::stop_source stop;
    int read = 0;
    int with_face = 0;
    std::optional<TestWindow> cover;
    for (; read < 125; ++read) {
        if (read == 40)
            player.configure(600, 150, width, height);  // moved
        if (read == 80)                                 // half covered by another window
            cover.emplace(c, "Notes", 0x00ff00, 600, 150, width / 2, height);
        auto frame = source->next(stop.get_token());
        ASSERT_TRUE(frame);
        ASSERT_EQ(frame->image.size(), cv::Size(width, height));
        with_face += detector->detect(frame->image).empty() ? 0 : 1;
    }
    playing.request_stop();
    playing.join();
    EXPECT_GE(with_face, read * 95 / 100) << with_face << " of " << read << " frames had a face";
    xcb_disconnect(c);
}

// A screen region is read from the screen as shown (here: the call window where it lies), on the
// capture thread; one outside the screen is refused with the screen's size.
TEST(X11Capture, AScreenRegionIsReadAndOneOutsideTheScreenIsRefusedWithItsSize) {
    PrivateXServer server;
    if (!server.ready())
        EMOTRACE_SKIP_UNLESS_REQUIRED("Xvfb (package xvfb) could not be started");
    auto* c = xcb_connect(server.display().c_str(), nullptr);
    ASSERT_FALSE(xcb_connection_has_error(c));
    TestWindow call(c, "Call", 0xff0000, 100, 80, 320, 240);
    auto source = openX11Region(120, 100, 200, 150, 30.0, server.display());
    EXPECT_EQ(source->info().width, 200);
    std::stop_source stop;
    const auto frame = source->next(stop.get_token());
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->image.size(), cv::Size(200, 150));
    EXPECT_EQ(pixel(*frame, 0.5, 0.5), kRed);
    const auto whole = openX11Region(0, 0, 0, 0, 30.0, server.display());
    EXPECT_EQ(whole->info().width, 1280);
    try {
        openX11Region(1200, 0, 200, 100, 30.0, server.display());
        FAIL() << "a region past the right edge was accepted";
    } catch (const SourceError& e) {
        EXPECT_NE(std::string(e.what()).find("1280x720"), std::string::npos) << e.what();
    }
    xcb_disconnect(c);
}

TEST(X11Capture, NoDisplayIsSaidWithWhatToDo) {
    try {
        listX11Windows(":999");
        FAIL() << "display :999 should not exist";
    } catch (const SourceError& e) {
        EXPECT_NE(std::string(e.what()).find("cannot open the X display ':999'"), std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace emotrace
