// YuNet 2023mar through cv::dnn with our own decoding: OpenCV 4.6's FaceDetectorYN only knows
// the 2022mar output layout and rejects this file. The decoding follows OpenCV >= 4.8's
// FaceDetectorYN (see ../shared/data/detectors/README.md).
#include <algorithm>
#include <array>
#include <cmath>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include "detection_input.h"
#include "detectors.h"
#include "emotrace/error.h"

namespace emotrace::detail {

namespace {

constexpr std::array<int, 3> kStrides = {8, 16, 32};
// The network downsamples by 32, so each side of its input must be a multiple of that.
constexpr int kInputAlignment = 32;

int roundUpToAlignment(int value) {
    return (value + kInputAlignment - 1) / kInputAlignment * kInputAlignment;
}

std::vector<std::string> outputNames() {
    std::vector<std::string> names;
    for (const char* head : {"cls", "obj", "bbox", "kps"}) {
        for (int stride : kStrides)
            names.push_back(std::string(head) + "_" + std::to_string(stride));
    }
    return names;
}

class YuNet2023Detector : public FaceDetector {
  public:
    YuNet2023Detector(cv::dnn::Net net, const DetectorOptions& options)
        : net_(std::move(net)), options_(options), output_names_(outputNames()) {}

    std::vector<Detection> detect(const cv::Mat& bgr) override {
        requireBgrFrame(bgr, name());
        const DetectionInput input = downscaleForDetection(bgr, options_.max_input_side);
        cv::Mat padded;
        // Padding at the right and bottom keeps the box coordinates of the unpadded image.
        cv::copyMakeBorder(input.image, padded, 0,
                           roundUpToAlignment(input.image.rows) - input.image.rows, 0,
                           roundUpToAlignment(input.image.cols) - input.image.cols,
                           cv::BORDER_CONSTANT, cv::Scalar::all(0));
        net_.setInput(cv::dnn::blobFromImage(padded));
        std::vector<cv::Mat> outputs;
        net_.forward(outputs, output_names_);
        std::vector<Detection> candidates = decode(outputs, padded.size());
        return toFrameDetections(suppressOverlaps(std::move(candidates)), input.scale, bgr.size());
    }

    std::string name() const override { return toString(DetectorKind::YuNet2023); }

  private:
    // outputs: cls_8, cls_16, cls_32, obj_8, obj_16, obj_32, bbox_8, bbox_16, bbox_32, kps_8,
    // kps_16, kps_32, each with one row per grid cell in row-major order.
    std::vector<Detection> decode(const std::vector<cv::Mat>& outputs, cv::Size input) const {
        std::vector<Detection> candidates;
        for (std::size_t level = 0; level < kStrides.size(); ++level) {
            const int stride = kStrides[level];
            const int cols = input.width / stride;
            const int rows = input.height / stride;
            const cv::Mat& cls = outputs[level];
            const cv::Mat& obj = outputs[level + kStrides.size()];
            const cv::Mat& bbox = outputs[level + 2 * kStrides.size()];
            const cv::Mat& kps = outputs[level + 3 * kStrides.size()];
            const auto cells = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
            if (cls.total() != cells || obj.total() != cells || bbox.total() != 4 * cells ||
                kps.total() != 2 * kLandmarkCount * cells) {
                throw DetectorError(name() + ": unexpected output size at stride " +
                                    std::to_string(stride) + " (expected " + std::to_string(cells) +
                                    " cells, got " + std::to_string(cls.total()) +
                                    "); is the model file face_detection_yunet_2023mar.onnx?");
            }
            const auto* cls_data = cls.ptr<float>();
            const auto* obj_data = obj.ptr<float>();
            const auto* bbox_data = bbox.ptr<float>();
            const auto* kps_data = kps.ptr<float>();
            for (int row = 0; row < rows; ++row) {
                for (int col = 0; col < cols; ++col) {
                    const auto cell = static_cast<std::size_t>(row * cols + col);
                    const float score = std::sqrt(std::clamp(cls_data[cell], 0.0f, 1.0f) *
                                                  std::clamp(obj_data[cell], 0.0f, 1.0f));
                    if (score < options_.score_threshold)
                        continue;
                    const float* box = bbox_data + 4 * cell;
                    const float cx =
                        (static_cast<float>(col) + box[0]) * static_cast<float>(stride);
                    const float cy =
                        (static_cast<float>(row) + box[1]) * static_cast<float>(stride);
                    const float w = std::exp(box[2]) * static_cast<float>(stride);
                    const float h = std::exp(box[3]) * static_cast<float>(stride);
                    Detection found{cv::Rect2f(cx - w / 2, cy - h / 2, w, h), score};
                    const float* points = kps_data + 2 * kLandmarkCount * cell;
                    for (std::size_t k = 0; k < kLandmarkCount; ++k) {
                        found.landmarks.emplace_back(
                            (static_cast<float>(col) + points[2 * k]) * static_cast<float>(stride),
                            (static_cast<float>(row) + points[2 * k + 1]) *
                                static_cast<float>(stride));
                    }
                    candidates.push_back(std::move(found));
                }
            }
        }
        return candidates;
    }

    std::vector<Detection> suppressOverlaps(std::vector<Detection> candidates) const {
        std::vector<cv::Rect2d> boxes;
        std::vector<float> scores;
        for (const auto& candidate : candidates) {
            boxes.emplace_back(candidate.box);
            scores.push_back(candidate.score);
        }
        std::vector<int> kept;
        cv::dnn::NMSBoxes(boxes, scores, options_.score_threshold, options_.nms_threshold, kept);
        std::vector<Detection> result;
        for (int index : kept)
            result.push_back(candidates[static_cast<std::size_t>(index)]);
        return result;
    }

    cv::dnn::Net net_;
    DetectorOptions options_;
    std::vector<std::string> output_names_;
};

}  // namespace

std::unique_ptr<FaceDetector> createYuNet2023Detector(const DetectorOptions& options) {
    cv::dnn::Net net;
    try {
        net = cv::dnn::readNet(options.model_path.string());
    } catch (const cv::Exception& error) {
        throw DetectorError("could not load the YuNet 2023mar face detector from " +
                            options.model_path.string() + ": " + error.what() +
                            " (expected face_detection_yunet_2023mar.onnx from emotrace's "
                            "resources/; is the file complete?)");
    }
    if (net.empty()) {
        throw DetectorError("the YuNet 2023mar face detector file " + options.model_path.string() +
                            " holds no network (expected face_detection_yunet_2023mar.onnx)");
    }
    const std::vector<std::string> outputs = net.getUnconnectedOutLayersNames();
    for (const auto& expected : outputNames()) {
        if (std::find(outputs.begin(), outputs.end(), expected) == outputs.end()) {
            throw DetectorError("the face detector file " + options.model_path.string() +
                                " has no output '" + expected +
                                "'; YuNet 2023mar expects face_detection_yunet_2023mar.onnx");
        }
    }
    return std::make_unique<YuNet2023Detector>(std::move(net), options);
}

}  // namespace emotrace::detail
