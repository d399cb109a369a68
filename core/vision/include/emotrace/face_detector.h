// Face detection behind one interface. YuNet 2023mar (decoded by us through cv::dnn) is the
// default; YuNet 2022mar (cv::FaceDetectorYN) and the paper's Haar cascade are the alternatives.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "emotrace/types.h"

namespace emotrace {

class FaceDetector {
  public:
    virtual ~FaceDetector() = default;
    // Faces in a BGR frame, best first.
    virtual std::vector<Detection> detect(const cv::Mat& bgr) = 0;
    virtual std::string name() const = 0;
};

enum class DetectorKind { YuNet2023, YuNet2022, Haar };

struct DetectorOptions {
    DetectorKind kind = DetectorKind::YuNet2023;
    std::filesystem::path
        model_path;  // empty: the shipped file for the kind (see defaultModelPath)
    float score_threshold = 0.6f;
    float nms_threshold = 0.3f;
    // Frames are downscaled so their longer side is at most this before detection; faces in a
    // therapy call are large, and detection cost grows with pixels. 0 keeps the full frame.
    int max_input_side = 320;
};

// "yunet" / "yunet2023", "yunet2022", "haar"; throws Error listing the valid names.
DetectorKind parseDetectorKind(const std::string& name);
std::string toString(DetectorKind kind);

// Where the shipped model for a kind is looked up: $EMOTRACE_RESOURCES, the resources folder of
// the install, then the source tree's resources/ (for builds run in place).
std::filesystem::path defaultModelPath(DetectorKind kind);

// Throws DetectorError naming the file when the model is missing or fails to load.
std::unique_ptr<FaceDetector> createFaceDetector(const DetectorOptions& options);

}  // namespace emotrace
