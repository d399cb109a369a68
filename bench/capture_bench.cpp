#include "capture_bench.h"

#include <xcb/xcb.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "bench_common.h"
#include "emotrace/emotion_classifier.h"
#include "emotrace/error.h"
#include "emotrace/pipeline.h"
#include "emotrace/x11_capture.h"

namespace emotrace::bench {

namespace {

constexpr int kWidth = 1280;
constexpr int kHeight = 720;
constexpr int kTileWidth = kWidth / 4;
constexpr int kTileHeight = kHeight / 2;

// Eight clips in a 4x2 gallery, each tile letterboxed; as many frames as the shortest clip has.
std::vector<cv::Mat> galleryFrames(const std::filesystem::path& videos, int frames) {
    const char* clips[] = {"liveportrait_d0.mp4",  "liveportrait_d3.mp4",  "liveportrait_d9.mp4",
                           "liveportrait_d10.mp4", "liveportrait_d12.mp4", "liveportrait_d14.mp4",
                           "liveportrait_d18.mp4", "liveportrait_d19.mp4"};
    std::vector<cv::Mat> gallery(static_cast<std::size_t>(frames),
                                 cv::Mat(kHeight, kWidth, CV_8UC4, cv::Scalar(32, 32, 32, 0)));
    for (auto& frame : gallery)
        frame = frame.clone();
    for (int tile = 0; tile < 8; ++tile) {
        cv::VideoCapture capture((videos / clips[tile]).string());
        if (!capture.isOpened())
            throw Error("capture bench: cannot read " + (videos / clips[tile]).string());
        const cv::Rect cell((tile % 4) * kTileWidth, (tile / 4) * kTileHeight, kTileWidth,
                            kTileHeight);
        cv::Mat frame;
        for (int i = 0; i < frames; ++i) {
            if (!capture.read(frame)) {  // a short clip starts over
                capture.set(cv::CAP_PROP_POS_FRAMES, 0);
                if (!capture.read(frame))
                    break;
            }
            const double scale =
                std::min(double(kTileWidth) / frame.cols, double(kTileHeight) / frame.rows);
            cv::Mat scaled;
            cv::resize(frame, scaled, cv::Size(), scale, scale, cv::INTER_AREA);
            cv::Mat bgrx;
            cv::cvtColor(scaled, bgrx, cv::COLOR_BGR2BGRA);
            const cv::Rect inner(cell.x + (kTileWidth - bgrx.cols) / 2,
                                 cell.y + (kTileHeight - bgrx.rows) / 2, bgrx.cols, bgrx.rows);
            bgrx.copyTo(gallery[static_cast<std::size_t>(i)](inner));
        }
    }
    return gallery;
}

// A "call" window showing the gallery at 30 fps from a thread of its own, like a call client.
class GalleryPlayer {
  public:
    explicit GalleryPlayer(std::vector<cv::Mat> frames) : frames_(std::move(frames)) {
        c_ = xcb_connect(nullptr, nullptr);
        if (xcb_connection_has_error(c_)) {
            xcb_disconnect(c_);
            throw Error(
                "capture bench: no X display; run it under xvfb-run -a -s \"-screen 0 "
                "1920x1080x24\"");
        }
        auto* screen = xcb_setup_roots_iterator(xcb_get_setup(c_)).data;
        window_ = xcb_generate_id(c_);
        const std::uint32_t values[] = {0x202020};
        xcb_create_window(c_, XCB_COPY_FROM_PARENT, window_, screen->root, 40, 40, kWidth, kHeight,
                          0, XCB_WINDOW_CLASS_INPUT_OUTPUT, screen->root_visual, XCB_CW_BACK_PIXEL,
                          values);
        const std::string title = "emotrace capture bench - gallery call";
        xcb_change_property(c_, XCB_PROP_MODE_REPLACE, window_, XCB_ATOM_WM_NAME, XCB_ATOM_STRING,
                            8, static_cast<std::uint32_t>(title.size()), title.data());
        xcb_map_window(c_, window_);
        std::free(xcb_get_input_focus_reply(c_, xcb_get_input_focus(c_), nullptr));
        playing_ = std::jthread([this](std::stop_token stop) { play(stop); });
    }
    ~GalleryPlayer() {
        playing_.request_stop();
        playing_.join();
        xcb_destroy_window(c_, window_);
        xcb_disconnect(c_);
    }
    std::uint32_t window() const { return window_; }

  private:
    void play(std::stop_token stop) {
        auto* pc = xcb_connect(nullptr, nullptr);
        const xcb_gcontext_t gc = xcb_generate_id(pc);
        xcb_create_gc(pc, gc, window_, 0, nullptr);
        const auto max_bytes =
            static_cast<std::size_t>(xcb_get_maximum_request_length(pc)) * 4 - 64;
        const int rows_per_strip = std::max(1, static_cast<int>(max_bytes / (kWidth * 4)));
        auto due = std::chrono::steady_clock::now();
        for (std::size_t i = 0; !stop.stop_requested(); i = (i + 1) % frames_.size()) {
            const auto& frame = frames_[i];
            for (int row = 0; row < kHeight; row += rows_per_strip) {
                const int rows = std::min(rows_per_strip, kHeight - row);
                xcb_put_image(pc, XCB_IMAGE_FORMAT_Z_PIXMAP, window_, gc, kWidth,
                              static_cast<std::uint16_t>(rows), 0, static_cast<std::int16_t>(row),
                              0, 24, static_cast<std::uint32_t>(rows * kWidth * 4), frame.ptr(row));
            }
            xcb_flush(pc);
            due += std::chrono::milliseconds(33);
            std::this_thread::sleep_until(due);
        }
        xcb_free_gc(pc, gc);
        xcb_disconnect(pc);
    }

    std::vector<cv::Mat> frames_;
    xcb_connection_t* c_ = nullptr;
    xcb_window_t window_ = 0;
    std::jthread playing_;
};

struct CaptureFigures {
    double frames_per_second = 0.0;
    Summary grab_ms;  // the cost of one grab, taken as fast as possible
};

CaptureFigures measureCapture(const std::function<std::unique_ptr<FrameSource>(double)>& open,
                              double seconds) {
    CaptureFigures figures;
    std::stop_source stop;
    {  // at the call's rate
        auto source = open(30.0);
        const auto start = SteadyClock::now();
        int frames = 0;
        while (millisecondsBetween(start, SteadyClock::now()) < 1000.0 * seconds) {
            if (source->next(stop.get_token()))
                ++frames;
        }
        figures.frames_per_second =
            frames / (millisecondsBetween(start, SteadyClock::now()) / 1000.0);
    }
    {  // as fast as it goes: the cost of a grab
        auto source = open(1000.0);
        std::vector<double> grab_ms;
        source->next(stop.get_token());
        for (int i = 0; i < 200; ++i) {
            const auto started = SteadyClock::now();
            source->next(stop.get_token());
            grab_ms.push_back(millisecondsBetween(started, SteadyClock::now()));
        }
        figures.grab_ms = summarize(grab_ms);
    }
    return figures;
}

}  // namespace

std::string runCaptureBench(const CaptureBenchOptions& options) {
    std::cerr << "decoding the gallery\n";
    GalleryPlayer player(galleryFrames(options.videos, 150));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto window = findX11Window("capture bench - gallery call");

    std::cerr << "window capture\n";
    const auto by_window =
        measureCapture([&](double fps) { return openX11Window(window, fps); }, options.seconds);
    std::cerr << "region capture\n";
    const auto by_region = measureCapture(
        [&](double fps) { return openX11Region(window.x, window.y, kWidth, kHeight, fps); },
        options.seconds);

    std::cerr << "the pipeline on the gallery\n";
    setInferenceThreads(options.torch_threads);
    auto analyzer = std::make_unique<FrameAnalyzer>(createFaceDetector({}),
                                                    loadEmotionClassifier(options.model));
    std::mutex mutex;
    std::vector<double> latency_ms;
    std::vector<double> faces;
    std::int64_t dropped = 0;
    PipelineCallbacks callbacks;
    callbacks.on_result = [&](FrameResult result) {
        std::lock_guard lock(mutex);
        latency_ms.push_back(std::chrono::duration<double, std::milli>(result.latency).count());
        faces.push_back(static_cast<double>(result.faces.size()));
        dropped = result.dropped_frames;
    };
    const auto started = SteadyClock::now();
    double elapsed_s = 0.0;
    {
        Pipeline pipeline(openX11Window(window, 30.0), std::move(analyzer), callbacks);
        pipeline.start();
        std::this_thread::sleep_for(std::chrono::duration<double>(options.seconds * 1.5));
        pipeline.stop();
        elapsed_s = millisecondsBetween(started, SteadyClock::now()) / 1000.0;
    }
    std::lock_guard lock(mutex);
    const auto latency = summarize(latency_ms);
    const auto per_frame = summarize(faces);

    std::ostringstream md;
    md << "A 1280x720 window (the test's own, under the X server the bench runs in) shows a "
          "gallery of eight shared clips (4x2 tiles) at 30 fps, painted by a thread of its own "
          "as a call client would. Capture at the call's rate (30 fps), and the cost of one grab "
          "taken as fast as it goes (200 grabs).\n\n"
       << "| mode | frames per second at 30 fps | grab ms median | p95 | max |\n"
       << "|---|---:|---:|---:|---:|\n"
       << "| window (Composite) | " << fixed(by_window.frames_per_second, 1) << " | "
       << fixed(by_window.grab_ms.p50, 2) << " | " << fixed(by_window.grab_ms.p95, 2) << " | "
       << fixed(by_window.grab_ms.max, 2) << " |\n"
       << "| region of the screen | " << fixed(by_region.frames_per_second, 1) << " | "
       << fixed(by_region.grab_ms.p50, 2) << " | " << fixed(by_region.grab_ms.p95, 2) << " | "
       << fixed(by_region.grab_ms.max, 2) << " |\n\n"
       << "The live pipeline (YuNet 2023mar on every frame, the model on every face) reading "
          "that window for "
       << fixed(elapsed_s, 1) << " s: " << latency.count << " results, "
       << fixed(latency.count / elapsed_s, 1) << " a second; faces found per frame median "
       << fixed(per_frame.p50, 0) << " (of 8); capture-to-result latency median "
       << fixed(latency.p50, 1) << " ms, p95 " << fixed(latency.p95, 1) << " ms, max "
       << fixed(latency.max, 1) << " ms; " << dropped
       << " frames dropped by the latest-frame slot (the analysis was busy).\n";
    return md.str();
}

}  // namespace emotrace::bench
