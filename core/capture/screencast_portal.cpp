#include "emotrace/screencast_portal.h"

#include <fcntl.h>
#include <unistd.h>

#include <pipewire/pipewire.h>
#include <spa/param/video/format-utils.h>
#include <systemd/sd-bus.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <type_traits>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "emotrace/error.h"

namespace emotrace {

namespace {

constexpr const char* kPortalService = "org.freedesktop.portal.Desktop";
constexpr const char* kPortalPath = "/org/freedesktop/portal/desktop";
constexpr const char* kScreenCast = "org.freedesktop.portal.ScreenCast";
constexpr const char* kInstallHint =
    "install xdg-desktop-portal and the back end of your desktop (xdg-desktop-portal-gnome, "
    "-kde or -wlr) and PipeWire, then log in again";

// Portal bit masks (org.freedesktop.portal.ScreenCast).
constexpr std::uint32_t kSourceMonitor = 1;
constexpr std::uint32_t kSourceWindow = 2;
constexpr std::uint32_t kCursorHidden = 1;

std::string busErrorText(const sd_bus_error& error, int code) {
    if (error.message)
        return error.message;
    if (error.name)
        return error.name;
    return std::string(std::strerror(-code));
}

struct BusError {
    sd_bus_error value = SD_BUS_ERROR_NULL;
    BusError() = default;
    ~BusError() { sd_bus_error_free(&value); }
    BusError(const BusError&) = delete;
    BusError& operator=(const BusError&) = delete;
};

struct Message {
    sd_bus_message* value = nullptr;
    Message() = default;
    ~Message() { sd_bus_message_unref(value); }
    Message(const Message&) = delete;
    Message& operator=(const Message&) = delete;
};

void check(int result, const char* what) {
    if (result < 0)
        throw SourceError(std::string("screen cast: ") + what + ": " + std::strerror(-result));
}

// The user's session bus, closed when it goes. Throws SourceError naming what is missing.
class SessionBus {
  public:
    SessionBus() {
        const int result = sd_bus_open_user(&bus_);
        if (result < 0) {
            const char* address = std::getenv("DBUS_SESSION_BUS_ADDRESS");
            throw SourceError(
                std::string("screen cast: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is ") +
                (address ? std::string("'") + address + "'" : std::string("not set")) + ": " +
                std::strerror(-result) + "); the desktop portal is reached over it");
        }
    }
    ~SessionBus() { sd_bus_flush_close_unref(bus_); }
    SessionBus(const SessionBus&) = delete;
    SessionBus& operator=(const SessionBus&) = delete;
    sd_bus* get() const { return bus_; }

  private:
    sd_bus* bus_ = nullptr;
};

// Why the portal cannot be used on this bus, or "" when its ScreenCast interface answers.
std::string portalMissingBecause(sd_bus* bus, std::uint32_t* source_types) {
    BusError error;
    std::uint32_t types = 0;
    const int result =
        sd_bus_get_property_trivial(bus, kPortalService, kPortalPath, kScreenCast,
                                    "AvailableSourceTypes", &error.value, 'u', &types);
    if (result < 0) {
        return "the desktop's screen-cast portal does not answer (" +
               busErrorText(error.value, result) + "): " + kInstallHint;
    }
    if (source_types)
        *source_types = types;
    return {};
}

// A random token for the portal's request and session object paths.
std::string newToken() {
    std::random_device device;
    return "emotrace" + std::to_string(device() % 1000000000u);
}

// The results of one portal request (its Response signal).
struct Response {
    std::uint32_t code = 2;  // 0 granted, 1 cancelled by the user, 2 ended otherwise
    std::string session_handle;
    std::uint32_t node_id = 0;
    int width = 0;
    int height = 0;
    bool has_stream = false;
};

int readVardict(sd_bus_message* message, Response& response) {
    int r = sd_bus_message_enter_container(message, 'a', "{sv}");
    if (r < 0)
        return r;
    while ((r = sd_bus_message_enter_container(message, 'e', "sv")) > 0) {
        const char* key = nullptr;
        if ((r = sd_bus_message_read(message, "s", &key)) < 0)
            return r;
        const std::string name = key;
        if (name == "session_handle") {
            const char* handle = nullptr;
            if ((r = sd_bus_message_read(message, "v", "s", &handle)) < 0)
                return r;
            response.session_handle = handle;
        } else if (name == "streams") {
            if ((r = sd_bus_message_enter_container(message, 'v', "a(ua{sv})")) < 0 ||
                (r = sd_bus_message_enter_container(message, 'a', "(ua{sv})")) < 0)
                return r;
            // The first stream is the one the user picked (one, as "multiple" is false).
            while ((r = sd_bus_message_enter_container(message, 'r', "ua{sv}")) > 0) {
                std::uint32_t node = 0;
                if ((r = sd_bus_message_read(message, "u", &node)) < 0)
                    return r;
                if ((r = sd_bus_message_enter_container(message, 'a', "{sv}")) < 0)
                    return r;
                while ((r = sd_bus_message_enter_container(message, 'e', "sv")) > 0) {
                    const char* property = nullptr;
                    if ((r = sd_bus_message_read(message, "s", &property)) < 0)
                        return r;
                    int w = 0;
                    int h = 0;
                    if (std::string(property) == "size" &&
                        sd_bus_message_read(message, "v", "(ii)", &w, &h) >= 0) {
                        if (!response.has_stream) {
                            response.width = w;
                            response.height = h;
                        }
                    } else if ((r = sd_bus_message_skip(message, "v")) < 0) {
                        return r;
                    }
                    if ((r = sd_bus_message_exit_container(message)) < 0)
                        return r;
                }
                if ((r = sd_bus_message_exit_container(message)) < 0 ||
                    (r = sd_bus_message_exit_container(message)) < 0)
                    return r;
                if (!response.has_stream) {
                    response.node_id = node;
                    response.has_stream = true;
                }
            }
            if ((r = sd_bus_message_exit_container(message)) < 0 ||
                (r = sd_bus_message_exit_container(message)) < 0)
                return r;
        } else if ((r = sd_bus_message_skip(message, "v")) < 0) {
            return r;
        }
        if ((r = sd_bus_message_exit_container(message)) < 0)
            return r;
    }
    if (r < 0)
        return r;
    return sd_bus_message_exit_container(message);
}

// The portal session: CreateSession, SelectSources, Start (the user's dialog), then the PipeWire
// connection. The session stays open, with the desktop's "sharing" indicator, until this goes.
class PortalSession {
  public:
    PortalSession() {
        const char* unique = nullptr;
        check(sd_bus_get_unique_name(bus_.get(), &unique), "asking the bus for our name");
        // The portal's request paths name the caller: ":1.42" becomes "1_42".
        sender_ = unique[0] == ':' ? unique + 1 : unique;
        for (auto& c : sender_) {
            if (c == '.')
                c = '_';
        }
        if (const auto missing = portalMissingBecause(bus_.get(), &available_types_);
            !missing.empty()) {
            throw SourceError("screen cast: " + missing);
        }
    }

    ~PortalSession() {
        if (!session_handle_.empty()) {
            // Not waited for: a back end still busy with its dialog would hold us for the
            // bus's 25 s call timeout; the bus is flushed when it closes.
            sd_bus_call_method_async(bus_.get(), nullptr, kPortalService, session_handle_.c_str(),
                                     "org.freedesktop.portal.Session", "Close", nullptr, nullptr,
                                     "");
        }
        sd_bus_slot_unref(closed_slot_);
    }
    PortalSession(const PortalSession&) = delete;
    PortalSession& operator=(const PortalSession&) = delete;

    // Runs the handshake; false when stop was requested meanwhile.
    bool start(std::stop_token stop, const ScreenCastOptions& options) {
        auto created = request(stop, "CreateSession", [&](sd_bus_message* m, const std::string&) {
            return sd_bus_message_append(m, "{sv}", "session_handle_token", "s",
                                         newToken().c_str());
        });
        if (!created)
            return false;
        expectGranted(*created, "creating the screen-cast session");
        session_handle_ = created->session_handle;
        if (session_handle_.empty())
            throw SourceError("screen cast: the portal gave no session handle");
        check(sd_bus_match_signal(bus_.get(), &closed_slot_, kPortalService,
                                  session_handle_.c_str(), "org.freedesktop.portal.Session",
                                  "Closed", &PortalSession::onClosed, this),
              "watching the session");

        std::uint32_t types = 0;
        if (options.offer_monitors)
            types |= kSourceMonitor;
        if (options.offer_windows)
            types |= kSourceWindow;
        types &= available_types_;
        if (types == 0) {
            throw SourceError(
                "screen cast: the desktop offers none of the sources asked for (it "
                "offers " +
                describeTypes(available_types_) + ")");
        }
        auto selected = request(stop, "SelectSources", [&](sd_bus_message* m, const std::string&) {
            int r = sd_bus_message_append(m, "{sv}", "types", "u", types);
            if (r >= 0)
                r = sd_bus_message_append(m, "{sv}", "multiple", "b", 0);
            if (r >= 0 && cursorModes() & kCursorHidden)
                r = sd_bus_message_append(m, "{sv}", "cursor_mode", "u", kCursorHidden);
            return r;
        });
        if (!selected)
            return false;
        expectGranted(*selected, "choosing what to share");

        auto started = request(stop, "Start", nullptr);
        if (!started)
            return false;
        expectGranted(*started, "starting the screen cast");
        if (!started->has_stream)
            throw SourceError("screen cast: the desktop granted sharing but sent no stream");
        node_id_ = started->node_id;
        width_ = started->width;
        height_ = started->height;

        BusError error;
        Message reply;
        const int r = sd_bus_call_method(bus_.get(), kPortalService, kPortalPath, kScreenCast,
                                         "OpenPipeWireRemote", &error.value, &reply.value, "oa{sv}",
                                         session_handle_.c_str(), 0);
        if (r < 0) {
            throw SourceError("screen cast: the portal did not open PipeWire (" +
                              busErrorText(error.value, r) + ")");
        }
        int fd = -1;
        check(sd_bus_message_read(reply.value, "h", &fd), "reading PipeWire's connection");
        pipewire_fd_ = fcntl(fd, F_DUPFD_CLOEXEC, 3);  // the message owns its own copy
        if (pipewire_fd_ < 0)
            throw SourceError("screen cast: cannot keep PipeWire's connection open");
        return true;
    }

    // Handles what the bus has for us (the session's Closed signal); true once the desktop has
    // ended the session.
    bool closedByDesktop() {
        while (sd_bus_process(bus_.get(), nullptr) > 0) {
        }
        return closed_;
    }

    int takePipeWireFd() { return std::exchange(pipewire_fd_, -1); }
    std::uint32_t nodeId() const { return node_id_; }
    int width() const { return width_; }
    int height() const { return height_; }

  private:
    template <typename AppendOptions>
    std::optional<Response> request(std::stop_token stop, const char* method,
                                    AppendOptions append_options) {
        const auto token = newToken();
        const auto path = "/org/freedesktop/portal/desktop/request/" + sender_ + "/" + token;
        Response response;
        bool answered = false;
        struct Waiter {
            Response* response;
            bool* answered;
        } waiter{&response, &answered};
        sd_bus_slot* slot = nullptr;
        // Subscribed before the call, so an answer that comes at once is not missed.
        check(sd_bus_match_signal(
                  bus_.get(), &slot, kPortalService, path.c_str(), "org.freedesktop.portal.Request",
                  "Response",
                  [](sd_bus_message* m, void* user, sd_bus_error*) -> int {
                      auto* w = static_cast<Waiter*>(user);
                      if (sd_bus_message_read(m, "u", &w->response->code) >= 0)
                          readVardict(m, *w->response);
                      *w->answered = true;
                      return 0;
                  },
                  &waiter),
              "watching the portal's answer");
        struct SlotGuard {
            sd_bus_slot* slot;
            ~SlotGuard() { sd_bus_slot_unref(slot); }
        } guard{slot};

        Message call;
        check(sd_bus_message_new_method_call(bus_.get(), &call.value, kPortalService, kPortalPath,
                                             kScreenCast, method),
              "building a portal call");
        if (std::string(method) != "CreateSession")
            check(sd_bus_message_append(call.value, "o", session_handle_.c_str()), method);
        if (std::string(method) == "Start")
            check(sd_bus_message_append(call.value, "s", ""), method);  // no parent window
        check(sd_bus_message_open_container(call.value, 'a', "{sv}"), method);
        check(sd_bus_message_append(call.value, "{sv}", "handle_token", "s", token.c_str()),
              method);
        if constexpr (!std::is_same_v<AppendOptions, std::nullptr_t>)
            check(append_options(call.value, token), method);
        check(sd_bus_message_close_container(call.value), method);

        BusError error;
        Message reply;
        const int r = sd_bus_call(bus_.get(), call.value, 0, &error.value, &reply.value);
        if (r < 0) {
            throw SourceError(std::string("screen cast: the portal refused ") + method + " (" +
                              busErrorText(error.value, r) + ")");
        }
        // The user may take their time with the dialog; stop ends the wait.
        while (!answered) {
            if (stop.stop_requested())
                return std::nullopt;
            const int processed = sd_bus_process(bus_.get(), nullptr);
            if (processed < 0) {
                throw SourceError(std::string("screen cast: lost the session bus waiting for ") +
                                  method + ": " + std::strerror(-processed));
            }
            if (processed == 0)
                sd_bus_wait(bus_.get(), 100'000);
        }
        return response;
    }

    static void expectGranted(const Response& response, const std::string& step) {
        if (response.code == 0)
            return;
        if (response.code == 1) {
            throw SourceError("screen sharing was refused in the desktop's dialog (" + step +
                              "): nothing is read; start again and choose the call's window");
        }
        throw SourceError("screen cast: the desktop ended the request while " + step +
                          " (portal answer " + std::to_string(response.code) +
                          "); is a screen-cast back end for this desktop installed?");
    }

    std::uint32_t cursorModes() {
        BusError error;
        std::uint32_t modes = 0;
        sd_bus_get_property_trivial(bus_.get(), kPortalService, kPortalPath, kScreenCast,
                                    "AvailableCursorModes", &error.value, 'u', &modes);
        return modes;
    }

    static std::string describeTypes(std::uint32_t types) {
        std::string text;
        if (types & kSourceMonitor)
            text += "screens";
        if (types & kSourceWindow)
            text += text.empty() ? "windows" : " and windows";
        return text.empty() ? "nothing" : text;
    }

    static int onClosed(sd_bus_message*, void* user, sd_bus_error*) {
        static_cast<PortalSession*>(user)->closed_ = true;
        return 0;
    }

    SessionBus bus_;
    std::string sender_;
    std::uint32_t available_types_ = 0;
    std::string session_handle_;
    sd_bus_slot* closed_slot_ = nullptr;
    bool closed_ = false;
    std::uint32_t node_id_ = 0;
    int width_ = 0;
    int height_ = 0;
    int pipewire_fd_ = -1;
};

// What the PipeWire thread hands to the capture thread: the newest picture wins.
struct LatestPicture {
    std::mutex mutex;
    std::condition_variable_any changed;
    cv::Mat image;  // BGR
    std::chrono::steady_clock::time_point arrived_at;
    std::uint64_t serial = 0;  // counts pictures, so a waiter knows a new one came
    bool paused = false;       // the stream pauses while the shared window is hidden
    std::string ended;         // why the stream ended; empty while it runs
};

void initialisePipeWireOnce() {
    static std::once_flag once;
    std::call_once(once, [] { pw_init(nullptr, nullptr); });
}

// The PipeWire stream of the portal's node, read on PipeWire's own thread.
class PipeWireStream {
  public:
    PipeWireStream(int fd, std::uint32_t node_id, double fps, LatestPicture& latest)
        : latest_(latest) {
        initialisePipeWireOnce();
        loop_ = pw_thread_loop_new("emotrace-cast", nullptr);
        if (!loop_) {
            ::close(fd);
            throw SourceError("screen cast: cannot start PipeWire's thread");
        }
        context_ = pw_context_new(pw_thread_loop_get_loop(loop_), nullptr, 0);
        if (!context_) {
            ::close(fd);
            pw_thread_loop_destroy(loop_);
            throw SourceError("screen cast: cannot create a PipeWire context");
        }
        if (pw_thread_loop_start(loop_) < 0) {
            ::close(fd);
            destroy();
            throw SourceError("screen cast: cannot start PipeWire's thread");
        }
        pw_thread_loop_lock(loop_);
        // PipeWire owns the fd from here, also when connecting fails.
        core_ = pw_context_connect_fd(context_, fd, nullptr, 0);
        if (!core_) {
            pw_thread_loop_unlock(loop_);
            destroy();
            throw SourceError(std::string("screen cast: cannot connect to PipeWire: ") +
                              std::strerror(errno));
        }
        stream_ = pw_stream_new(core_, "emotrace",
                                pw_properties_new(PW_KEY_MEDIA_TYPE, "Video", PW_KEY_MEDIA_CATEGORY,
                                                  "Capture", PW_KEY_MEDIA_ROLE, "Screen", nullptr));
        if (!stream_) {
            pw_thread_loop_unlock(loop_);
            destroy();
            throw SourceError("screen cast: cannot create a PipeWire stream");
        }
        // The shared node's removal is how the end of the sharing shows on PipeWire's side
        // (the window closed, the user stopped sharing, the desktop's back end went away): the
        // stream itself then merely pauses.
        registry_ = pw_core_get_registry(core_, PW_VERSION_REGISTRY, 0);
        if (registry_) {
            registry_events_.version = PW_VERSION_REGISTRY_EVENTS;
            registry_events_.global_remove = &PipeWireStream::onGlobalRemoved;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"  // inside PipeWire's C macro
            pw_registry_add_listener(registry_, &registry_listener_, &registry_events_, this);
#pragma GCC diagnostic pop
        }
        node_id_ = node_id;
        events_.version = PW_VERSION_STREAM_EVENTS;
        events_.state_changed = &PipeWireStream::onStateChanged;
        events_.param_changed = &PipeWireStream::onParamChanged;
        events_.process = &PipeWireStream::onProcess;
        pw_stream_add_listener(stream_, &listener_, &events_, this);

        std::uint8_t buffer[1024];
        spa_pod_builder builder{};
        spa_pod_builder_init(&builder, buffer, sizeof(buffer));
        spa_rectangle size_default{1280, 720};
        spa_rectangle size_min{1, 1};
        spa_rectangle size_max{16384, 16384};
        spa_fraction rate_default{static_cast<std::uint32_t>(fps + 0.5), 1};
        spa_fraction rate_min{0, 1};
        spa_fraction rate_max{240, 1};
        const spa_pod* params[1];
        params[0] = static_cast<const spa_pod*>(spa_pod_builder_add_object(
            &builder, SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat, SPA_FORMAT_mediaType,
            SPA_POD_Id(SPA_MEDIA_TYPE_video), SPA_FORMAT_mediaSubtype,
            SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw), SPA_FORMAT_VIDEO_format,
            SPA_POD_CHOICE_ENUM_Id(7, SPA_VIDEO_FORMAT_BGRx, SPA_VIDEO_FORMAT_BGRx,
                                   SPA_VIDEO_FORMAT_BGRA, SPA_VIDEO_FORMAT_RGBx,
                                   SPA_VIDEO_FORMAT_RGBA, SPA_VIDEO_FORMAT_xRGB,
                                   SPA_VIDEO_FORMAT_xBGR),
            SPA_FORMAT_VIDEO_size,
            SPA_POD_CHOICE_RANGE_Rectangle(&size_default, &size_min, &size_max),
            SPA_FORMAT_VIDEO_framerate,
            SPA_POD_CHOICE_RANGE_Fraction(&rate_default, &rate_min, &rate_max)));
        const int connected = pw_stream_connect(
            stream_, PW_DIRECTION_INPUT, node_id,
            static_cast<pw_stream_flags>(PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS),
            params, 1);
        pw_thread_loop_unlock(loop_);
        if (connected < 0) {
            destroy();
            throw SourceError("screen cast: cannot connect to the shared stream (node " +
                              std::to_string(node_id) + "): " + std::strerror(-connected));
        }
    }

    ~PipeWireStream() {
        destroy();
    }
    PipeWireStream(const PipeWireStream&) = delete;
    PipeWireStream& operator=(const PipeWireStream&) = delete;

  private:
    void destroy() {
        if (loop_)
            pw_thread_loop_stop(loop_);  // joins PipeWire's thread: no callback runs after this
        if (registry_) {
            spa_hook_remove(&registry_listener_);
            pw_proxy_destroy(reinterpret_cast<pw_proxy*>(registry_));
            registry_ = nullptr;
        }
        if (stream_) {
            spa_hook_remove(&listener_);
            pw_stream_destroy(stream_);
            stream_ = nullptr;
        }
        if (core_) {
            pw_core_disconnect(core_);
            core_ = nullptr;
        }
        if (context_) {
            pw_context_destroy(context_);
            context_ = nullptr;
        }
        if (loop_) {
            pw_thread_loop_destroy(loop_);
            loop_ = nullptr;
        }
    }

    void end(std::string why) {
        {
            std::lock_guard lock(latest_.mutex);
            if (latest_.ended.empty())
                latest_.ended = std::move(why);
        }
        latest_.changed.notify_all();
    }

    static void onGlobalRemoved(void* user, std::uint32_t id) {
        auto* self = static_cast<PipeWireStream*>(user);
        if (id == self->node_id_) {
            self->end(
                "screen cast: the shared window or screen went away (it was closed, or the "
                "sharing was stopped)");
        }
    }

    static void onStateChanged(void* user, pw_stream_state, pw_stream_state state,
                               const char* error) {
        auto* self = static_cast<PipeWireStream*>(user);
        if (state == PW_STREAM_STATE_ERROR) {
            self->end(std::string("screen cast: the shared stream failed: ") +
                      (error ? error : "unknown error"));
        } else if (state == PW_STREAM_STATE_UNCONNECTED) {
            self->end(
                "screen cast: the sharing was stopped (by the desktop, or from its "
                "sharing indicator)");
        } else {
            std::lock_guard lock(self->latest_.mutex);
            self->latest_.paused = state == PW_STREAM_STATE_PAUSED && self->latest_.serial > 0;
        }
    }

    static void onParamChanged(void* user, std::uint32_t id, const spa_pod* param) {
        auto* self = static_cast<PipeWireStream*>(user);
        if (!param || id != SPA_PARAM_Format)
            return;
        std::uint32_t media_type = 0;
        std::uint32_t media_subtype = 0;
        if (spa_format_parse(param, &media_type, &media_subtype) < 0 ||
            media_type != SPA_MEDIA_TYPE_video || media_subtype != SPA_MEDIA_SUBTYPE_raw)
            return;
        spa_video_info_raw raw{};
        if (spa_format_video_raw_parse(param, &raw) < 0)
            return;
        self->format_ = raw.format;
        self->width_ = static_cast<int>(raw.size.width);
        self->height_ = static_cast<int>(raw.size.height);
        // Buffers we can map: shared memory (not GPU buffers).
        std::uint8_t buffer[256];
        spa_pod_builder builder{};
        spa_pod_builder_init(&builder, buffer, sizeof(buffer));
        const spa_pod* params[1];
        params[0] = static_cast<const spa_pod*>(spa_pod_builder_add_object(
            &builder, SPA_TYPE_OBJECT_ParamBuffers, SPA_PARAM_Buffers, SPA_PARAM_BUFFERS_dataType,
            SPA_POD_CHOICE_FLAGS_Int((1 << SPA_DATA_MemPtr) | (1 << SPA_DATA_MemFd))));
        pw_stream_update_params(self->stream_, params, 1);
    }

    static void onProcess(void* user) {
        auto* self = static_cast<PipeWireStream*>(user);
        pw_buffer* newest = nullptr;
        // Only the newest buffer is worth reading; older ones go straight back.
        while (pw_buffer* b = pw_stream_dequeue_buffer(self->stream_)) {
            if (newest)
                pw_stream_queue_buffer(self->stream_, newest);
            newest = b;
        }
        if (!newest)
            return;
        const spa_data& data = newest->buffer->datas[0];
        cv::Mat bgr;
        if (data.data && data.chunk && data.chunk->size > 0 &&
            !(data.chunk->flags & SPA_CHUNK_FLAG_CORRUPTED) && self->width_ > 0 &&
            self->height_ > 0) {
            const auto stride = data.chunk->stride > 0
                                    ? static_cast<std::size_t>(data.chunk->stride)
                                    : static_cast<std::size_t>(self->width_) * 4;
            const cv::Mat picture(self->height_, self->width_, CV_8UC4,
                                  static_cast<std::uint8_t*>(data.data) + data.chunk->offset,
                                  stride);
            bgr = toBgr(picture, self->format_);
        }
        pw_stream_queue_buffer(self->stream_, newest);
        if (bgr.empty())
            return;
        {
            std::lock_guard lock(self->latest_.mutex);
            self->latest_.image = std::move(bgr);
            self->latest_.arrived_at = std::chrono::steady_clock::now();
            ++self->latest_.serial;
            self->latest_.paused = false;
        }
        self->latest_.changed.notify_all();
    }

    static cv::Mat toBgr(const cv::Mat& picture, std::uint32_t format) {
        cv::Mat bgr;
        switch (format) {
            case SPA_VIDEO_FORMAT_BGRx:
            case SPA_VIDEO_FORMAT_BGRA:
                cv::cvtColor(picture, bgr, cv::COLOR_BGRA2BGR);
                break;
            case SPA_VIDEO_FORMAT_RGBx:
            case SPA_VIDEO_FORMAT_RGBA:
                cv::cvtColor(picture, bgr, cv::COLOR_RGBA2BGR);
                break;
            case SPA_VIDEO_FORMAT_xRGB: {  // bytes x, R, G, B
                bgr.create(picture.size(), CV_8UC3);
                const int from_to[] = {3, 0, 2, 1, 1, 2};
                cv::mixChannels(&picture, 1, &bgr, 1, from_to, 3);
                break;
            }
            case SPA_VIDEO_FORMAT_xBGR: {  // bytes x, B, G, R
                bgr.create(picture.size(), CV_8UC3);
                const int from_to[] = {1, 0, 2, 1, 3, 2};
                cv::mixChannels(&picture, 1, &bgr, 1, from_to, 3);
                break;
            }
            default:
                break;  // not a format we asked for
        }
        return bgr;
    }

    LatestPicture& latest_;
    pw_thread_loop* loop_ = nullptr;
    pw_context* context_ = nullptr;
    pw_core* core_ = nullptr;
    pw_stream* stream_ = nullptr;
    spa_hook listener_{};
    pw_stream_events events_{};
    pw_registry* registry_ = nullptr;
    spa_hook registry_listener_{};
    pw_registry_events registry_events_{};
    std::uint32_t node_id_ = 0;
    std::uint32_t format_ = SPA_VIDEO_FORMAT_UNKNOWN;
    int width_ = 0;
    int height_ = 0;
};

class ScreenCastSource : public FrameSource {
  public:
    explicit ScreenCastSource(const ScreenCastOptions& options) : options_(options) {
        if (!(options.fps > 0.0))
            throw SourceError("screen cast: the frame rate must be positive");
        if (!options.offer_windows && !options.offer_monitors)
            throw SourceError("screen cast: offer windows, screens or both");
        setPaused(
            "waiting for you to choose the call's window or screen in the desktop's "
            "sharing dialog");
    }

    ~ScreenCastSource() override {
        stream_.reset();  // PipeWire's thread stops before the portal session closes
        portal_.reset();
    }

    std::optional<Frame> next(std::stop_token stop) override {
        if (!stream_ && !connect(stop))
            return std::nullopt;
        const auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(1.0 / options_.fps));
        std::unique_lock lock(latest_.mutex);
        for (;;) {
            // Wake at least every 200 ms to hear the portal say the session was closed.
            latest_.changed.wait_for(lock, stop, std::chrono::milliseconds(200), [&] {
                return !latest_.ended.empty() || (latest_.serial != delivered_serial_ &&
                                                  std::chrono::steady_clock::now() >= next_due_);
            });
            if (stop.stop_requested())
                return std::nullopt;
            if (!latest_.ended.empty())
                throw SourceError(latest_.ended);
            setPaused(latest_.paused ? "the shared window sends no picture (minimised or "
                                       "hidden); frames come back when it is shown"
                                     : "");
            if (latest_.serial != delivered_serial_ &&
                std::chrono::steady_clock::now() >= next_due_) {
                break;
            }
            lock.unlock();
            const bool closed = portal_->closedByDesktop();
            lock.lock();
            if (closed) {
                throw SourceError(
                    "screen cast: the desktop closed the sharing session (the "
                    "window was closed, or sharing was stopped)");
            }
        }
        delivered_serial_ = latest_.serial;
        Frame frame;
        frame.image = latest_.image;  // never written to again: the next picture is a new Mat
        frame.captured_at = latest_.arrived_at;
        lock.unlock();
        frame.index = index_++;
        frame.timestamp_ms =
            std::chrono::duration<double, std::milli>(frame.captured_at - started_).count();
        width_ = frame.image.cols;
        height_ = frame.image.rows;
        next_due_ = std::max(next_due_ + interval, frame.captured_at);
        return frame;
    }

    SourceInfo info() const override {
        SourceInfo info;
        info.description = "screen cast (desktop portal)";
        info.fps = options_.fps;
        info.width = width_.load();
        info.height = height_.load();
        return info;
    }

    std::string pausedBecause() const override {
        std::lock_guard lock(paused_mutex_);
        return paused_because_;
    }

  private:
    bool connect(std::stop_token stop) {
        portal_ = std::make_unique<PortalSession>();
        if (!portal_->start(stop, options_))
            return false;
        width_ = portal_->width();
        height_ = portal_->height();
        stream_ = std::make_unique<PipeWireStream>(portal_->takePipeWireFd(), portal_->nodeId(),
                                                   options_.fps, latest_);
        started_ = std::chrono::steady_clock::now();
        next_due_ = started_;
        setPaused("");
        return true;
    }

    void setPaused(std::string why) {
        std::lock_guard lock(paused_mutex_);
        paused_because_ = std::move(why);
    }

    ScreenCastOptions options_;
    std::unique_ptr<PortalSession> portal_;
    LatestPicture latest_;
    std::unique_ptr<PipeWireStream> stream_;  // after latest_: destroyed before it
    std::uint64_t delivered_serial_ = 0;
    std::int64_t index_ = 0;
    std::chrono::steady_clock::time_point started_;
    std::chrono::steady_clock::time_point next_due_;
    std::atomic<int> width_{0};
    std::atomic<int> height_{0};
    mutable std::mutex paused_mutex_;
    std::string paused_because_;
};

}  // namespace

std::string screenCastUnavailableBecause() {
    try {
        SessionBus bus;
        return portalMissingBecause(bus.get(), nullptr);
    } catch (const std::exception& error) {
        return error.what();
    }
}

std::unique_ptr<FrameSource> openScreenCastPortal(const ScreenCastOptions& options) {
    return std::make_unique<ScreenCastSource>(options);
}

}  // namespace emotrace
