#include <cstdlib>
#include <fstream>
#include <functional>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "emotrace/error.h"
#include "emotrace/face_detector.h"
#include "test_support.h"

using namespace emotrace;
using emotrace::test::TempDir;

namespace {

const std::string kTalkingHeadClip = "videos/liveportrait_d0.mp4";

std::unique_ptr<FaceDetector> detectorOf(DetectorKind kind) {
    DetectorOptions options;
    options.kind = kind;
    return createFaceDetector(options);
}

// Every 8th frame of the clip: ten frames spanning neutral, grin and back.
std::vector<cv::Mat> sampledFrames(const std::filesystem::path& clip) {
    cv::VideoCapture capture(clip.string());
    std::vector<cv::Mat> frames;
    cv::Mat frame;
    for (int index = 0; capture.read(frame); ++index) {
        if (index % 8 == 0)
            frames.push_back(frame.clone());
    }
    return frames;
}

float intersectionOverUnion(const cv::Rect2f& a, const cv::Rect2f& b) {
    const float intersection = (a & b).area();
    return intersection / (a.area() + b.area() - intersection);
}

void expectInsideFrame(const Detection& detection, cv::Size frame) {
    EXPECT_GE(detection.box.x, 0.0f);
    EXPECT_GE(detection.box.y, 0.0f);
    EXPECT_LE(detection.box.x + detection.box.width, static_cast<float>(frame.width));
    EXPECT_LE(detection.box.y + detection.box.height, static_cast<float>(frame.height));
    EXPECT_GT(detection.box.area(), 0.0f);
}

std::string detectorErrorOf(const std::function<void()>& action) {
    try {
        action();
    } catch (const DetectorError& error) {
        return error.what();
    }
    return "(no DetectorError thrown)";
}

}  // namespace

TEST(DetectorKindNames, ParseAcceptsEveryNameAndToStringRoundTrips) {
    EXPECT_EQ(parseDetectorKind("yunet"), DetectorKind::YuNet2023);
    EXPECT_EQ(parseDetectorKind("YuNet2023"), DetectorKind::YuNet2023);
    EXPECT_EQ(parseDetectorKind("yunet2022"), DetectorKind::YuNet2022);
    EXPECT_EQ(parseDetectorKind("haar"), DetectorKind::Haar);
    for (auto kind : {DetectorKind::YuNet2023, DetectorKind::YuNet2022, DetectorKind::Haar}) {
        EXPECT_EQ(parseDetectorKind(toString(kind)), kind);
    }
}

TEST(DetectorKindNames, UnknownNameErrorListsTheValidNames) {
    try {
        parseDetectorKind("mtcnn");
        FAIL() << "no error for an unknown detector";
    } catch (const Error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("mtcnn"), std::string::npos) << message;
        for (const char* name : {"yunet2023", "yunet2022", "haar"}) {
            EXPECT_NE(message.find(name), std::string::npos) << message;
        }
    }
}

TEST(DefaultModelPath, ShippedYuNetModelsExistInTheSourceTree) {
    if (std::getenv("EMOTRACE_RESOURCES"))
        GTEST_SKIP() << "EMOTRACE_RESOURCES overrides the tree";
    EXPECT_TRUE(std::filesystem::exists(defaultModelPath(DetectorKind::YuNet2023)));
    EXPECT_TRUE(std::filesystem::exists(defaultModelPath(DetectorKind::YuNet2022)));
    EXPECT_EQ(defaultModelPath(DetectorKind::Haar).filename(),
              "haarcascade_frontalface_default.xml");
}

TEST(DefaultModelPath, EmotraceResourcesOverridesTheSourceTree) {
    TempDir dir;
    ASSERT_EQ(setenv("EMOTRACE_RESOURCES", dir.path().c_str(), 1), 0);
    const auto path = defaultModelPath(DetectorKind::YuNet2023);
    unsetenv("EMOTRACE_RESOURCES");
    EXPECT_EQ(path, dir / "face_detection_yunet_2023mar.onnx");
}

TEST(CreateFaceDetector, MissingModelErrorNamesTheFileAndTheFix) {
    DetectorOptions options;
    options.model_path = "/nonexistent/face_detection_yunet_2023mar.onnx";
    const std::string message = detectorErrorOf([&] { createFaceDetector(options); });
    EXPECT_NE(message.find(options.model_path.string()), std::string::npos) << message;
    EXPECT_NE(message.find("EMOTRACE_RESOURCES"), std::string::npos) << message;
}

TEST(CreateFaceDetector, YuNet2022FileGivenAsYuNet2023IsRejectedAsTheWrongModel) {
    DetectorOptions options;
    options.kind = DetectorKind::YuNet2023;
    options.model_path = defaultModelPath(DetectorKind::YuNet2022);
    const std::string message = detectorErrorOf([&] { createFaceDetector(options); });
    EXPECT_NE(message.find("face_detection_yunet_2022mar.onnx"), std::string::npos) << message;
    EXPECT_NE(message.find("2023mar"), std::string::npos) << message;
}

TEST(CreateFaceDetector, ThresholdOutsideUnitRangeIsRejected) {
    DetectorOptions options;
    options.score_threshold = 1.5f;
    EXPECT_THROW(createFaceDetector(options), Error);
}

class EveryDetector : public ::testing::TestWithParam<DetectorKind> {};

INSTANTIATE_TEST_SUITE_P(Kinds, EveryDetector,
                         ::testing::Values(DetectorKind::YuNet2023, DetectorKind::YuNet2022,
                                           DetectorKind::Haar),
                         [](const auto& param_info) { return toString(param_info.param); });

TEST_P(EveryDetector, CorruptModelFileErrorNamesTheFile) {
    TempDir dir;
    const auto path = dir / ("broken" + defaultModelPath(GetParam()).extension().string());
    std::ofstream(path) << "half a download";
    DetectorOptions options;
    options.kind = GetParam();
    options.model_path = path;
    const std::string message = detectorErrorOf([&] { createFaceDetector(options); });
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
}

TEST_P(EveryDetector, NameIsTheKindsName) {
    EXPECT_EQ(detectorOf(GetParam())->name(), toString(GetParam()));
}

TEST_P(EveryDetector, FindsNoFaceInAMidGreyFrame) {
    const cv::Mat grey(480, 640, CV_8UC3, cv::Scalar::all(128));
    EXPECT_TRUE(detectorOf(GetParam())->detect(grey).empty());
}

TEST_P(EveryDetector, RejectsAFrameThatIsNotBgr) {
    const cv::Mat grey(480, 640, CV_8UC1, cv::Scalar::all(128));
    try {
        detectorOf(GetParam())->detect(grey);
        FAIL() << "a one-channel frame was accepted";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("CV_8UC3"), std::string::npos) << error.what();
    }
}

TEST_P(EveryDetector, FindsExactlyOneFaceOfPlausibleSizeInEachTalkingHeadFrame) {
    const auto clip = test::sharedData(kTalkingHeadClip);
    if (!clip)
        EMOTRACE_SKIP_WITHOUT_DATA(kTalkingHeadClip);
    auto detector = detectorOf(GetParam());
    const auto frames = sampledFrames(*clip);
    ASSERT_EQ(frames.size(), 10u);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const auto faces = detector->detect(frames[i]);
        ASSERT_EQ(faces.size(), 1u) << "sampled frame " << i;
        const auto& face = faces.front();
        expectInsideFrame(face, frames[i].size());
        // A talking head fills a good part of the 512x512 frame: neither a speck nor the frame.
        EXPECT_GT(face.box.width, frames[i].cols * 0.15f) << "sampled frame " << i;
        EXPECT_LT(face.box.width, frames[i].cols * 0.8f) << "sampled frame " << i;
        EXPECT_GT(face.box.height, frames[i].rows * 0.15f) << "sampled frame " << i;
        EXPECT_LT(face.box.height, frames[i].rows * 0.8f) << "sampled frame " << i;
        EXPECT_GT(face.score, 0.0f);
        EXPECT_LE(face.score, 1.0f);
    }
}

TEST_P(EveryDetector, ReportsTwoFacesBestFirst) {
    const auto clip = test::sharedData(kTalkingHeadClip);
    if (!clip)
        EMOTRACE_SKIP_WITHOUT_DATA(kTalkingHeadClip);
    // Two people side by side, the second one half the size: the larger, clearer face is best.
    const cv::Mat face = test::firstFrame(*clip);
    cv::Mat two_people(face.rows, face.cols * 3 / 2, CV_8UC3, cv::Scalar::all(128));
    face.copyTo(two_people(cv::Rect(0, 0, face.cols, face.rows)));
    cv::Mat small;
    cv::resize(face, small, face.size() / 2, 0, 0, cv::INTER_AREA);
    small.copyTo(two_people(cv::Rect(face.cols, face.rows / 4, small.cols, small.rows)));

    const auto faces = detectorOf(GetParam())->detect(two_people);
    ASSERT_EQ(faces.size(), 2u);
    EXPECT_GE(faces[0].score, faces[1].score);
    EXPECT_LT(faces[0].box.x, static_cast<float>(face.cols)) << "the large face comes first";
    EXPECT_GE(faces[1].box.x, static_cast<float>(face.cols) * 0.9f);
}

TEST_P(EveryDetector, BoxOfAFaceCutByTheFrameEdgeIsClampedToTheFrame) {
    const auto clip = test::sharedData(kTalkingHeadClip);
    if (!clip)
        EMOTRACE_SKIP_WITHOUT_DATA(kTalkingHeadClip);
    const cv::Mat face = test::firstFrame(*clip);
    const auto centred = detectorOf(GetParam())->detect(face);
    ASSERT_EQ(centred.size(), 1u);
    // Shift the picture left so a quarter of the face leaves the frame.
    const int shift = static_cast<int>(centred[0].box.x + centred[0].box.width / 4);
    cv::Mat cut(face.size(), CV_8UC3, cv::Scalar::all(128));
    face(cv::Rect(shift, 0, face.cols - shift, face.rows))
        .copyTo(cut(cv::Rect(0, 0, face.cols - shift, face.rows)));
    for (const auto& detection : detectorOf(GetParam())->detect(cut)) {
        expectInsideFrame(detection, cut.size());
    }
}

// The black-frame check is split by model: YuNet 2022mar has a known false face there.
TEST(YuNet2023, FindsNoFaceInAnAllBlackFrame) {
    const cv::Mat black(480, 640, CV_8UC3, cv::Scalar::all(0));
    EXPECT_TRUE(detectorOf(DetectorKind::YuNet2023)->detect(black).empty());
}

TEST(Haar, FindsNoFaceInAnAllBlackFrame) {
    const cv::Mat black(480, 640, CV_8UC3, cv::Scalar::all(0));
    EXPECT_TRUE(detectorOf(DetectorKind::Haar)->detect(black).empty());
}

// Documents a weakness of the 2022mar model rather than wanting it: at the default threshold
// (0.6) it sees a face in pure black, at 0.64 after the default downscale to 320 px and at 0.80
// and 0.73 (two faces) at full 640x480. This is one reason YuNet 2023mar is the default.
TEST(YuNet2022, SeesAFalseFaceInAnAllBlackFrameAtTheDefaultThreshold) {
    const cv::Mat black(480, 640, CV_8UC3, cv::Scalar::all(0));
    const auto faces = detectorOf(DetectorKind::YuNet2022)->detect(black);
    ASSERT_FALSE(faces.empty());
    EXPECT_LT(faces.front().score, 0.8f);
}

// Threshold 0.8 removes the black-frame false faces at both input sizes and still finds every
// face in the shared clips.
TEST(YuNet2022, FindsNoFaceInAnAllBlackFrameAtThreshold0_8) {
    const cv::Mat black(480, 640, CV_8UC3, cv::Scalar::all(0));
    for (int max_input_side : {320, 0}) {
        DetectorOptions options;
        options.kind = DetectorKind::YuNet2022;
        options.score_threshold = 0.8f;
        options.max_input_side = max_input_side;
        EXPECT_TRUE(createFaceDetector(options)->detect(black).empty())
            << "max_input_side " << max_input_side;
    }
}

TEST(YuNet2022, InstancesKeepTheirOwnInputSize) {
    const auto clip = test::sharedData(kTalkingHeadClip);
    if (!clip)
        EMOTRACE_SKIP_WITHOUT_DATA(kTalkingHeadClip);
    const cv::Mat face = test::firstFrame(*clip);
    auto first = detectorOf(DetectorKind::YuNet2022);
    auto second = detectorOf(DetectorKind::YuNet2022);
    const auto before = first->detect(face);
    second->detect(cv::Mat(240, 400, CV_8UC3, cv::Scalar::all(128)));
    const auto after = first->detect(face);
    ASSERT_EQ(before.size(), 1u);
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(before[0].box, after[0].box);
}

TEST(YuNet2023, DownscaledDetectionMapsBackOntoTheFullFrameBox) {
    const auto clip = test::sharedData(kTalkingHeadClip);
    if (!clip)
        EMOTRACE_SKIP_WITHOUT_DATA(kTalkingHeadClip);
    const cv::Mat face = test::firstFrame(*clip);
    DetectorOptions full;
    full.max_input_side = 0;
    DetectorOptions downscaled;
    downscaled.max_input_side = 160;
    const auto at_full_size = createFaceDetector(full)->detect(face);
    const auto at_160 = createFaceDetector(downscaled)->detect(face);
    ASSERT_EQ(at_full_size.size(), 1u);
    ASSERT_EQ(at_160.size(), 1u);
    EXPECT_GT(intersectionOverUnion(at_full_size[0].box, at_160[0].box), 0.8f)
        << at_full_size[0].box << " vs " << at_160[0].box;
}
