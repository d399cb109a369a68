#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "emotrace/image_folder.h"
#include "emotrace/model_info.h"
#include "test_support.h"

using namespace emotrace;
using emotrace::test::TempDir;

namespace {

namespace fs = std::filesystem;

void writeImage(const fs::path& path, cv::Size size, int value) {
    fs::create_directories(path.parent_path());
    cv::Mat image(size, CV_8UC3, cv::Scalar::all(value));
    ASSERT_TRUE(cv::imwrite(path.string(), image));
}

std::string errorOf(const std::function<void()>& action) {
    try {
        action();
    } catch (const DatasetError& error) {
        return error.what();
    }
    return "(no DatasetError)";
}

std::string labelOf(const Dataset& dataset, std::size_t item) {
    return dataset.labels[static_cast<std::size_t>(dataset.items[item].label)];
}

// Finds one fixed box in every frame, or none; counts its calls.
class FixedDetector : public FaceDetector {
  public:
    explicit FixedDetector(std::vector<Detection> faces) : faces_(std::move(faces)) {}
    std::vector<Detection> detect(const cv::Mat&) override {
        ++calls;
        return faces_;
    }
    std::string name() const override { return "fixed"; }
    int calls = 0;

  private:
    std::vector<Detection> faces_;
};

}  // namespace

TEST(ImageFolderLoader, MapsFolderNamesAndGroupsCkPlusFramesBySubject) {
    TempDir dir;
    const fs::path root = dir / "CK+48";
    writeImage(root / "anger" / "S010_004_00000017.png", {48, 48}, 10);
    writeImage(root / "anger" / "S011_001_00000003.png", {48, 48}, 20);
    writeImage(root / "happy" / "S010_006_00000015.png", {48, 48}, 30);
    writeImage(root / "sadness" / "photo.png", {48, 48}, 40);
    const auto data = loadImageFolder({root});
    EXPECT_EQ(data.dataset.labels, paperLabels());
    ASSERT_EQ(data.dataset.items.size(), 4u);
    EXPECT_EQ(labelOf(data.dataset, 0), "angry");
    EXPECT_EQ(labelOf(data.dataset, 2), "happy");
    EXPECT_EQ(labelOf(data.dataset, 3), "sad");
    EXPECT_EQ(data.dataset.items[0].group, "S010");
    EXPECT_EQ(data.dataset.items[1].group, "S011");
    EXPECT_EQ(data.dataset.items[2].group, "S010");
    EXPECT_TRUE(data.dataset.items[3].group.empty());
    EXPECT_EQ(data.dataset.items[0].origin, "CK+48/anger/S010_004_00000017.png");
    const cv::Mat& image = data.dataset.items[1].image;
    EXPECT_EQ(image.type(), CV_8UC1);
    EXPECT_EQ(image.size(), cv::Size(48, 48));
    EXPECT_EQ(image.at<std::uint8_t>(5, 5), 20);
    EXPECT_EQ(data.faces_cropped, 0u);
}

TEST(ImageFolderLoader, CanKeepTheFolderNamesAsLabels) {
    TempDir dir;
    writeImage(dir / "data" / "bored" / "a.png", {48, 48}, 1);
    writeImage(dir / "data" / "calm" / "b.png", {48, 48}, 1);
    ImageFolderOptions options{dir / "data"};
    options.paper_labels = false;
    const auto data = loadImageFolder(options);
    EXPECT_EQ(data.dataset.labels, (std::vector<std::string>{"bored", "calm"}));
    EXPECT_EQ(data.dataset.items[1].label, 1);
}

TEST(ImageFolderLoader, SkipsUnreadableAndEmptyFilesNamingThem) {
    TempDir dir;
    const fs::path root = dir / "faces";
    writeImage(root / "fear" / "good.png", {48, 48}, 5);
    std::ofstream(root / "fear" / "broken.png") << "not an image";
    std::ofstream(root / "fear" / "empty.png");
    const auto data = loadImageFolder({root});
    EXPECT_EQ(data.dataset.items.size(), 1u);
    EXPECT_EQ(data.report.skipped(), 2u);
    EXPECT_EQ(data.report.skippedByReason().at("unreadable image"), 1u);
    EXPECT_EQ(data.report.skippedByReason().at("empty file"), 1u);
    const std::string summary = data.report.summary();
    EXPECT_NE(summary.find("faces/fear/broken.png"), std::string::npos) << summary;
    EXPECT_NE(summary.find("faces/fear/empty.png"), std::string::npos) << summary;

    ImageFolderOptions strict{root};
    strict.strict = true;
    const std::string message = errorOf([&] { loadImageFolder(strict); });
    EXPECT_NE(message.find("faces/fear/broken.png"), std::string::npos) << message;
}

TEST(ImageFolderLoader, ReportsEmptyAndUnknownClassFolders) {
    TempDir dir;
    const fs::path root = dir / "faces";
    writeImage(root / "happy" / "a.png", {48, 48}, 5);
    fs::create_directories(root / "contempt");
    writeImage(root / "bored" / "b.png", {48, 48}, 5);
    const auto data = loadImageFolder({root});
    EXPECT_EQ(data.dataset.items.size(), 1u);
    ASSERT_EQ(data.report.warnings().size(), 2u);
    const std::string bored = data.report.warnings()[0];
    EXPECT_NE(bored.find("'bored'"), std::string::npos) << bored;
    EXPECT_NE(bored.find("happy (happiness)"), std::string::npos) << bored;
    EXPECT_NE(data.report.warnings()[1].find("faces/contempt: empty"), std::string::npos);

    ImageFolderOptions strict{root};
    strict.strict = true;
    EXPECT_NE(errorOf([&] { loadImageFolder(strict); }).find("bored"), std::string::npos);
}

TEST(ImageFolderLoader, MissingOrClasslessRootIsAnError) {
    TempDir dir;
    EXPECT_NE(errorOf([&] { loadImageFolder({dir / "absent"}); }).find("absent"),
              std::string::npos);
    fs::create_directories(dir / "flat");
    writeImage(dir / "flat" / "a.png", {48, 48}, 1);
    EXPECT_NE(errorOf([&] { loadImageFolder({dir / "flat"}); }).find("no class folders"),
              std::string::npos);
}

TEST(ImageFolderLoader, SmallImagesAreResizedAndLargeOnesCroppedAroundTheFace) {
    TempDir dir;
    const fs::path root = dir / "photos";
    writeImage(root / "happy" / "small.png", {32, 32}, 50);
    // A large image: dark background, a bright square where the detector says the face is.
    fs::create_directories(root / "happy");
    cv::Mat photo(300, 400, CV_8UC3, cv::Scalar::all(0));
    photo(cv::Rect(100, 50, 120, 120)).setTo(cv::Scalar::all(200));
    ASSERT_TRUE(cv::imwrite((root / "happy" / "photo.png").string(), photo));

    auto detector = std::make_shared<FixedDetector>(
        std::vector<Detection>{{cv::Rect2f(110.f, 60.f, 100.f, 100.f), 0.9f}});
    ImageFolderOptions options{root};
    options.detector = detector;
    const auto data = loadImageFolder(options);
    ASSERT_EQ(data.dataset.items.size(), 2u);
    EXPECT_EQ(detector->calls, 1);  // the small image needs no detection
    EXPECT_EQ(data.faces_cropped, 1u);
    const cv::Mat& crop = data.dataset.items[0].image;  // photo.png sorts first
    ASSERT_EQ(crop.size(), cv::Size(48, 48));
    ASSERT_EQ(crop.type(), CV_8UC1);
    // The margin of 10% around the 100-pixel box stays inside the bright square.
    EXPECT_EQ(cv::countNonZero(crop < 195), 0);
    const cv::Mat& resized = data.dataset.items[1].image;
    EXPECT_EQ(resized.size(), cv::Size(48, 48));
    EXPECT_EQ(resized.at<std::uint8_t>(24, 24), 50);
}

TEST(ImageFolderLoader, LargeImagesWithoutAFaceAreSkippedAndCounted) {
    TempDir dir;
    writeImage(dir / "photos" / "sad" / "wall.png", {200, 150}, 90);
    ImageFolderOptions options{dir / "photos"};
    options.detector = std::make_shared<FixedDetector>(std::vector<Detection>{});
    const auto data = loadImageFolder(options);
    EXPECT_TRUE(data.dataset.items.empty());
    EXPECT_EQ(data.report.skippedByReason().at("no face found"), 1u);
    EXPECT_NE(data.report.examples().at(0).find("photos/sad/wall.png"), std::string::npos);
}

TEST(CkPlusNames, SubjectIsTheSPrefix) {
    EXPECT_EQ(ckPlusSubject("S010_004_00000017.png"), "S010");
    EXPECT_EQ(ckPlusSubject("S504_002_00000009.png"), "S504");
    EXPECT_EQ(ckPlusSubject("photo.png"), "");
    EXPECT_EQ(ckPlusSubject("S010.png"), "");
}

TEST(ImageFolderRealData, CkPlus48Has981ImagesInSevenClasses) {
    const auto archive = test::sharedData("ckplus/CK+48.tar.xz");
    if (!archive)
        EMOTRACE_SKIP_WITHOUT_DATA("ckplus/CK+48.tar.xz");
    TempDir dir;
    ASSERT_EQ(
        std::system(
            ("tar -xJf '" + archive->string() + "' -C '" + dir.path().string() + "'").c_str()),
        0);
    const auto data = loadImageFolder({dir / "CK+48"});
    EXPECT_EQ(data.report.skipped(), 0u) << data.report.summary();
    EXPECT_TRUE(data.report.warnings().empty()) << data.report.summary();
    ASSERT_EQ(data.dataset.items.size(), 981u);
    std::map<std::string, int> per_class;
    for (std::size_t i = 0; i < data.dataset.items.size(); ++i) {
        ++per_class[labelOf(data.dataset, i)];
        EXPECT_FALSE(data.dataset.items[i].group.empty()) << data.dataset.items[i].origin;
    }
    EXPECT_EQ(per_class, (std::map<std::string, int>{{"angry", 135},
                                                     {"contempt", 54},
                                                     {"disgust", 177},
                                                     {"fear", 75},
                                                     {"happy", 207},
                                                     {"sad", 84},
                                                     {"surprise", 249}}));
}

TEST(ImageFolderRealData, APhotoOfAFaceIsDetectedAndCropped) {
    const auto clip = test::sharedData("videos/liveportrait_d0.mp4");
    if (!clip)
        EMOTRACE_SKIP_WITHOUT_DATA("videos/liveportrait_d0.mp4");
    const cv::Mat frame = test::firstFrame(*clip);
    ASSERT_FALSE(frame.empty());
    TempDir dir;
    fs::create_directories(dir / "photos" / "neutral");
    ASSERT_TRUE(cv::imwrite((dir / "photos" / "neutral" / "frame.jpg").string(), frame));
    const auto data = loadImageFolder({dir / "photos"});
    ASSERT_EQ(data.dataset.items.size(), 1u) << data.report.summary();
    EXPECT_EQ(data.faces_cropped, 1u);
    EXPECT_EQ(data.dataset.items[0].image.size(), cv::Size(48, 48));
}
