// The paper's detector: OpenCV's frontal-face Haar cascade.
//
// Score: every face the cascade accepts gets 1.0. A cascade has no calibrated confidence; its
// level weights are unbounded sums whose scale differs between cascades and image sizes, so any
// mapping to [0,1] would look like a probability without being one. The filter that matters is
// the neighbour count (kMinNeighbors). Faces are ordered largest first, since in a video call
// the nearest face is the one being analysed.
#include <algorithm>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "detection_input.h"
#include "detectors.h"
#include "emotrace/error.h"

namespace emotrace::detail {

namespace {

constexpr double kScaleFactor = 1.1;
constexpr int kMinNeighbors = 5;

class HaarDetector : public FaceDetector {
  public:
    // Loads the cascade in place: CascadeClassifier copies share their model, and instances
    // must not share state.
    explicit HaarDetector(const DetectorOptions& options)
        : max_input_side_(options.max_input_side) {
        bool loaded = false;
        try {
            loaded = cascade_.load(options.model_path.string());
        } catch (const cv::Exception& error) {
            throw DetectorError("could not load the Haar cascade " + options.model_path.string() +
                                ": " + error.what());
        }
        if (!loaded || cascade_.empty()) {
            throw DetectorError(
                "could not load the Haar cascade " + options.model_path.string() +
                " (expected an OpenCV cascade XML such as "
                "haarcascade_frontalface_default.xml from the opencv-data package)");
        }
    }

    std::vector<Detection> detect(const cv::Mat& bgr) override {
        requireBgrFrame(bgr, name());
        const DetectionInput input = downscaleForDetection(bgr, max_input_side_);
        cv::Mat grey;
        cv::cvtColor(input.image, grey, cv::COLOR_BGR2GRAY);
        // As in OpenCV's own cascade sample: equalising helps in dim, low-contrast frames.
        cv::equalizeHist(grey, grey);
        std::vector<cv::Rect> faces;
        cascade_.detectMultiScale(grey, faces, kScaleFactor, kMinNeighbors);
        std::sort(faces.begin(), faces.end(),
                  [](const cv::Rect& a, const cv::Rect& b) { return a.area() > b.area(); });
        std::vector<Detection> found;
        for (const auto& face : faces)
            found.push_back({cv::Rect2f(face), 1.0f});
        return toFrameDetections(std::move(found), input.scale, bgr.size());
    }

    std::string name() const override { return toString(DetectorKind::Haar); }

  private:
    cv::CascadeClassifier cascade_;
    int max_input_side_;
};

}  // namespace

std::unique_ptr<FaceDetector> createHaarDetector(const DetectorOptions& options) {
    return std::make_unique<HaarDetector>(options);
}

}  // namespace emotrace::detail
