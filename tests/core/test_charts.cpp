// The OpenCV charts of the headless tools: each writes a PNG of the requested size that is not
// blank, draws what it is asked to (colours at the expected places), and names bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>

#include <opencv2/imgcodecs.hpp>

#include "emotrace/charts.h"
#include "emotrace/error.h"
#include "test_support.h"

using namespace emotrace;
using emotrace::test::TempDir;

namespace {

int distinctColours(const cv::Mat& image) {
    std::set<std::uint32_t> seen;
    for (int y = 0; y < image.rows; y += 3) {
        for (int x = 0; x < image.cols; x += 3) {
            const auto p = image.at<cv::Vec3b>(y, x);
            seen.insert(static_cast<std::uint32_t>(p[0] | (p[1] << 8) | (p[2] << 16)));
        }
    }
    return static_cast<int>(seen.size());
}

cv::Mat expectPicture(const std::filesystem::path& png, int width, int height) {
    EXPECT_TRUE(std::filesystem::exists(png)) << png;
    const cv::Mat image = cv::imread(png.string(), cv::IMREAD_COLOR);
    EXPECT_FALSE(image.empty()) << png;
    if (image.empty())
        return image;
    EXPECT_EQ(image.cols, width);
    EXPECT_EQ(image.rows, height);
    EXPECT_GT(distinctColours(image), 8) << png << " looks blank";
    return image;
}

// Pixels of exactly this colour (0xRRGGBB) in the image.
int pixelsOf(const cv::Mat& image, std::uint32_t rgb) {
    const cv::Vec3b want(rgb & 0xff, (rgb >> 8) & 0xff, (rgb >> 16) & 0xff);
    int count = 0;
    for (int y = 0; y < image.rows; ++y)
        for (int x = 0; x < image.cols; ++x)
            count += image.at<cv::Vec3b>(y, x) == want ? 1 : 0;
    return count;
}

}  // namespace

TEST(Charts, BarChartDrawsEachBarInItsEmotionColour) {
    TempDir dir;
    ChartStyle style{"Class distribution", "class", "images", 640, 400};
    saveBarChart(dir / "bars.png", {"angry", "happy", "sad"}, {120, 340, 75}, style);
    const auto image = expectPicture(dir / "bars.png", 640, 400);
    const int angry = pixelsOf(image, emotionRgb("angry", 0));
    const int happy = pixelsOf(image, emotionRgb("happy", 1));
    const int sad = pixelsOf(image, emotionRgb("sad", 2));
    EXPECT_GT(angry, 100);
    // Same bar width, so areas follow the values: happy (340) > angry (120) > sad (75).
    EXPECT_GT(happy, angry);
    EXPECT_GT(angry, sad);
}

TEST(Charts, GroupedBarChartHasOneColourPerSeries) {
    TempDir dir;
    saveGroupedBarChart(dir / "grouped.png", {"ResNet18", "VGG16", "MyCNNv1"},
                        {"baseline", "SMOTE"}, {{0.61, 0.58, 0.52}, {0.63, 0.57, 0.55}},
                        {"Accuracy", "model", "accuracy", 800, 450});
    const auto image = expectPicture(dir / "grouped.png", 800, 450);
    EXPECT_GT(pixelsOf(image, 0x1f77b4), 1000);  // first series
    EXPECT_GT(pixelsOf(image, 0xff7f0e), 1000);  // second series
}

TEST(Charts, GroupedBarChartTakesGivenColoursAndDrawsNoBarForAMissingFigure) {
    TempDir dir;
    ChartStyle style{"Beside the paper", "model", "accuracy", 800, 450};
    style.series_rgb = {0x123456, 0x654321};
    const double missing = std::nan("");
    saveGroupedBarChart(dir / "grouped.png", {"two_branch", "resnet18"}, {"paper", "here"},
                        {{missing, missing}, {53.4, 60.2}}, style);
    const auto image = expectPicture(dir / "grouped.png", 800, 450);
    EXPECT_EQ(pixelsOf(image, 0x123456), 14 * 12) << "the legend's swatch only: no bar";
    EXPECT_GT(pixelsOf(image, 0x654321), 1000);
    EXPECT_EQ(pixelsOf(image, 0x1f77b4), 0) << "the default palette is not used";
}

TEST(Charts, ScatterWithDiagonal) {
    TempDir dir;
    saveScatterWithDiagonal(dir / "scatter.png", {0.4, 0.5, 0.6}, {0.45, 0.48, 0.62},
                            {"a", "b", "c"}, {"Macro-F1", "baseline", "SMOTE", 600, 600});
    expectPicture(dir / "scatter.png", 600, 600);
}

namespace {

// Whether a label box covers a point's 5-pixel disc.
bool coversPoint(const cv::Rect& box, cv::Point point) {
    const cv::Rect disc(point.x - 5, point.y - 5, 11, 11);
    return (box & disc).area() > 0;
}

}  // namespace

TEST(Charts, ALonePointsLabelSitsBesideItAndStaysInside) {
    const cv::Rect area(0, 0, 500, 500);
    const auto middle = placePointLabels({{100, 250}}, {{60, 10}}, area);
    ASSERT_EQ(middle.size(), 1u);
    EXPECT_GT(middle[0].x, 100);  // to its right
    EXPECT_NEAR(middle[0].y + middle[0].height / 2, 250 - 8, 1);
    // Near the right edge the label goes to the left of its point, inside the plot.
    const auto edge = placePointLabels({{480, 250}}, {{60, 10}}, area);
    EXPECT_LT(edge[0].x + edge[0].width, 480);
    EXPECT_EQ(edge[0] & area, edge[0]);
}

TEST(Charts, LabelsOfPointsOnTopOfEachOtherDoNotOverlap) {
    // Table 2's macro-F1 figure had two models 0.5 points apart whose names were printed over
    // each other; here eight points share almost one spot.
    const cv::Rect area(0, 0, 600, 600);
    std::vector<cv::Point> points;
    std::vector<cv::Size> sizes;
    for (int i = 0; i < 8; ++i) {
        points.emplace_back(300 + i % 2 * 3, 300 + i / 2 * 2);
        sizes.emplace_back(70 + 5 * i, 11);
    }
    const auto boxes = placePointLabels(points, sizes, area);
    ASSERT_EQ(boxes.size(), points.size());
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        EXPECT_EQ(boxes[i].size(), sizes[i]);
        EXPECT_EQ(boxes[i] & area, boxes[i]);
        for (std::size_t j = 0; j < boxes.size(); ++j) {
            EXPECT_FALSE(coversPoint(boxes[i], points[j])) << i << " covers point " << j;
            if (j != i) {
                EXPECT_EQ((boxes[i] & boxes[j]).area(), 0) << i << " and " << j;
            }
        }
    }
}

TEST(Charts, PointLabelsNeedOneSizePerPoint) {
    EXPECT_THROW(placePointLabels({{1, 1}, {2, 2}}, {{10, 10}}, cv::Rect(0, 0, 100, 100)), Error);
}

TEST(Charts, ConfusionMatrixShadesTheDiagonalDarkest) {
    TempDir dir;
    saveConfusionMatrix(dir / "confusion.png", {"angry", "happy", "sad"},
                        {{50, 0, 0}, {0, 90, 0}, {0, 0, 40}},
                        {"Confusion matrix", "", "", 560, 500});
    const auto image = expectPicture(dir / "confusion.png", 560, 500);
    // A perfect classifier: three cells at full share (dark blue 0x08306b), none elsewhere.
    EXPECT_GT(pixelsOf(image, 0x08306b), 3 * 500);
}

TEST(Charts, TimelineBreaksLinesWhereThereIsNoFace) {
    TempDir dir;
    std::vector<double> times;
    std::vector<std::vector<double>> values(2);
    for (int i = 0; i < 100; ++i) {
        times.push_back(i * 0.1);
        const bool face = i < 40 || i >= 60;
        values[0].push_back(face ? 0.8 : std::numeric_limits<double>::quiet_NaN());
        values[1].push_back(face ? 0.2 : std::numeric_limits<double>::quiet_NaN());
    }
    saveTimelineChart(dir / "timeline.png", times, {"happy", "sad"}, values,
                      {"Timeline", "seconds", "probability", 800, 400});
    const auto image = expectPicture(dir / "timeline.png", 800, 400);
    EXPECT_GT(pixelsOf(image, emotionRgb("happy", 0)), 500);
    EXPECT_GT(pixelsOf(image, 0xeeeeee), 1000);  // the no-face band
}

TEST(Charts, BadInputAndUnwritablePathsAreErrors) {
    TempDir dir;
    EXPECT_THROW(saveBarChart(dir / "x.png", {"a", "b"}, {1.0}), Error);
    EXPECT_THROW(saveConfusionMatrix(dir / "x.png", {"a", "b"}, {{1, 2}, {3}}), Error);
    EXPECT_THROW(saveBarChart(dir / "missing" / "x.png", {"a"}, {1.0}), OutputError);
    EXPECT_THROW(saveBarChart(dir / "x.png", {"a"}, {1.0}, {"", "", "", 10, 10}), Error);
}

namespace {

// Rows of the image (from `top`, `height` tall, columns from `left`, `width` wide) holding a
// pixel of exactly this colour: the first and the last, or -1, -1 when there is none.
struct RowSpan {
    int first = -1;
    int last = -1;
};
RowSpan rowsOf(const cv::Mat& image, std::uint32_t rgb, int left, int top, int width, int height) {
    const cv::Vec3b want(rgb & 0xff, (rgb >> 8) & 0xff, (rgb >> 16) & 0xff);
    RowSpan span;
    for (int y = top; y < top + height; ++y) {
        for (int x = left; x < left + width; ++x) {
            if (image.at<cv::Vec3b>(y, x) == want) {
                span.first = span.first < 0 ? y : span.first;
                span.last = y;
                break;
            }
        }
    }
    return span;
}

}  // namespace

TEST(Charts, LinePanelsShareOneRangeAndLeaveOutMissingPoints) {
    TempDir dir;
    ChartStyle style{"Loss by epoch", "epoch", "loss", 400, 260};
    style.series_rgb = {0x1f77b4, 0xff7f0e};
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> epochs{1, 2, 3, 4};
    // Panel "high" holds the largest value of all, panel "low" the smallest; the second series
    // has no point at all in "low" (a run not finished).
    const std::vector<LinePanel> panels{{"high", {{2.0, 2.0, 2.0, 2.0}, {1.5, 1.5, nan, nan}}},
                                        {"low", {{1.0, 1.0, 1.0, 1.0}, {nan, nan, nan, nan}}},
                                        {"third", {{1.5, 1.5, 1.5, 1.5}, {1.5, 1.5, 1.5, 1.5}}}};
    saveLinePanels(dir / "panels.png", epochs, {"baseline", "SMOTE"}, panels, 2, style);
    // Two columns: two rows of panels under the title (40) and the legend (30).
    const auto image = expectPicture(dir / "panels.png", 800, 70 + 2 * 260);

    const auto high = rowsOf(image, 0x1f77b4, 0, 70, 400, 260);
    const auto low = rowsOf(image, 0x1f77b4, 400, 70, 400, 260);
    ASSERT_GE(high.first, 0);
    ASSERT_GE(low.first, 0);
    // One y range for all: the line at 2.0 sits near the top of its panel, the one at 1.0 near
    // the bottom of its own, far apart in the same panel-relative place.
    EXPECT_LT(high.last - 70, 260 / 3) << "the highest value is drawn high";
    EXPECT_GT(low.first - 70, 2 * 260 / 3 - 30) << "the lowest value is drawn low";
    EXPECT_GT(pixelsOf(image(cv::Rect(0, 70, 400, 260)), 0xff7f0e), 20) << "two points drawn";
    EXPECT_EQ(pixelsOf(image(cv::Rect(400, 70, 400, 260)), 0xff7f0e), 0) << "no point, no line";
    EXPECT_EQ(pixelsOf(image(cv::Rect(400, 70 + 260, 400, 260)), 0xffffff), 400 * 260)
        << "the cell after the last panel stays empty";
    // The legend names the series once, at the top.
    EXPECT_GT(pixelsOf(image(cv::Rect(0, 40, 800, 30)), 0xff7f0e), 50);
}

TEST(Charts, LinePanelsNameBadInput) {
    TempDir dir;
    const std::vector<LinePanel> one{{"a", {{1.0, 2.0}}}};
    EXPECT_THROW(saveLinePanels(dir / "x.png", {1, 2, 3}, {"s"}, one, 2), Error);
    EXPECT_THROW(saveLinePanels(dir / "x.png", {1, 2}, {"s", "t"}, one, 2), Error);
    EXPECT_THROW(saveLinePanels(dir / "x.png", {1, 2}, {"s"}, one, 0), Error);
    EXPECT_THROW(saveLinePanels(dir / "x.png", {1, 2}, {"s"}, {}, 2), Error);
    EXPECT_THROW(saveLinePanels(dir / "missing" / "x.png", {1, 2}, {"s"}, one, 2), OutputError);
}
