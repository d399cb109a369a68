// The dashboard reading a call through the desktop's screen-cast portal (the source for Wayland
// desktops), against a private desktop (tests/support/private_desktop.h): the user's dialog is
// waited for with a banner that says so, a granted share is read with its faces found, and a
// refused share or the end of the sharing is said in the error banner.
#include <QComboBox>
#include <QLabel>

#include <gtest/gtest.h>

#include "emotrace/face_detector.h"
#include "main_window.h"
#include "private_desktop.h"
#include "session_controller.h"
#include "source_spec.h"
#include "test_support.h"
#include "ui_test_support.h"

namespace emotrace::ui {
namespace {

using test::waitUntil;

void chooseScreenCast(MainWindow& window) {
    SourceSpec spec;
    spec.kind = SourceSpec::Kind::ScreenCast;
    window.setSourceSpec(spec);
}

QString pausedBannerText(const MainWindow& window) {
    const auto* banner = window.findChild<QWidget*>(QStringLiteral("sourcePausedBanner"));
    if (!banner || banner->isHidden())
        return {};
    const auto* label = banner->findChild<QLabel*>();
    return label ? label->text() : QString();
}

TEST(DashboardScreenCast, ASharedScreenIsReadWithItsFacesUntilTheSharingEnds) {
    test::PrivateDesktop desktop("fake");
    EMOTRACE_START_DESKTOP_OR_SKIP(desktop);
    SessionController controller([] { return createFaceDetector({}); }, nullptr);
    MainWindow window(controller);
    window.show();
    int results = 0;
    int with_face = 0;
    QString finished_with;
    bool finished = false;
    QObject::connect(&controller, &SessionController::resultReady, [&](const FrameResult& r) {
        ++results;
        with_face += r.faces.empty() ? 0 : 1;
    });
    QObject::connect(&controller, &SessionController::sessionFinished, [&](const QString& error) {
        finished = true;
        finished_with = error;
    });
    chooseScreenCast(window);
    ASSERT_TRUE(window.startSession()) << window.errorText().toStdString();
    ASSERT_TRUE(waitUntil([&] { return results >= 20 || finished; }, std::chrono::seconds(60)))
        << desktop.log("backend") << desktop.log("portal");
    ASSERT_FALSE(finished) << finished_with.toStdString();
    if (test::sharedData("videos/liveportrait_d0.mp4")) {
        EXPECT_GE(with_face, results * 95 / 100) << with_face << " of " << results;
    }
    EXPECT_TRUE(pausedBannerText(window).isEmpty()) << pausedBannerText(window).toStdString();

    // The user stops sharing from the desktop: the session ends, and the banner says why.
    ASSERT_TRUE(desktop.stopScreenCastBackEnd());
    ASSERT_TRUE(waitUntil([&] { return finished; }, std::chrono::seconds(20)));
    EXPECT_TRUE(window.errorText().contains(QStringLiteral("went away")))
        << window.errorText().toStdString();
}

TEST(DashboardScreenCast, TheDialogIsWaitedForAndARefusalIsSaidInTheBanner) {
    {
        // While the desktop's dialog is open: a banner says what the session waits for.
        test::PrivateDesktop desktop("wait");
        EMOTRACE_START_DESKTOP_OR_SKIP(desktop);
        SessionController controller([] { return createFaceDetector({}); }, nullptr);
        MainWindow window(controller);
        window.show();
        chooseScreenCast(window);
        ASSERT_TRUE(window.startSession()) << window.errorText().toStdString();
        EXPECT_TRUE(waitUntil(
            [&] { return pausedBannerText(window).contains(QStringLiteral("sharing dialog")); },
            std::chrono::seconds(20)))
            << pausedBannerText(window).toStdString();
        controller.stop();  // Stop while the dialog is open ends the wait
    }
    test::PrivateDesktop desktop("refuse");
    EMOTRACE_START_DESKTOP_OR_SKIP(desktop);
    SessionController controller([] { return createFaceDetector({}); }, nullptr);
    MainWindow window(controller);
    window.show();
    bool finished = false;
    QObject::connect(&controller, &SessionController::sessionFinished,
                     [&](const QString&) { finished = true; });
    chooseScreenCast(window);
    ASSERT_TRUE(window.startSession()) << window.errorText().toStdString();
    ASSERT_TRUE(waitUntil([&] { return finished; }, std::chrono::seconds(30)));
    EXPECT_TRUE(window.errorText().contains(QStringLiteral("refused")))
        << window.errorText().toStdString();
}

}  // namespace
}  // namespace emotrace::ui
