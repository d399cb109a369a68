// Dataset crops seen as the app sees a face: each 48x48 training crop is enlarged into a small
// picture and goes through the live app's face detection and crop. The app never sees a
// dataset's own framing, only its detector's box grown by the crop margin; this measures (and,
// for training, reproduces) what that re-framing costs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "emotrace/dataset.h"
#include "emotrace/face_detector.h"
#include "emotrace/preprocess.h"

namespace emotrace {

// What a call does to a face, applied to the enlarged picture before detection, to measure how
// readings hold up (and whether the reading quality says so): turned in the image plane, shrunk
// to a small face on a larger picture, or blurred.
struct PictureDegradation {
    enum class Kind { None, Rotate, Shrink, Blur };
    Kind kind = Kind::None;
    // Rotate: degrees, positive anticlockwise as OpenCV turns. Shrink: the face's new side in
    // pixels (the picture keeps its size, the rest filled with the face's mean grey). Blur: the
    // Gaussian's sigma in pixels of the enlarged picture.
    double amount = 0.0;
};

// "none", "rotate:20", "rotate:-30", "shrink:32", "blur:4"; throws Error naming what was expected
// for anything else (shrink below 8 px, blur not above 0).
PictureDegradation parseDegradation(const std::string& text);
std::string toString(const PictureDegradation& degradation);

// The degraded copy of an 8-bit grey or BGR picture.
cv::Mat degradePicture(const cv::Mat& picture, const PictureDegradation& degradation);

struct RecropOptions {
    // A 48x48 crop becomes (48 x upscale) square, bicubic, before detection: YuNet needs faces
    // of a few dozen pixels at least, and ordinary photos give it many more.
    int upscale = 4;
    // The live app's defaults; `detector` overrides the one made from detector_options.
    DetectorOptions detector_options{};
    std::shared_ptr<FaceDetector> detector{};
    CropOptions crop{};
    PictureDegradation degradation{};
    // > 0: before the degradation, each picture is turned by its own angle drawn evenly from
    // [-random_tilt_degrees, +random_tilt_degrees] (seeded by tilt_seed, in item order), as heads
    // lean in a call. For training: the model then learns tilted faces as the app's crop frames
    // them (turned back by the landmarks beyond the levelling band, with the background the
    // turn brings into the box), not as a rotation of a finished 48x48 crop frames them.
    double random_tilt_degrees = 0.0;
    std::uint64_t tilt_seed = 0;
    // Called with each enlarged, degraded picture (8-bit grey) as the detector is given it, and
    // its item: for scoring another program on exactly these pictures (tools/peer/).
    std::function<void(const cv::Mat& picture, const LabeledImage& item)> picture_sink{};
};

struct RecropResult {
    std::size_t recropped = 0;
    std::vector<std::string> without_face;  // origins of the items removed: no face detected
};

// Replaces each item's image by the app's crop of its best detected face (8-bit, crop.size),
// after the random tilt and the degradation, and sets its reading_quality as the app measures it
// (assessReading); labels, groups, origins and soft labels stay. Items where the detector finds no
// face are removed and named in the result. Throws Error for an upscale below 1, a negative or
// non-finite random tilt, or an image that is not 8-bit grey, DetectorError when the detector
// cannot be loaded.
RecropResult recropThroughPipeline(Dataset& data, const RecropOptions& options);

}  // namespace emotrace
