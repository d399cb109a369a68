// The concrete detectors behind createFaceDetector. Each takes options whose model_path is
// already resolved and known to exist; each throws DetectorError when the file fails to load.
#pragma once

#include <memory>

#include "emotrace/face_detector.h"

namespace emotrace::detail {

std::unique_ptr<FaceDetector> createYuNet2023Detector(const DetectorOptions& options);
std::unique_ptr<FaceDetector> createYuNet2022Detector(const DetectorOptions& options);
std::unique_ptr<FaceDetector> createHaarDetector(const DetectorOptions& options);

}  // namespace emotrace::detail
