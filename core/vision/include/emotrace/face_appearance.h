// What a face and its surroundings look like, in a few numbers: enough to tell the people of one
// call apart when their tiles change places in a gallery view, where boxes alone would hand each
// person's track to whoever now sits in their tile. A colour signature (hue, saturation and
// brightness of the face, the hair and the tile around it, upper and lower half apart) rather
// than a face-identity network: it costs about 60 µs a face, needs no further model file,
// and a call's tiles differ most in exactly what it measures (room, lighting, clothes, hair).
#pragma once

#include <span>
#include <vector>

#include <opencv2/core.hpp>

namespace emotrace {

// The signature of the face at `box` in the BGR frame: a normalised histogram (entries sum to 1
// per half, so two halves sum to 2). Empty when the box lies outside the frame or the frame is
// empty.
std::vector<float> faceAppearance(const cv::Mat& bgr, const cv::Rect2f& box);

// How different two signatures are: the Hellinger distance averaged over the two halves, in
// [0, 1] (0: identical). 1 when either is empty or their sizes differ.
float appearanceDistance(std::span<const float> a, std::span<const float> b);

// Moves `average` a fraction `weight` of the way to `latest` (an exponential average of a
// track's look, so slow changes of light follow while one odd frame does not). An empty average
// becomes `latest`.
void blendAppearance(std::vector<float>& average, std::span<const float> latest, float weight);

}  // namespace emotrace
