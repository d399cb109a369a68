// In-memory labelled face images for training and evaluation, shared by the loaders
// (FER-2013 csv, FER+ votes, image folders such as CK+48), the balancing steps and the trainer.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace emotrace {

struct LabeledImage {
    cv::Mat image;   // CV_8UC1, the model's input size (48x48): 8-bit keeps FER-2013 at ~80 MB
    int label = -1;  // index into Dataset::labels
    // Images that must stay on one side of a split (a CK+ subject, a video): leak-free splits
    // group by it. Empty: the image is its own group.
    std::string group;
    std::string origin;             // "fer2013.csv:1234", "CK+48/anger/S010_004_00000017.png"
    std::vector<float> soft_label;  // optional distribution over labels (FER+ votes)
    bool synthetic = false;         // made by SMOTE, not seen in the data
    // Through the app's detection and crop (recrop.h): the reading quality the app gives the
    // face (ReadingQuality::quality). None: not measured.
    std::optional<double> reading_quality{};
    // Through the app's detection: the eye line's tilt in degrees (eyeLineAngle) before the crop
    // levelled it. None: not measured or no landmarks.
    std::optional<double> eye_tilt_degrees{};
    // Through the app's detection: the eye line leaned beyond the crop's levelling band
    // (beyondLevellingBand), so the app turned the face and, with a companion model for tilted
    // faces, would read it with that one.
    bool tilted_beyond_band = false;
};

struct Dataset {
    std::vector<std::string> labels;
    std::vector<LabeledImage> items;
};

}  // namespace emotrace
