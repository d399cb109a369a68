// Turning a detected face into the classifier's input, as the paper does: crop with a margin,
// grey, resize to the model's input size, scale to [0,1]; with landmarks, eyes levelled first.
#pragma once

#include <span>

#include <opencv2/core.hpp>

namespace emotrace {

struct CropOptions {
    float margin = 0.1f;  // grow the box by this fraction of its size on every side
    // A square around the box's centre, as wide as the grown box. FER-2013 and CK+ faces are
    // square crops from the brows' top to the chin, ear to ear; YuNet's box is taller than wide
    // (hairline to below the chin), and squeezing it into 48x48 made faces short and wide with
    // hair and neck in view. Off: the grown box itself, stretched to the input size.
    bool square = true;
    cv::Size size = {48, 48};  // the model's input size
    // Level the eyes: with the detector's landmarks, the crop is turned about the box's centre
    // to take out the eye line's tilt beyond level_beyond_degrees (a face at 25 degrees comes
    // out at 10). Within that the model reads faces as they are: FER-2013's own faces lean a
    // few degrees either way and training turns them by up to 15 degrees, and turning every
    // face fully level cost 1.1 points of accuracy upright on PrivateTest through the app's
    // crop, where beyond it a tilted face read as tilted loses more (docs/quality.md,
    // Alignment). The framing (centre, side) stays the box's, so a face within the band gets
    // exactly the crop it had before.
    bool level_eyes = true;
    float level_beyond_degrees = 10.0f;
    // Beyond the band, turn the face fully level instead of to the band's edge: for a model
    // fine-tuned on fully levelled crops, which reads the tilted faces (EmotionClassifier::
    // readsTiltedFacesApart). Faces within the band are cropped as without it.
    bool level_tilted_fully = false;
};

// Whether the eye line leans beyond options.level_beyond_degrees, so that the crop turns the
// face; false without two eye landmarks or with level_eyes off.
bool beyondLevellingBand(std::span<const cv::Point2f> landmarks, const CropOptions& options);

// The eye line's angle in degrees (positive: the eye on the image's right is lower); 0 without
// two eye landmarks.
double eyeLineAngle(std::span<const cv::Point2f> landmarks);

// The angle the crop is turned by for these landmarks: the eye line's tilt beyond
// options.level_beyond_degrees, in the direction that levels it (all of it with
// level_tilted_fully); 0 when level_eyes is off.
double levellingTurn(std::span<const cv::Point2f> landmarks, const CropOptions& options);

// The crop is clamped to the frame; parts of the grown box outside the frame are filled by
// replicating the border so the face stays centred. Returns CV_32FC1 in [0,1] of options.size.
// An empty box or one entirely outside the frame gives an empty Mat. `landmarks` are the
// detector's (Detection::landmarks, frame pixels); without them, or with level_eyes off, the crop
// is not turned.
cv::Mat cropFace(const cv::Mat& bgr, const cv::Rect2f& box, const CropOptions& options,
                 std::span<const cv::Point2f> landmarks = {});

}  // namespace emotrace
