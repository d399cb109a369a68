// A screen-cast back end for the portal test, standing in for the desktop's own
// (xdg-desktop-portal-gnome, -kde, -wlr) where no GPU is: xdg-desktop-portal-wlr 0.7 cannot
// share a screen rendered without one (it insists on DMA-BUF buffers; upstream issue
// emersion/xdg-desktop-portal-wlr#289), and CI machines have none.
//
//   fake_screencast_backend PICTURE
//
// It owns org.freedesktop.impl.portal.desktop.emotracetest on the session bus and implements
// org.freedesktop.impl.portal.ScreenCast the way the real back ends do: the real
// xdg-desktop-portal in front of it does the request/response dance with the client and opens
// the client's PipeWire connection; Start grants "the user's choice" at once (only the human
// clicking Share is faked) and answers with the node of a PipeWire video stream that shows
// PICTURE at 30 frames a second, in shared-memory buffers. Stopping this program ends the
// sharing, as a user's "Stop sharing" does. SIGUSR1 pauses the stream, as a compositor does while
// the shared window is minimised; SIGUSR2 lets it run again.
#include <pipewire/pipewire.h>
#include <spa/param/video/format-utils.h>
#include <systemd/sd-bus.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace {

constexpr std::uint32_t kMonitor = 1;
constexpr std::uint32_t kCursorHidden = 1;

volatile std::sig_atomic_t stop_requested = 0;
volatile std::sig_atomic_t hide_requested = 0;  // SIGUSR1: 1, SIGUSR2: 0

struct Screen {
    cv::Mat bgrx;  // the picture shared, 4 bytes a pixel (B, G, R, x)
    pw_thread_loop* loop = nullptr;
    pw_stream* stream = nullptr;
    spa_hook listener{};
    spa_source* timer = nullptr;
    bool ready = false;  // the stream has its node id
    bool failed = false;
};

void onStateChanged(void* user, pw_stream_state, pw_stream_state state, const char* error) {
    auto* screen = static_cast<Screen*>(user);
    if (state == PW_STREAM_STATE_ERROR) {
        std::fprintf(stderr, "fake back end: stream error: %s\n", error ? error : "?");
        screen->failed = true;
    }
    if (state == PW_STREAM_STATE_PAUSED || state == PW_STREAM_STATE_STREAMING)
        screen->ready = true;
    // The stream drives itself: a frame every 33 ms while someone reads it.
    if (screen->timer) {
        timespec first{0, 1};
        timespec every{0, 33'333'333};
        const bool on = state == PW_STREAM_STATE_STREAMING;
        pw_loop_update_timer(pw_thread_loop_get_loop(screen->loop), screen->timer,
                             on ? &first : nullptr, on ? &every : nullptr, false);
    }
    pw_thread_loop_signal(screen->loop, false);
}

void onParamChanged(void* user, std::uint32_t id, const spa_pod* param) {
    auto* screen = static_cast<Screen*>(user);
    if (!param || id != SPA_PARAM_Format)
        return;
    const int stride = screen->bgrx.cols * 4;
    std::uint8_t buffer[256];
    spa_pod_builder builder{};
    spa_pod_builder_init(&builder, buffer, sizeof(buffer));
    const spa_pod* params[1];
    params[0] = static_cast<const spa_pod*>(spa_pod_builder_add_object(
        &builder, SPA_TYPE_OBJECT_ParamBuffers, SPA_PARAM_Buffers, SPA_PARAM_BUFFERS_buffers,
        SPA_POD_CHOICE_RANGE_Int(4, 2, 8), SPA_PARAM_BUFFERS_blocks, SPA_POD_Int(1),
        SPA_PARAM_BUFFERS_size, SPA_POD_Int(stride * screen->bgrx.rows), SPA_PARAM_BUFFERS_stride,
        SPA_POD_Int(stride), SPA_PARAM_BUFFERS_dataType,
        SPA_POD_CHOICE_FLAGS_Int(1 << SPA_DATA_MemFd)));  // shared with the reader's process
    pw_stream_update_params(screen->stream, params, 1);
}

void onProcess(void* user) {
    auto* screen = static_cast<Screen*>(user);
    pw_buffer* b = pw_stream_dequeue_buffer(screen->stream);
    if (!b)
        return;
    spa_data& data = b->buffer->datas[0];
    if (data.data) {
        const auto bytes = screen->bgrx.total() * screen->bgrx.elemSize();
        std::memcpy(data.data, screen->bgrx.data, std::min<std::size_t>(bytes, data.maxsize));
        data.chunk->offset = 0;
        data.chunk->stride = screen->bgrx.cols * 4;
        data.chunk->size = static_cast<std::uint32_t>(std::min<std::size_t>(bytes, data.maxsize));
        data.chunk->flags = 0;
    }
    pw_stream_queue_buffer(screen->stream, b);
}

void onTimer(void* user, std::uint64_t) {
    auto* screen = static_cast<Screen*>(user);
    pw_stream_trigger_process(screen->stream);
}

pw_stream_events streamEvents() {
    pw_stream_events events{};
    events.version = PW_VERSION_STREAM_EVENTS;
    events.state_changed = &onStateChanged;
    events.param_changed = &onParamChanged;
    events.process = &onProcess;
    return events;
}
const pw_stream_events kStreamEvents = streamEvents();

// Starts the stream (once) and returns its node id; 0 when it cannot.
std::uint32_t startStream(Screen& screen) {
    pw_thread_loop_lock(screen.loop);
    if (!screen.stream) {
        screen.stream = pw_stream_new_simple(
            pw_thread_loop_get_loop(screen.loop), "emotrace-test-screen",
            pw_properties_new(PW_KEY_MEDIA_CLASS, "Video/Source", PW_KEY_MEDIA_TYPE, "Video",
                              PW_KEY_MEDIA_CATEGORY, "Source", nullptr),
            &kStreamEvents, &screen);
        screen.timer = pw_loop_add_timer(pw_thread_loop_get_loop(screen.loop), &onTimer, &screen);
        std::uint8_t buffer[512];
        spa_pod_builder builder{};
        spa_pod_builder_init(&builder, buffer, sizeof(buffer));
        spa_rectangle size{static_cast<std::uint32_t>(screen.bgrx.cols),
                           static_cast<std::uint32_t>(screen.bgrx.rows)};
        spa_fraction rate{30, 1};
        const spa_pod* params[1];
        params[0] = static_cast<const spa_pod*>(spa_pod_builder_add_object(
            &builder, SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat, SPA_FORMAT_mediaType,
            SPA_POD_Id(SPA_MEDIA_TYPE_video), SPA_FORMAT_mediaSubtype,
            SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw), SPA_FORMAT_VIDEO_format,
            SPA_POD_Id(SPA_VIDEO_FORMAT_BGRx), SPA_FORMAT_VIDEO_size, SPA_POD_Rectangle(&size),
            SPA_FORMAT_VIDEO_framerate, SPA_POD_Fraction(&rate)));
        pw_stream_connect(
            screen.stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
            static_cast<pw_stream_flags>(PW_STREAM_FLAG_DRIVER | PW_STREAM_FLAG_MAP_BUFFERS),
            params, 1);
    }
    for (int waited = 0; !screen.ready && !screen.failed && waited < 50; ++waited)
        pw_thread_loop_timed_wait(screen.loop, 1);
    const auto node = screen.ready ? pw_stream_get_node_id(screen.stream) : 0;
    pw_thread_loop_unlock(screen.loop);
    return node == SPA_ID_INVALID ? 0 : node;
}

int replyEmpty(sd_bus_message* call, std::uint32_t response) {
    return sd_bus_reply_method_return(call, "ua{sv}", response, 0);
}

int onSessionClose(sd_bus_message* call, void*, sd_bus_error*) {
    return sd_bus_reply_method_return(call, "");
}

const sd_bus_vtable kSessionVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("Close", "", "", onSessionClose, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

int onCreateSession(sd_bus_message* call, void*, sd_bus_error*) {
    const char* request = nullptr;
    const char* session = nullptr;
    if (sd_bus_message_read(call, "oo", &request, &session) < 0)
        return -EINVAL;
    // The front end closes the session through this object.
    sd_bus_add_object_vtable(sd_bus_message_get_bus(call), nullptr, session,
                             "org.freedesktop.impl.portal.Session", kSessionVtable, nullptr);
    return replyEmpty(call, 0);
}

int onSelectSources(sd_bus_message* call, void*, sd_bus_error*) {
    return replyEmpty(call, 0);
}

int onStart(sd_bus_message* call, void* user, sd_bus_error*) {
    auto& screen = *static_cast<Screen*>(user);
    const auto node = startStream(screen);
    if (node == 0)
        return replyEmpty(call, 2);
    sd_bus_message* reply = nullptr;
    sd_bus_message_new_method_return(call, &reply);
    sd_bus_message_append(reply, "u", 0u);
    sd_bus_message_open_container(reply, 'a', "{sv}");
    sd_bus_message_open_container(reply, 'e', "sv");
    sd_bus_message_append(reply, "s", "streams");
    sd_bus_message_open_container(reply, 'v', "a(ua{sv})");
    sd_bus_message_open_container(reply, 'a', "(ua{sv})");
    sd_bus_message_open_container(reply, 'r', "ua{sv}");
    sd_bus_message_append(reply, "u", node);
    sd_bus_message_append(reply, "a{sv}", 2, "size", "(ii)", screen.bgrx.cols, screen.bgrx.rows,
                          "source_type", "u", kMonitor);
    sd_bus_message_close_container(reply);
    sd_bus_message_close_container(reply);
    sd_bus_message_close_container(reply);
    sd_bus_message_close_container(reply);
    sd_bus_message_close_container(reply);
    const int r = sd_bus_send(nullptr, reply, nullptr);
    sd_bus_message_unref(reply);
    return r;
}

int onProperty(sd_bus*, const char*, const char*, const char* property, sd_bus_message* reply,
               void*, sd_bus_error*) {
    const std::string name = property;
    const std::uint32_t value = name == "AvailableSourceTypes"   ? kMonitor
                                : name == "AvailableCursorModes" ? kCursorHidden
                                                                 : 4u;  // version
    return sd_bus_message_append(reply, "u", value);
}

const sd_bus_vtable kScreenCastVtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("CreateSession", "oosa{sv}", "ua{sv}", onCreateSession,
                  SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("SelectSources", "oosa{sv}", "ua{sv}", onSelectSources,
                  SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("Start", "oossa{sv}", "ua{sv}", onStart, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_PROPERTY("AvailableSourceTypes", "u", onProperty, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("AvailableCursorModes", "u", onProperty, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("version", "u", onProperty, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_VTABLE_END,
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s PICTURE\n", argv[0]);
        return 2;
    }
    Screen screen;
    const auto picture = cv::imread(argv[1]);
    if (picture.empty()) {
        std::fprintf(stderr, "fake back end: cannot read %s\n", argv[1]);
        return 1;
    }
    cv::cvtColor(picture, screen.bgrx, cv::COLOR_BGR2BGRA);
    std::signal(SIGTERM, [](int) { stop_requested = 1; });
    std::signal(SIGINT, [](int) { stop_requested = 1; });
    std::signal(SIGUSR1, [](int) { hide_requested = 1; });
    std::signal(SIGUSR2, [](int) { hide_requested = 0; });

    pw_init(&argc, &argv);
    screen.loop = pw_thread_loop_new("fake-screen", nullptr);
    pw_thread_loop_start(screen.loop);

    sd_bus* bus = nullptr;
    if (sd_bus_open_user(&bus) < 0) {
        std::fprintf(stderr, "fake back end: no session bus\n");
        return 1;
    }
    sd_bus_add_object_vtable(bus, nullptr, "/org/freedesktop/portal/desktop",
                             "org.freedesktop.impl.portal.ScreenCast", kScreenCastVtable, &screen);
    if (sd_bus_request_name(bus, "org.freedesktop.impl.portal.desktop.emotracetest", 0) < 0) {
        std::fprintf(stderr, "fake back end: cannot own its bus name\n");
        return 1;
    }
    bool hidden = false;
    while (!stop_requested) {
        const int r = sd_bus_process(bus, nullptr);
        if (r < 0)
            break;
        if (r == 0)
            sd_bus_wait(bus, 100'000);  // a signal ends the wait early
        const bool hide = hide_requested != 0;
        if (hide != hidden && screen.stream) {
            hidden = hide;
            pw_thread_loop_lock(screen.loop);
            pw_stream_set_active(screen.stream, !hidden);
            pw_thread_loop_unlock(screen.loop);
            std::fprintf(stderr, "fake back end: stream %s\n", hidden ? "paused" : "running");
        }
    }
    pw_thread_loop_stop(screen.loop);
    if (screen.stream)
        pw_stream_destroy(screen.stream);
    pw_thread_loop_destroy(screen.loop);
    sd_bus_flush_close_unref(bus);
    return 0;
}
