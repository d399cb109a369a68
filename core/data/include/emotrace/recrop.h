// Dataset crops seen as the app sees a face: each 48x48 training crop is enlarged into a small
// picture and goes through the live app's face detection and crop. The app never sees a
// dataset's own framing, only its detector's box grown by the crop margin; this measures (and,
// for training, reproduces) what that re-framing costs.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "emotrace/dataset.h"
#include "emotrace/face_detector.h"
#include "emotrace/preprocess.h"

namespace emotrace {

struct RecropOptions {
    // A 48x48 crop becomes (48 x upscale) square, bicubic, before detection: YuNet needs faces
    // of a few dozen pixels at least, and ordinary photos give it many more.
    int upscale = 4;
    // The live app's defaults; `detector` overrides the one made from detector_options.
    DetectorOptions detector_options{};
    std::shared_ptr<FaceDetector> detector{};
    CropOptions crop{};
};

struct RecropResult {
    std::size_t recropped = 0;
    std::vector<std::string> without_face;  // origins of the items removed: no face detected
};

// Replaces each item's image by the app's crop of its best detected face (8-bit, crop.size);
// labels, groups, origins and soft labels stay. Items where the detector finds no face are
// removed and named in the result. Throws Error for an upscale below 1 or an image that is not
// 8-bit grey, DetectorError when the detector cannot be loaded.
RecropResult recropThroughPipeline(Dataset& data, const RecropOptions& options);

}  // namespace emotrace
