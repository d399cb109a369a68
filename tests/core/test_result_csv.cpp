#include <algorithm>
#include <filesystem>
#include <fstream>
#include <locale>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "emotrace/error.h"
#include "emotrace/result_csv.h"
#include "test_support.h"

namespace emotrace {
namespace {

const std::vector<std::string> kLabels = {"angry", "happy", "neutral"};

FrameResult frameWithoutFace(std::int64_t index, double timestamp_ms) {
    FrameResult result;
    result.frame_index = index;
    result.timestamp_ms = timestamp_ms;
    return result;
}

FrameResult frameWithTwoFaces() {
    FrameResult result;
    result.frame_index = 7;
    result.timestamp_ms = 233.3333;
    result.faces.push_back(
        {cv::Rect2f(10.24f, 20.5f, 100.0f, 120.76f), 0.91f, {0.125f, 0.7f, 0.175f}});
    result.faces.push_back({cv::Rect2f(-3.0f, 0.04f, 50.0f, 60.0f), 0.5f, {1.0f, 0.0f, 0.0f}});
    return result;
}

std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A numpunct that writes "1,5": what a German or French locale does to streams.
struct CommaDecimal : std::numpunct<char> {
    char do_decimal_point() const override { return ','; }
};

class GlobalLocaleGuard {
  public:
    explicit GlobalLocaleGuard(const std::locale& locale)
        : previous_(std::locale::global(locale)) {}
    ~GlobalLocaleGuard() { std::locale::global(previous_); }

  private:
    std::locale previous_;
};

// The reading-quality columns, last (docs/csv-schema.md), and their cells when not measured.
const std::string kQualityHeader =
    ",quality,head_roll,head_yaw,head_pitch,face_size_px,sharpness,brightness,clipped_share,"
    "quality_limited_by";
const std::string kNoQuality = ",,,,,,,,,";

TEST(ResultCsv, HeaderHasOneProbabilityColumnPerLabelInModelOrder) {
    EXPECT_EQ(csvHeader(kLabels),
              "frame,timestamp_ms,face,x,y,width,height,detection_confidence,"
              "p_angry,p_happy,p_neutral" +
                  kQualityHeader);
}

TEST(ResultCsv, HeaderWithoutModelHasNoProbabilityColumns) {
    EXPECT_EQ(csvHeader({}),
              "frame,timestamp_ms,face,x,y,width,height,detection_confidence" + kQualityHeader);
}

TEST(ResultCsv, HeaderReplacesCharactersThatBreakColumnNames) {
    const std::vector<std::string> labels = {"very happy", "a,b", "x_1"};
    EXPECT_EQ(csvHeader(labels),
              "frame,timestamp_ms,face,x,y,width,height,detection_confidence,"
              "p_very_happy,p_a_b,p_x_1" +
                  kQualityHeader);
}

TEST(ResultCsv, FaceRowsUseFixedDecimals) {
    EXPECT_EQ(csvRows(frameWithTwoFaces(), kLabels.size()),
              "7,233.333,0,10.2,20.5,100.0,120.8,0.910000,0.125000,0.700000,0.175000" + kNoQuality +
                  "\n7,233.333,1,-3.0,0.0,50.0,60.0,0.500000,1.000000,0.000000,0.000000" +
                  kNoQuality + "\n");
}

// A value that rounds to zero is written "0...", never "-0...": a diff of two runs would
// otherwise show a change where there is none. True negatives keep their sign.
TEST(ResultCsv, ValuesThatRoundToZeroHaveNoMinusSign) {
    FrameResult result = frameWithoutFace(2, -0.0004);
    result.faces.push_back(
        {cv::Rect2f(-0.04f, -0.0f, -0.06f, 4.0f), -0.0000004f, {-1e-9f, -0.0f, 1.0f}});
    EXPECT_EQ(csvRows(result, kLabels.size()),
              "2,0.000,0,0.0,0.0,-0.1,4.0,0.000000,0.000000,0.000000,1.000000" + kNoQuality + "\n");
}

TEST(ResultCsv, FrameWithoutFaceGetsOneRowWithEmptyCells) {
    EXPECT_EQ(csvRows(frameWithoutFace(3, 100.0), kLabels.size()),
              "3,100.000,-1,,,,,,,," + kNoQuality + "\n");
    EXPECT_EQ(csvRows(frameWithoutFace(3, 100.0), 0), "3,100.000,-1,,,,," + kNoQuality + "\n");
}

TEST(ResultCsv, EveryRowHasAsManyCellsAsTheHeader) {
    const auto columns = [](const std::string& line) {
        return std::count(line.begin(), line.end(), ',') + 1;
    };
    const auto header_columns = columns(csvHeader(kLabels));
    std::istringstream rows(csvRows(frameWithTwoFaces(), kLabels.size()) +
                            csvRows(frameWithoutFace(0, 0.0), kLabels.size()));
    for (std::string line; std::getline(rows, line);)
        EXPECT_EQ(columns(line), header_columns) << line;
}

TEST(ResultCsv, FaceWithoutProbabilitiesGetsEmptyProbabilityCells) {
    FrameResult result = frameWithoutFace(0, 0.0);
    result.faces.push_back({cv::Rect2f(1.0f, 2.0f, 3.0f, 4.0f), 0.75f, {}});
    EXPECT_EQ(csvRows(result, 2), "0,0.000,0,1.0,2.0,3.0,4.0,0.750000,," + kNoQuality + "\n");
    EXPECT_EQ(csvRows(result, 0), "0,0.000,0,1.0,2.0,3.0,4.0,0.750000" + kNoQuality + "\n");
}

TEST(ResultCsv, MeasuredQualityFillsTheLastColumnsAndPoseOnlyWithLandmarks) {
    FrameResult result = frameWithoutFace(4, 160.0);
    ReadingQuality with_pose;
    with_pose.pose = HeadPose{-12.34, 5.06, -0.04};
    with_pose.face_size_px = 88.0;
    with_pose.sharpness = 143.25;
    with_pose.brightness = 97.5;
    with_pose.clipped = 0.0125;
    with_pose.quality = 0.8125;
    ReadingQuality without_landmarks = with_pose;
    without_landmarks.pose.reset();
    without_landmarks.quality = 0.45;
    without_landmarks.limited_by = "small face";
    result.faces.push_back({cv::Rect2f(1, 2, 88, 90), 0.75f, {}, -1, {}, with_pose});
    result.faces.push_back({cv::Rect2f(1, 2, 88, 90), 0.75f, {}, -1, {}, without_landmarks});
    EXPECT_EQ(csvRows(result, 0),
              "4,160.000,0,1.0,2.0,88.0,90.0,0.750000,0.812,-12.3,5.1,0.0,88.0,143.2,97.5,0.013,\n"
              "4,160.000,1,1.0,2.0,88.0,90.0,0.750000,0.450,,,,88.0,143.2,97.5,0.013,small face\n");
}

TEST(ResultCsv, ProbabilityCountOtherThanLabelCountIsRejected) {
    EXPECT_THROW(csvRows(frameWithTwoFaces(), 2), std::invalid_argument);
}

TEST(ResultCsv, WriterWritesHeaderAndRowsWithUnixLineEndings) {
    test::TempDir dir;
    const auto path = dir / "out.csv";
    ResultCsvWriter writer(path, kLabels);
    writer.write(frameWithoutFace(0, 0.0));
    writer.write(frameWithTwoFaces());
    writer.close();
    EXPECT_EQ(writer.rowsWritten(), 3);
    EXPECT_EQ(readFile(path),
              "frame,timestamp_ms,face,x,y,width,height,detection_confidence,"
              "p_angry,p_happy,p_neutral" +
                  kQualityHeader + "\n0,0.000,-1,,,,,,,," + kNoQuality +
                  "\n"
                  "7,233.333,0,10.2,20.5,100.0,120.8,0.910000,0.125000,0.700000,0.175000" +
                  kNoQuality +
                  "\n7,233.333,1,-3.0,0.0,50.0,60.0,0.500000,1.000000,0.000000,0.000000" +
                  kNoQuality + "\n");
}

TEST(ResultCsv, TheFileAppearsUnderItsNameWhenTheWriterCloses) {
    test::TempDir dir;
    const auto path = dir / "out.csv";
    ResultCsvWriter writer(path, {});
    writer.write(frameWithoutFace(0, 40.0));
    EXPECT_FALSE(std::filesystem::exists(path)) << "half a run never shows under the name";
    writer.close();
    EXPECT_EQ(readFile(path), csvHeader({}) + "\n0,40.000,-1,,,,," + kNoQuality + "\n");
}

TEST(ResultCsv, ADeviceIsWrittenInPlaceNotReplaced) {
    ResultCsvWriter writer("/dev/null", kLabels);
    writer.write(frameWithTwoFaces());
    writer.close();
    EXPECT_TRUE(std::filesystem::is_character_file("/dev/null"));
}

TEST(ResultCsv, DecimalPointIgnoresTheGlobalLocale) {
    test::TempDir dir;
    const auto path = dir / "out.csv";
    {
        GlobalLocaleGuard comma(std::locale(std::locale::classic(), new CommaDecimal));
        std::ostringstream probe;
        probe << 1.5;
        ASSERT_EQ(probe.str(), "1,5") << "the test locale did not take effect";
        ResultCsvWriter writer(path, kLabels);
        writer.write(frameWithTwoFaces());
        writer.close();
    }
    EXPECT_EQ(readFile(path), csvHeader(kLabels) + "\n" + csvRows(frameWithTwoFaces(), 3));
    EXPECT_NE(readFile(path).find("233.333"), std::string::npos);
}

TEST(ResultCsv, MissingFolderGivesOutputErrorNamingTheFile) {
    test::TempDir dir;
    const auto path = dir / "no-such-folder" / "out.csv";
    try {
        ResultCsvWriter writer(path, kLabels);
        FAIL() << "expected OutputError";
    } catch (const OutputError& error) {
        EXPECT_NE(std::string(error.what()).find(path.string()), std::string::npos) << error.what();
    }
}

TEST(ResultCsv, FullDiskGivesOutputErrorNamingTheFile) {
    // /dev/full accepts the open and fails every write with ENOSPC, like a full disk.
    const std::filesystem::path full = "/dev/full";
    if (!std::filesystem::exists(full))
        GTEST_SKIP() << "/dev/full not available";
    try {
        ResultCsvWriter writer(full, kLabels);
        writer.write(frameWithTwoFaces());
        writer.close();  // rows are buffered: the disk says no when they are written
        FAIL() << "expected OutputError";
    } catch (const OutputError& error) {
        EXPECT_NE(std::string(error.what()).find("/dev/full"), std::string::npos) << error.what();
    }
}

}  // namespace
}  // namespace emotrace
