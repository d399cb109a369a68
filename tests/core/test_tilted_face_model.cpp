// A model with a companion for tilted faces: faces whose eye line leans beyond the levelling
// band are cropped fully level and read by the companion; the others as without it.
#include <cmath>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "emotrace/emotion_classifier.h"
#include "emotrace/pipeline.h"
#include "emotrace/preprocess.h"

using namespace emotrace;

namespace {

// Reads every face as "upright" with classify and as "tilted" with classifyTilted, keeping
// the batches it was given.
class TwoModelClassifier : public EmotionClassifier {
  public:
    explicit TwoModelClassifier(bool apart) : apart_(apart) {
        info_.labels = {"upright", "tilted"};
    }
    const ModelInfo& info() const override { return info_; }
    std::vector<std::vector<float>> classify(std::span<const cv::Mat> faces) override {
        upright_batches.push_back(keep(faces));
        return std::vector<std::vector<float>>(faces.size(), {1.0f, 0.0f});
    }
    bool readsTiltedFacesApart() const override { return apart_; }
    std::vector<std::vector<float>> classifyTilted(std::span<const cv::Mat> faces) override {
        tilted_batches.push_back(keep(faces));
        return std::vector<std::vector<float>>(faces.size(), {0.0f, 1.0f});
    }
    std::vector<std::vector<cv::Mat>> upright_batches;
    std::vector<std::vector<cv::Mat>> tilted_batches;

  private:
    static std::vector<cv::Mat> keep(std::span<const cv::Mat> faces) {
        std::vector<cv::Mat> kept;
        for (const auto& face : faces)
            kept.push_back(face.clone());
        return kept;
    }
    bool apart_;
    ModelInfo info_;
};

cv::Mat filled(float value) {
    return cv::Mat(48, 48, CV_32FC1, cv::Scalar(value));
}

}  // namespace

TEST(ClassifyFaces, TiltedFacesGoToTheCompanionInOneBatchAndEveryReadingStaysInPlace) {
    TwoModelClassifier classifier(true);
    const std::vector<FaceCrop> faces = {
        {filled(0.1f), false}, {filled(0.2f), true}, {filled(0.3f), false}, {filled(0.4f), true}};
    const auto read = classifyFaces(classifier, faces);
    ASSERT_EQ(read.size(), 4u);
    EXPECT_EQ(read[0], (std::vector<float>{1.0f, 0.0f}));
    EXPECT_EQ(read[1], (std::vector<float>{0.0f, 1.0f}));
    EXPECT_EQ(read[2], (std::vector<float>{1.0f, 0.0f}));
    EXPECT_EQ(read[3], (std::vector<float>{0.0f, 1.0f}));
    ASSERT_EQ(classifier.upright_batches.size(), 1u);
    ASSERT_EQ(classifier.tilted_batches.size(), 1u);
    ASSERT_EQ(classifier.upright_batches[0].size(), 2u);
    ASSERT_EQ(classifier.tilted_batches[0].size(), 2u);
    EXPECT_FLOAT_EQ(classifier.upright_batches[0][1].at<float>(0, 0), 0.3f);
    EXPECT_FLOAT_EQ(classifier.tilted_batches[0][0].at<float>(0, 0), 0.2f);
}

TEST(ClassifyFaces, WithoutACompanionEveryFaceGoesToTheOneModel) {
    TwoModelClassifier classifier(false);
    const std::vector<FaceCrop> faces = {{filled(0.1f), true}, {filled(0.2f), false}};
    const auto read = classifyFaces(classifier, faces);
    ASSERT_EQ(read.size(), 2u);
    EXPECT_EQ(read[0], (std::vector<float>{1.0f, 0.0f}));
    ASSERT_EQ(classifier.upright_batches.size(), 1u);
    EXPECT_EQ(classifier.upright_batches[0].size(), 2u);
    EXPECT_TRUE(classifier.tilted_batches.empty());
    EXPECT_TRUE(classifyFaces(classifier, {}).empty());
}

namespace {

// Two faces side by side: on the left, eyes 25 degrees off level; on the right, 4 degrees.
// Each is a dark bar (the eye line) on grey, drawn along the eye line, so that a crop turned
// fully level shows the bar flat.
class TwoFacesDetector : public FaceDetector {
  public:
    std::vector<Detection> detect(const cv::Mat&) override {
        return {face({100, 150}, 25.0), face({300, 150}, 4.0)};
    }
    std::string name() const override { return "two faces"; }

    static Detection face(cv::Point2f centre, double tilt_degrees) {
        const double t = tilt_degrees * CV_PI / 180.0;
        const cv::Point2f half(static_cast<float>(25.0 * std::cos(t)),
                               static_cast<float>(25.0 * std::sin(t)));
        Detection d{cv::Rect2f(centre.x - 50, centre.y - 50, 100, 100), 0.9f};
        d.landmarks = {centre - half, centre + half, centre, centre, centre};
        return d;
    }
};

cv::Mat twoFacesFrame() {
    cv::Mat frame(300, 400, CV_8UC3, cv::Scalar::all(170));
    for (const auto& face : TwoFacesDetector().detect(frame))
        cv::line(frame, face.landmarks[0], face.landmarks[1], cv::Scalar::all(20), 9);
    return frame;
}

// How far the crop's dark bar is from level: the rows of its darkest pixels at the left and
// right thirds, in pixels of the 48x48 crop.
int barRise(const cv::Mat& crop) {
    const auto darkest = [&](int column) {
        cv::Point at;
        cv::minMaxLoc(crop.col(column), nullptr, nullptr, &at);
        return at.y;
    };
    return std::abs(darkest(32) - darkest(16));
}

}  // namespace

TEST(FrameAnalyzer, WithACompanionTheTiltedFaceIsLevelledFullyAndReadByItTheOtherAsBefore) {
    const cv::Mat frame = twoFacesFrame();
    auto classifier = std::make_unique<TwoModelClassifier>(true);
    auto* seen = classifier.get();
    FrameAnalyzer analyzer(std::make_unique<TwoFacesDetector>(), std::move(classifier));
    const auto faces = analyzer.analyze(frame);
    ASSERT_EQ(faces.size(), 2u);
    EXPECT_EQ(faces[0].probabilities, (std::vector<float>{0.0f, 1.0f})) << "25 degrees: companion";
    EXPECT_EQ(faces[1].probabilities, (std::vector<float>{1.0f, 0.0f})) << "4 degrees: the model";
    ASSERT_EQ(seen->tilted_batches.size(), 1u);
    ASSERT_EQ(seen->upright_batches.size(), 1u);
    EXPECT_LE(barRise(seen->tilted_batches[0][0]), 1) << "the companion sees the eyes level";
    // The face within the band is cropped exactly as without landmarks.
    const auto plain =
        cropFace(frame, TwoFacesDetector::face({300, 150}, 4.0).box, CropOptions{}, {});
    EXPECT_EQ(cv::norm(seen->upright_batches[0][0], plain, cv::NORM_INF), 0.0);

    // Without a companion the same tilted face is turned only to the band's edge (10 degrees
    // left, about 4 pixels of rise over the 16 between the two columns).
    auto single = std::make_unique<TwoModelClassifier>(false);
    auto* one = single.get();
    FrameAnalyzer without(std::make_unique<TwoFacesDetector>(), std::move(single));
    without.analyze(frame);
    ASSERT_EQ(one->upright_batches.size(), 1u);
    ASSERT_EQ(one->upright_batches[0].size(), 2u);
    EXPECT_GE(barRise(one->upright_batches[0][0]), 2);
}
