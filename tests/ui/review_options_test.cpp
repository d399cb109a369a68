#include <gtest/gtest.h>
#include <QAction>

#include "dashboard_options.h"
#include "emotrace/error.h"
#include "main_window.h"
#include "session_controller.h"

namespace emotrace::dashboard {
namespace {

TEST(DashboardReviewOptions, ReviewAndStoreAreRead) {
    const auto options =
        parseDashboardOptions({"--review", "session.mp4", "--store=/tmp/s.sqlite"});
    EXPECT_EQ(options.review, "session.mp4");
    EXPECT_EQ(options.store, "/tmp/s.sqlite");
    EXPECT_FALSE(options.source);
    EXPECT_NE(usage().find("--review FILE"), std::string::npos);
    EXPECT_NE(usage().find("--store FILE"), std::string::npos);
    EXPECT_DOUBLE_EQ(
        parseDashboardOptions({"--review", "a.mp4", "--review-at", "12.5"}).review_at_seconds,
        12.5);
    EXPECT_THROW(parseDashboardOptions({"--review-at", "-1"}), Error);
}

TEST(DashboardReviewOptions, ReviewingAndALiveSourceContradictEachOther) {
    try {
        parseDashboardOptions({"--review", "a.mp4", "--source", "camera:0"});
        FAIL() << "expected an Error";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("--source"), std::string::npos) << error.what();
    }
    EXPECT_THROW(parseDashboardOptions({"--store"}), Error);  // a value is expected
}

TEST(DashboardReviewOptions, TheDashboardAsksForTheReviewWorkspace) {
    ui::SessionController controller([] { return std::unique_ptr<FaceDetector>(); }, nullptr);
    ui::MainWindow window(controller);
    int requests = 0;
    QObject::connect(&window, &ui::MainWindow::reviewRequested, [&] { ++requests; });
    auto* review = window.findChild<QAction*>("reviewRecording");
    ASSERT_NE(review, nullptr);
    review->trigger();
    EXPECT_EQ(requests, 1);
}

}  // namespace
}  // namespace emotrace::dashboard
