#include "emotrace/face_detector.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "detectors.h"
#include "emotrace/error.h"

namespace emotrace {

namespace {

std::string lowercase(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string modelFileName(DetectorKind kind) {
    switch (kind) {
        case DetectorKind::YuNet2023:
            return "face_detection_yunet_2023mar.onnx";
        case DetectorKind::YuNet2022:
            return "face_detection_yunet_2022mar.onnx";
        case DetectorKind::Haar:
            return "haarcascade_frontalface_default.xml";
    }
    throw Error("unknown detector kind " + std::to_string(static_cast<int>(kind)));
}

std::string howToProvide(DetectorKind kind) {
    if (kind == DetectorKind::Haar) {
        return "install Debian's opencv-data package (it provides " +
               std::string(EMOTRACE_HAARCASCADE_DIR) + "/" + modelFileName(kind) +
               ") or give the cascade's path explicitly";
    }
    return "set EMOTRACE_RESOURCES to the folder that holds " + modelFileName(kind) +
           " (emotrace's resources/ folder) or give the model's path explicitly";
}

void validate(const DetectorOptions& options) {
    auto inUnitRange = [](float value) { return value >= 0.0f && value <= 1.0f; };
    if (!inUnitRange(options.score_threshold)) {
        throw Error("detector score threshold must be in [0,1], got " +
                    std::to_string(options.score_threshold));
    }
    if (!inUnitRange(options.nms_threshold)) {
        throw Error("detector NMS threshold must be in [0,1], got " +
                    std::to_string(options.nms_threshold));
    }
    if (options.max_input_side < 0) {
        throw Error("detector max input side must be 0 (full frame) or positive, got " +
                    std::to_string(options.max_input_side));
    }
}

}  // namespace

DetectorKind parseDetectorKind(const std::string& name) {
    const std::string key = lowercase(name);
    if (key == "yunet" || key == "yunet2023")
        return DetectorKind::YuNet2023;
    if (key == "yunet2022")
        return DetectorKind::YuNet2022;
    if (key == "haar")
        return DetectorKind::Haar;
    throw Error("unknown face detector '" + name +
                "'; valid names: yunet (same as yunet2023), yunet2023, yunet2022, haar");
}

std::string toString(DetectorKind kind) {
    switch (kind) {
        case DetectorKind::YuNet2023:
            return "yunet2023";
        case DetectorKind::YuNet2022:
            return "yunet2022";
        case DetectorKind::Haar:
            return "haar";
    }
    throw Error("unknown detector kind " + std::to_string(static_cast<int>(kind)));
}

// There is no install layout yet, so after the environment comes the source tree. The Haar
// cascade is not shipped with emotrace: Debian's opencv-data package owns it.
std::filesystem::path defaultModelPath(DetectorKind kind) {
    if (kind == DetectorKind::Haar) {
        return std::filesystem::path(EMOTRACE_HAARCASCADE_DIR) / modelFileName(kind);
    }
    if (const char* resources = std::getenv("EMOTRACE_RESOURCES"); resources && *resources) {
        return std::filesystem::path(resources) / modelFileName(kind);
    }
    return std::filesystem::path(EMOTRACE_SOURCE_RESOURCES) / modelFileName(kind);
}

std::unique_ptr<FaceDetector> createFaceDetector(const DetectorOptions& options) {
    validate(options);
    DetectorOptions resolved = options;
    if (resolved.model_path.empty())
        resolved.model_path = defaultModelPath(options.kind);
    std::error_code error;
    if (!std::filesystem::is_regular_file(resolved.model_path, error)) {
        throw DetectorError("face detector model not found: " + resolved.model_path.string() +
                            " (" + toString(options.kind) + "); " + howToProvide(options.kind));
    }
    switch (options.kind) {
        case DetectorKind::YuNet2023:
            return detail::createYuNet2023Detector(resolved);
        case DetectorKind::YuNet2022:
            return detail::createYuNet2022Detector(resolved);
        case DetectorKind::Haar:
            return detail::createHaarDetector(resolved);
    }
    throw Error("unknown detector kind " + std::to_string(static_cast<int>(options.kind)));
}

}  // namespace emotrace
