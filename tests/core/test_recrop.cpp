#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "emotrace/error.h"
#include "emotrace/recrop.h"
#include "test_support.h"

using namespace emotrace;

namespace {

// Answers each call from a list of face lists (the last one repeats); records what it saw.
class ScriptedDetector : public FaceDetector {
  public:
    explicit ScriptedDetector(std::vector<std::vector<Detection>> answers)
        : answers_(std::move(answers)) {}
    std::vector<Detection> detect(const cv::Mat& bgr) override {
        seen.push_back(bgr.size());
        seen_types.push_back(bgr.type());
        const auto index = std::min(seen.size() - 1, answers_.size() - 1);
        return answers_[index];
    }
    std::string name() const override { return "scripted"; }
    std::vector<cv::Size> seen;
    std::vector<int> seen_types;

  private:
    std::vector<std::vector<Detection>> answers_;
};

// A dark 48x48 crop with a bright square over its middle half.
LabeledImage squareFace(const std::string& origin, int label) {
    LabeledImage item;
    item.image = cv::Mat(48, 48, CV_8UC1, cv::Scalar(20));
    item.image(cv::Rect(12, 12, 24, 24)).setTo(cv::Scalar(220));
    item.label = label;
    item.group = "S001";
    item.origin = origin;
    item.soft_label = {0.25f, 0.75f};
    return item;
}

const Detection kInsideTheSquare{cv::Rect2f(64.f, 64.f, 64.f, 64.f), 0.9f};

}  // namespace

TEST(RecropThroughPipeline, TheDetectorSeesTheEnlargedCropAndTheItemGetsTheAppsCropOfTheFace) {
    Dataset data{{"a", "b"}, {squareFace("fer2013.csv:2", 1)}};
    const Dataset before = data;
    auto detector =
        std::make_shared<ScriptedDetector>(std::vector<std::vector<Detection>>{{kInsideTheSquare}});
    RecropOptions options;
    options.detector = detector;
    const auto result = recropThroughPipeline(data, options);

    EXPECT_EQ(result.recropped, 1u);
    EXPECT_TRUE(result.without_face.empty());
    ASSERT_EQ(detector->seen.size(), 1u);
    EXPECT_EQ(detector->seen[0], cv::Size(192, 192)) << "enlarged 4x, as a photo's face would be";
    EXPECT_EQ(detector->seen_types[0], CV_8UC3);
    ASSERT_EQ(data.items.size(), 1u);
    const auto& item = data.items[0];
    ASSERT_EQ(item.image.size(), cv::Size(48, 48));
    ASSERT_EQ(item.image.type(), CV_8UC1);
    // The box (64..128 of 192) grown by the app's 10% margin lies inside the bright square
    // (48..144): the whole crop is the face, where the original crop was half background.
    EXPECT_EQ(cv::countNonZero(item.image < 215), 0);
    EXPECT_EQ(item.label, 1);
    EXPECT_EQ(item.group, "S001");
    EXPECT_EQ(item.origin, "fer2013.csv:2");
    EXPECT_EQ(item.soft_label, (std::vector<float>{0.25f, 0.75f}));
    // The copy taken before shares no pixels with the new image.
    EXPECT_EQ(before.items[0].image.at<std::uint8_t>(0, 0), 20);
    EXPECT_EQ(cv::countNonZero(before.items[0].image == 220), 24 * 24);
}

TEST(RecropThroughPipeline, ItemsWithoutADetectedFaceAreRemovedAndNamed) {
    Dataset data{{"a", "b"}, {squareFace("x:1", 0), squareFace("x:2", 1), squareFace("x:3", 0)}};
    RecropOptions options;
    // A face in the first and third image only.
    options.detector = std::make_shared<ScriptedDetector>(
        std::vector<std::vector<Detection>>{{kInsideTheSquare}, {}, {kInsideTheSquare}});
    const auto result = recropThroughPipeline(data, options);
    EXPECT_EQ(result.recropped, 2u);
    EXPECT_EQ(result.without_face, (std::vector<std::string>{"x:2"}));
    ASSERT_EQ(data.items.size(), 2u);
    EXPECT_EQ(data.items[0].origin, "x:1");
    EXPECT_EQ(data.items[1].origin, "x:3");
}

TEST(RecropThroughPipeline, RefusesAnUpscaleBelowOneAndImagesThatAreNotGrey) {
    Dataset data{{"a"}, {squareFace("x:1", 0)}};
    RecropOptions options;
    options.detector =
        std::make_shared<ScriptedDetector>(std::vector<std::vector<Detection>>{{kInsideTheSquare}});
    options.upscale = 0;
    EXPECT_THROW(recropThroughPipeline(data, options), Error);
    options.upscale = 4;
    cv::cvtColor(data.items[0].image, data.items[0].image, cv::COLOR_GRAY2BGR);
    try {
        recropThroughPipeline(data, options);
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("x:1"), std::string::npos) << e.what();
    }
}

TEST(RecropThroughPipelineRealData, YuNetFindsTheFaceInAnEnlargedAppCrop) {
    const auto clip = test::sharedData("videos/liveportrait_d0.mp4");
    if (!clip)
        EMOTRACE_SKIP_WITHOUT_DATA("videos/liveportrait_d0.mp4");
    const cv::Mat frame = test::firstFrame(*clip);
    ASSERT_FALSE(frame.empty());
    auto detector = std::shared_ptr<FaceDetector>(createFaceDetector({}));
    const auto faces = detector->detect(frame);
    ASSERT_FALSE(faces.empty());
    cv::Mat crop;
    cropFace(frame, faces.front().box, {}).convertTo(crop, CV_8U, 255.0);
    // The app's crop and a blank one: the face is found again in the first only.
    Dataset data{{"neutral"},
                 {{crop, 0, "", "d0:0", {}, false},
                  {cv::Mat(48, 48, CV_8UC1, cv::Scalar(128)), 0, "", "blank", {}, false}}};
    RecropOptions options;
    options.detector = detector;
    const auto result = recropThroughPipeline(data, options);
    EXPECT_EQ(result.recropped, 1u);
    EXPECT_EQ(result.without_face, (std::vector<std::string>{"blank"}));
    ASSERT_EQ(data.items.size(), 1u);
    EXPECT_EQ(data.items[0].image.size(), cv::Size(48, 48));
    // Found again with the same margin, the face fills the crop about as before.
    cv::Mat difference;
    cv::absdiff(data.items[0].image, crop, difference);
    EXPECT_LT(cv::mean(difference)[0], 25.0);
}

TEST(PictureDegradation, ParsesEachKindAndRefusesWhatItCannotDo) {
    EXPECT_EQ(parseDegradation("").kind, PictureDegradation::Kind::None);
    EXPECT_EQ(parseDegradation("none").kind, PictureDegradation::Kind::None);
    const auto turned = parseDegradation("rotate:-20");
    EXPECT_EQ(turned.kind, PictureDegradation::Kind::Rotate);
    EXPECT_DOUBLE_EQ(turned.amount, -20.0);
    EXPECT_EQ(toString(turned), "rotate:-20");
    EXPECT_EQ(parseDegradation("shrink:32").kind, PictureDegradation::Kind::Shrink);
    EXPECT_EQ(toString(parseDegradation("blur:2.5")), "blur:2.5");
    for (const char* bad : {"rotate", "rotate:", "rotate:20x", "spin:20", "shrink:4", "blur:0",
                            "blur:-1", "rotate:nan"}) {
        try {
            parseDegradation(bad);
            FAIL() << bad << " was accepted";
        } catch (const Error& e) {
            const std::string message = e.what();
            EXPECT_NE(message.find("rotate:DEGREES"), std::string::npos) << message;
            EXPECT_NE(message.find(bad), std::string::npos) << message;
        }
    }
}

TEST(PictureDegradation, TurnsShrinksAndBlursThePicture) {
    // A bright bar across a dark picture: what each degradation does to it is known.
    cv::Mat picture(96, 96, CV_8UC1, cv::Scalar(20));
    picture(cv::Rect(8, 44, 80, 8)).setTo(cv::Scalar(230));
    const auto turned = degradePicture(picture, {PictureDegradation::Kind::Rotate, 90.0});
    EXPECT_EQ(turned.size(), picture.size());
    EXPECT_GT(turned.at<std::uint8_t>(12, 48), 200) << "the bar now stands upright";
    EXPECT_LT(turned.at<std::uint8_t>(48, 12), 40);

    const auto shrunk = degradePicture(picture, {PictureDegradation::Kind::Shrink, 24.0});
    EXPECT_EQ(shrunk.size(), picture.size());
    cv::Mat bright;
    cv::findNonZero(shrunk > 150, bright);
    const cv::Rect bar = cv::boundingRect(bright);
    EXPECT_LE(bar.width, 21) << "80 px of 96 at a quarter of the size";
    EXPECT_NEAR(bar.x + bar.width / 2.0, 48.0, 2.0) << "in the middle of the picture";

    const auto blurred = degradePicture(picture, {PictureDegradation::Kind::Blur, 4.0});
    EXPECT_LT(blurred.at<std::uint8_t>(48, 48), 200) << "the bar's peak is spread out";
    EXPECT_GT(blurred.at<std::uint8_t>(40, 48), 40) << "and reaches above its edge";
    EXPECT_EQ(cv::norm(degradePicture(picture, {}), picture, cv::NORM_INF), 0.0);
}

TEST(RecropThroughPipeline, EachKeptFaceGetsTheAppsReadingQuality) {
    Dataset data{{"a", "b"}, {squareFace("x:1", 0)}};
    RecropOptions options;
    options.detector =
        std::make_shared<ScriptedDetector>(std::vector<std::vector<Detection>>{{kInsideTheSquare}});
    recropThroughPipeline(data, options);
    ASSERT_EQ(data.items.size(), 1u);
    ASSERT_TRUE(data.items[0].reading_quality.has_value());
    // A flat square has no texture to be sharp with, and no landmarks: quality well below 1.
    EXPECT_LT(*data.items[0].reading_quality, 0.7);
    EXPECT_GE(*data.items[0].reading_quality, 0.0);
}

TEST(RecropThroughPipeline, ThePictureSinkGetsEveryPictureAsTheDetectorIsGivenIt) {
    // Also the pictures without a face: a peer scored on them must see the same set.
    Dataset data{{"a", "b"}, {squareFace("x:1", 0), squareFace("x:2", 1)}};
    RecropOptions options;
    options.detector = std::make_shared<ScriptedDetector>(
        std::vector<std::vector<Detection>>{{kInsideTheSquare}, {}});
    options.degradation = {PictureDegradation::Kind::Blur, 4.0};
    std::vector<std::string> origins;
    std::vector<cv::Mat> pictures;
    options.picture_sink = [&](const cv::Mat& picture, const LabeledImage& item) {
        origins.push_back(item.origin);
        pictures.push_back(picture.clone());
    };
    recropThroughPipeline(data, options);
    EXPECT_EQ(origins, (std::vector<std::string>{"x:1", "x:2"}));
    ASSERT_EQ(pictures.size(), 2u);
    EXPECT_EQ(pictures[0].size(), cv::Size(192, 192));
    EXPECT_EQ(pictures[0].type(), CV_8UC1) << "grey, as the dataset's crops are";
    // Blurred before it reaches the sink: the square's sharp edge is gone.
    cv::Mat enlarged;
    cv::resize(squareFace("x", 0).image, enlarged, {}, 4, 4, cv::INTER_CUBIC);
    EXPECT_EQ(cv::norm(pictures[0], degradePicture(enlarged, options.degradation), cv::NORM_INF),
              0.0);
}

TEST(RecropThroughPipeline, ARandomTiltTurnsEachPictureByItsOwnSeededAngle) {
    // Three identical items: with a tilt, each picture is turned by an angle of its own; the
    // same seed gives the same pictures, another seed others, no tilt the enlarged crop itself.
    const auto picturesWith = [](double tilt, std::uint64_t seed) {
        Dataset data{{"a", "b"},
                     {squareFace("x:1", 0), squareFace("x:2", 1), squareFace("x:3", 0)}};
        RecropOptions options;
        options.detector = std::make_shared<ScriptedDetector>(
            std::vector<std::vector<Detection>>{{kInsideTheSquare}});
        options.random_tilt_degrees = tilt;
        options.tilt_seed = seed;
        std::vector<cv::Mat> pictures;
        options.picture_sink = [&](const cv::Mat& picture, const LabeledImage&) {
            pictures.push_back(picture.clone());
        };
        recropThroughPipeline(data, options);
        return pictures;
    };
    const auto same = [](const cv::Mat& a, const cv::Mat& b) {
        return cv::norm(a, b, cv::NORM_INF) == 0.0;
    };
    cv::Mat enlarged;
    cv::resize(squareFace("x", 0).image, enlarged, {}, 4, 4, cv::INTER_CUBIC);

    const auto upright = picturesWith(0.0, 7);
    ASSERT_EQ(upright.size(), 3u);
    for (const auto& picture : upright)
        EXPECT_TRUE(same(picture, enlarged));

    const auto tilted = picturesWith(30.0, 7);
    ASSERT_EQ(tilted.size(), 3u);
    for (const auto& picture : tilted)
        EXPECT_FALSE(same(picture, enlarged)) << "every picture is turned";
    EXPECT_FALSE(same(tilted[0], tilted[1])) << "each by an angle of its own";
    EXPECT_FALSE(same(tilted[1], tilted[2]));
    const auto again = picturesWith(30.0, 7);
    for (std::size_t i = 0; i < 3; ++i)
        EXPECT_TRUE(same(tilted[i], again[i])) << "the seed decides the angles, item " << i;
    EXPECT_FALSE(same(picturesWith(30.0, 8)[0], tilted[0]));

    // No turn beyond the bound: a square turned by at most 2 degrees stays nearly the square.
    for (const auto& picture : picturesWith(2.0, 7))
        EXPECT_LT(cv::norm(picture, enlarged, cv::NORM_L1) / enlarged.total(), 8.0);

    Dataset data{{"a"}, {squareFace("x:1", 0)}};
    RecropOptions negative;
    negative.detector =
        std::make_shared<ScriptedDetector>(std::vector<std::vector<Detection>>{{kInsideTheSquare}});
    negative.random_tilt_degrees = -5.0;
    EXPECT_THROW(recropThroughPipeline(data, negative), Error);
}

TEST(RecropThroughPipeline, EachKeptFaceSaysItsEyeTiltAndWhetherTheCropTurnedIt) {
    // Three pictures, three answers: eyes 25 degrees off level, 6 degrees off, no landmarks.
    Dataset data{{"a", "b"}, {squareFace("x:1", 0), squareFace("x:2", 1), squareFace("x:3", 0)}};
    const float rise = static_cast<float>(40.0 * std::tan(25.0 * CV_PI / 180.0));
    const float slight = static_cast<float>(40.0 * std::tan(6.0 * CV_PI / 180.0));
    Detection tilted = kInsideTheSquare;
    tilted.landmarks = {{76, 90}, {116, 90 + rise}, {96, 100}, {80, 112}, {112, 112}};
    Detection leaning = kInsideTheSquare;
    leaning.landmarks = {{76, 90}, {116, 90 - slight}, {96, 100}, {80, 112}, {112, 112}};
    RecropOptions options;
    options.detector = std::make_shared<ScriptedDetector>(
        std::vector<std::vector<Detection>>{{tilted}, {leaning}, {kInsideTheSquare}});
    recropThroughPipeline(data, options);
    ASSERT_EQ(data.items.size(), 3u);
    ASSERT_TRUE(data.items[0].eye_tilt_degrees.has_value());
    EXPECT_NEAR(*data.items[0].eye_tilt_degrees, 25.0, 1e-3);
    EXPECT_TRUE(data.items[0].tilted_beyond_band) << "beyond the app's 10 degrees";
    ASSERT_TRUE(data.items[1].eye_tilt_degrees.has_value());
    EXPECT_NEAR(*data.items[1].eye_tilt_degrees, -6.0, 1e-3);
    EXPECT_FALSE(data.items[1].tilted_beyond_band) << "within the band";
    EXPECT_FALSE(data.items[2].eye_tilt_degrees.has_value()) << "no landmarks: not measured";
    EXPECT_FALSE(data.items[2].tilted_beyond_band);
}
