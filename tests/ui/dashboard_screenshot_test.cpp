// The dashboard program end to end, offscreen: `emotrace --source CLIP --screenshot FILE
// --quit-after S` (docs/dashboard.md, 'Screenshots for the docs') plays the clip, saves the
// window as a PNG and exits 0; a screenshot it cannot write or a --screenshot without
// --quit-after is refused with its exit code.
#ifdef EMOTRACE_DASHBOARD_BIN

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <QColor>
#include <QImage>

#include "generated_video.h"
#include "test_models.h"
#include "test_support.h"

namespace emotrace {
namespace {

namespace fs = std::filesystem;

// The window's size on a platform that does not constrain it (MainWindow's constructor).
const QSize kWindowSize(1100, 860);

test::CommandResult runDashboard(const fs::path& workdir, const std::vector<std::string>& args) {
    ::setenv("QT_QPA_PLATFORM", "offscreen", 1);  // inherited by the program
    return test::runProgram(EMOTRACE_DASHBOARD_BIN, workdir, args);
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::size_t distinctColours(const QImage& image) {
    std::set<QRgb> colours;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            colours.insert(image.pixel(x, y));
    }
    return colours.size();
}

// The share of a 200x200 block at the video view's centre that is not the empty view's dark
// grey: an idle dashboard shows only "No video. Choose a source and press Start." there.
double shareOfPictureInTheVideoView(const QImage& image) {
    const QPoint centre(image.width() / 2, 330);
    long long picture = 0;
    for (int y = centre.y() - 100; y < centre.y() + 100; ++y) {
        for (int x = centre.x() - 100; x < centre.x() + 100; ++x) {
            const QColor c = image.pixelColor(x, y);
            if (std::max({c.red(), c.green(), c.blue()}) > 40)
                ++picture;
        }
    }
    return static_cast<double>(picture) / (200.0 * 200.0);
}

// The screenshot's checks: the window's size, its widgets drawn, a video frame in its view.
void expectAWindowScreenshot(const fs::path& png) {
    QImage shot;
    ASSERT_TRUE(shot.load(QString::fromStdString(png.string()), "PNG")) << png;
    ASSERT_EQ(shot.size(), kWindowSize);
    // A blank (one colour) or barely drawn window has a handful; text, plot and video many.
    EXPECT_GT(distinctColours(shot), 100u);
    EXPECT_GT(shareOfPictureInTheVideoView(shot), 0.5);
}

// Magenta frames (no widget is magenta) with a white square moving across.
void paintMagentaFrame(cv::Mat& frame, int index) {
    frame.setTo(cv::Scalar(200, 0, 200));
    const int side = frame.rows / 6;
    cv::rectangle(frame, cv::Rect((index * 5) % (frame.cols - side), side, side, side),
                  cv::Scalar::all(255), cv::FILLED);
}

double shareOfMagenta(const QImage& image) {
    long long magenta = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (c.red() > 150 && c.blue() > 150 && c.green() < 80)
                ++magenta;
        }
    }
    return static_cast<double>(magenta) / (static_cast<double>(image.width()) * image.height());
}

TEST(DashboardScreenshot, GeneratedClipGivesAWindowSizedPngShowingTheVideoAndExitZero) {
    test::TempDir dir;
    test::writeTestVideo(dir / "clip.avi", 100, 25.0, {320, 240}, paintMagentaFrame);
    test::writeTestModel(dir / "model.pt");
    const auto run = runDashboard(
        dir.path(), {"--source", "clip.avi", "--loop", "--model", "model.pt", "--no-keep",
                     "--threads", "1", "--screenshot", "shot.png", "--quit-after", "2"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    expectAWindowScreenshot(dir / "shot.png");
    // The video view, a large part of the window, shows the clip's frames.
    QImage shot(QString::fromStdString((dir / "shot.png").string()));
    EXPECT_GT(shareOfMagenta(shot), 0.15);
}

TEST(DashboardScreenshot, RealFaceClipGivesAWindowSizedPngAndExitZero) {
    const auto clip = test::sharedData("videos/liveportrait_d3.mp4");
    if (!clip)
        EMOTRACE_SKIP_WITHOUT_DATA("videos/liveportrait_d3.mp4");
    test::TempDir dir;
    const auto run = runDashboard(
        dir.path(), {"--source", clip->string(), "--no-model", "--no-keep", "--threads", "1",
                     "--screenshot", "shot.png", "--quit-after", "3"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_TRUE(contains(run.err, "emotrace: no emotion model")) << run.err;
    expectAWindowScreenshot(dir / "shot.png");
}

TEST(DashboardScreenshot, UnwritableScreenshotExitsOneAndSaysWhy) {
    test::TempDir dir;
    test::writeTestVideo(dir / "clip.avi", 25, 25.0, {160, 120});
    const auto run =
        runDashboard(dir.path(), {"--source", "clip.avi", "--no-model", "--no-keep", "--screenshot",
                                  "no-such-folder/shot.png", "--quit-after", "0.5"});
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_TRUE(contains(run.err, "emotrace: cannot write the screenshot")) << run.err;
    EXPECT_TRUE(contains(run.err, "no-such-folder/shot.png")) << run.err;
}

TEST(DashboardScreenshot, ScreenshotWithoutQuitAfterIsAUsageError) {
    test::TempDir dir;
    const auto run = runDashboard(dir.path(), {"--no-model", "--screenshot", "shot.png"});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_TRUE(contains(run.err, "--quit-after")) << run.err;
    EXPECT_TRUE(contains(run.err, "Try 'emotrace --help'.")) << run.err;
    EXPECT_FALSE(fs::exists(dir / "shot.png"));
}

}  // namespace
}  // namespace emotrace

#endif  // EMOTRACE_DASHBOARD_BIN
