// Frames from a camera through OpenCV's capture back ends (V4L2 on Linux).
#include <opencv2/videoio.hpp>

#include "emotrace/error.h"
#include "emotrace/frame_source.h"

namespace emotrace {

namespace {

class CameraSource : public FrameSource {
  public:
    explicit CameraSource(int index) : index_(index) {
        // V4L2 is how Linux exposes cameras; probing OpenCV's other back ends (GStreamer,
        // FireWire) only adds start-up time and their libraries' leaks.
        if (!capture_.open(index, cv::CAP_V4L2)) {
            throw SourceError(name() + " could not be opened (no /dev/video" +
                              std::to_string(index) + "?, or another program is using it)");
        }
        info_.description = name();
        const double fps = capture_.get(cv::CAP_PROP_FPS);
        info_.fps = fps > 0.0 ? fps : 0.0;
        info_.width = static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_WIDTH));
        info_.height = static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_HEIGHT));
        info_.frame_count = -1;
    }

    // A camera read cannot be interrupted, but it returns within one frame interval, so stop
    // is honoured within a frame.
    std::optional<Frame> next(std::stop_token stop) override {
        if (stop.stop_requested())
            return std::nullopt;
        Frame frame;
        if (!capture_.read(frame.image) || frame.image.empty()) {
            throw SourceError(name() + " stopped delivering frames after " +
                              std::to_string(next_index_) + " (unplugged?)");
        }
        frame.captured_at = SteadyClock::now();
        if (next_index_ == 0)
            first_capture_ = frame.captured_at;
        frame.index = next_index_++;
        frame.timestamp_ms =
            std::chrono::duration<double, std::milli>(frame.captured_at - first_capture_).count();
        if (stop.stop_requested())
            return std::nullopt;
        return frame;
    }

    SourceInfo info() const override { return info_; }

  private:
    std::string name() const { return "camera " + std::to_string(index_); }

    int index_;
    cv::VideoCapture capture_;
    SourceInfo info_;
    std::int64_t next_index_ = 0;
    SteadyClock::time_point first_capture_;
};

}  // namespace

std::unique_ptr<FrameSource> openCamera(int index) {
    return std::make_unique<CameraSource>(index);
}

}  // namespace emotrace
