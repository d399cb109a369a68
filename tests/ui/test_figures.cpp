#include <gtest/gtest.h>

#include <QImage>
#include <QSet>

#include "emotrace/error.h"
#include "figures.h"
#include "test_support.h"

using namespace emotrace;
using emotrace::test::TempDir;

namespace {

// Distinct colours in the image: a blank or single-colour PNG has one or two.
int distinctColours(const QImage& image) {
    QSet<QRgb> seen;
    for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3)
            seen.insert(image.pixel(x, y));
    return static_cast<int>(seen.size());
}

void expectPicture(const std::filesystem::path& png, int width, int height) {
    ASSERT_TRUE(std::filesystem::exists(png)) << png;
    EXPECT_GT(std::filesystem::file_size(png), 1000u);
    const QImage image(QString::fromStdString(png.string()));
    ASSERT_FALSE(image.isNull()) << png;
    EXPECT_EQ(image.width(), width);
    EXPECT_EQ(image.height(), height);
    EXPECT_GT(distinctColours(image), 8) << png << " looks blank";
}

}  // namespace

TEST(Figures, BarChartIsAPngOfTheRequestedSize) {
    TempDir dir;
    ui::FigureStyle style{"Class distribution", "class", "images", 640, 400};
    ui::saveBarChart(dir / "bars.png", {"angry", "happy", "sad"}, {120, 340, 75}, style);
    expectPicture(dir / "bars.png", 640, 400);
}

TEST(Figures, GroupedBarChartHasOneSeriesPerGroup) {
    TempDir dir;
    ui::saveGroupedBarChart(dir / "grouped.png", {"ResNet18", "VGG16", "MyCNNv1"},
                            {"baseline", "SMOTE"}, {{0.61, 0.58, 0.52}, {0.63, 0.57, 0.55}},
                            {"Accuracy", "model", "accuracy", 800, 450});
    expectPicture(dir / "grouped.png", 800, 450);
}

TEST(Figures, ScatterWithDiagonal) {
    TempDir dir;
    ui::saveScatterWithDiagonal(dir / "scatter.png", {0.4, 0.5, 0.6}, {0.45, 0.48, 0.62},
                                {"a", "b", "c"}, {"Macro-F1", "baseline", "SMOTE", 600, 600});
    expectPicture(dir / "scatter.png", 600, 600);
}

TEST(Figures, ConfusionMatrixHeatmap) {
    TempDir dir;
    ui::saveConfusionMatrix(dir / "confusion.png", {"angry", "happy", "sad"},
                            {{50, 3, 7}, {2, 90, 1}, {10, 0, 40}},
                            {"Confusion matrix", "", "", 560, 500});
    expectPicture(dir / "confusion.png", 560, 500);
}

TEST(Figures, BadInputAndUnwritablePathsAreErrors) {
    TempDir dir;
    EXPECT_THROW(ui::saveBarChart(dir / "x.png", {"a", "b"}, {1.0}), Error);
    EXPECT_THROW(ui::saveConfusionMatrix(dir / "x.png", {"a", "b"}, {{1, 2}, {3}}), Error);
    EXPECT_THROW(ui::saveBarChart(dir / "missing" / "x.png", {"a"}, {1.0}), OutputError);
}
