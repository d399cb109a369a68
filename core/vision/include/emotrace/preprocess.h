// Turning a detected face into the classifier's input, as the paper does: crop with a margin,
// grey, resize to the model's input size, scale to [0,1].
#pragma once

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
};

// The crop is clamped to the frame; parts of the grown box outside the frame are filled by
// replicating the border so the face stays centred. Returns CV_32FC1 in [0,1] of options.size.
// An empty box or one entirely outside the frame gives an empty Mat.
cv::Mat cropFace(const cv::Mat& bgr, const cv::Rect2f& box, const CropOptions& options);

}  // namespace emotrace
