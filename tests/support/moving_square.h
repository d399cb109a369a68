// A bright square that moves across generated video and stands in for a face, and a detector
// that finds it from the pixels: boxes then depend on which frames were decoded, so a resume
// that seeks to the wrong frame shows. Shared by the recording-analysis tests of core (no model,
// also run under TSan) and of torch (with a model).
#pragma once

#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "emotrace/face_detector.h"

namespace emotrace::test {

inline const cv::Size kSize{320, 240};
inline constexpr int kSide = 60;

// Where the face is in frame `index`: moving right and back, absent in [hidden_from, hidden_to).
struct MovingFace {
    int hidden_from = -1;
    int hidden_to = -1;
    bool visible(int index) const { return index < hidden_from || index >= hidden_to; }
    cv::Rect box(int index) const {
        const int travel = kSize.width - kSide - 20;
        const int step = (index * 3) % (2 * travel);
        const int x = 10 + (step < travel ? step : 2 * travel - step);
        return {x, 80 + (index % 7), kSide, kSide};
    }
    void paint(cv::Mat& frame, int index) const {
        frame.setTo(cv::Scalar::all(40));
        if (visible(index))
            cv::rectangle(frame, box(index), cv::Scalar(230, 230, 230), cv::FILLED);
    }
};

// Finds bright blobs: the generated "faces".
class BrightSquareDetector : public FaceDetector {
  public:
    std::vector<Detection> detect(const cv::Mat& bgr) override {
        ++calls;
        cv::Mat grey;
        cv::Mat mask;
        cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
        cv::threshold(grey, mask, 150, 255, cv::THRESH_BINARY);
        std::vector<std::vector<cv::Point>> contours;
        cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
        std::vector<Detection> found;
        for (const auto& contour : contours) {
            const cv::Rect box = cv::boundingRect(contour);
            if (box.area() < 400)
                continue;
            // Five landmarks where a frontal face has them, as YuNet gives them.
            const auto at = [&](float x, float y) {
                return cv::Point2f(static_cast<float>(box.x) + x * static_cast<float>(box.width),
                                   static_cast<float>(box.y) + y * static_cast<float>(box.height));
            };
            found.push_back({cv::Rect2f(box),
                             0.9f,
                             {},
                             {at(0.3f, 0.4f), at(0.7f, 0.4f), at(0.5f, 0.6f), at(0.35f, 0.75f),
                              at(0.65f, 0.75f)}});
        }
        return found;
    }
    std::string name() const override { return "bright-square"; }
    int calls = 0;
};

}  // namespace emotrace::test
