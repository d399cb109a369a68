// YuNet 2022mar through OpenCV's own cv::FaceDetectorYN, which decodes this file's outputs.
#include <opencv2/objdetect.hpp>

#include "detection_input.h"
#include "detectors.h"
#include "emotrace/error.h"

namespace emotrace::detail {

namespace {

// Row layout of FaceDetectorYN's output: box (x, y, w, h), 5 landmarks (x, y), score.
constexpr int kScoreColumn = 14;

class YuNet2022Detector : public FaceDetector {
  public:
    explicit YuNet2022Detector(cv::Ptr<cv::FaceDetectorYN> detector, int max_input_side)
        : detector_(std::move(detector)), max_input_side_(max_input_side) {}

    std::vector<Detection> detect(const cv::Mat& bgr) override {
        requireBgrFrame(bgr, name());
        const DetectionInput input = downscaleForDetection(bgr, max_input_side_);
        // The detector's anchors depend on the input size; rebuilding them is only needed when
        // the size changes, which for a video is once.
        if (detector_->getInputSize() != input.image.size()) {
            detector_->setInputSize(input.image.size());
        }
        cv::Mat faces;
        detector_->detect(input.image, faces);
        std::vector<Detection> found;
        for (int row = 0; row < faces.rows; ++row) {
            const auto* values = faces.ptr<float>(row);
            Detection detection{cv::Rect2f(values[0], values[1], values[2], values[3]),
                                values[kScoreColumn]};
            for (std::size_t k = 0; k < kLandmarkCount; ++k)
                detection.landmarks.emplace_back(values[4 + 2 * k], values[5 + 2 * k]);
            found.push_back(std::move(detection));
        }
        return toFrameDetections(std::move(found), input.scale, bgr.size());
    }

    std::string name() const override { return toString(DetectorKind::YuNet2022); }

  private:
    cv::Ptr<cv::FaceDetectorYN> detector_;
    int max_input_side_;
};

}  // namespace

std::unique_ptr<FaceDetector> createYuNet2022Detector(const DetectorOptions& options) {
    cv::Ptr<cv::FaceDetectorYN> detector;
    try {
        // The input size is a placeholder: detect() sets the real one from the first frame.
        detector = cv::FaceDetectorYN::create(options.model_path.string(), "", cv::Size(320, 320),
                                              options.score_threshold, options.nms_threshold);
    } catch (const cv::Exception& error) {
        throw DetectorError("could not load the YuNet 2022mar face detector from " +
                            options.model_path.string() + ": " + error.what() +
                            " (expected face_detection_yunet_2022mar.onnx from emotrace's "
                            "resources/; is the file complete?)");
    }
    if (!detector) {
        throw DetectorError("OpenCV could not create a YuNet 2022mar face detector from " +
                            options.model_path.string());
    }
    return std::make_unique<YuNet2022Detector>(std::move(detector), options.max_input_side);
}

}  // namespace emotrace::detail
