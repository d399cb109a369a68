// A live session end to end, as a therapist runs it, headless: the label typed in, recording
// switched on, a video clip played at its own rate, two markers added with the M key (one
// labelled by typing, one left without), the clip's end; then "Review this session". Checked:
// the store holds every result, the markers and the label; the recording holds the frame of
// every reading at the reading's time; the review workspace opens the session.
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>

#include <gtest/gtest.h>

#include "emotion_timeline.h"
#include "emotrace/session_store.h"
#include "generated_video.h"
#include "main_window.h"
#include "review_player.h"
#include "review_workspace.h"
#include "session_controller.h"
#include "test_support.h"
#include "ui_test_support.h"
#include "video_view.h"

namespace emotrace::ui {
namespace {

using test::waitUntil;

constexpr int kClipFrames = 75;  // 3 s at 25 fps
constexpr double kClipFps = 25.0;

// The grey level of the clip's frame, read away from its moving white square.
double cornerGrey(const cv::Mat& image) {
    return cv::mean(image(cv::Rect(0, 0, 12, 12)))[0];
}

TEST(LiveSessionEndToEnd, KeysMarkersLabelAndRecordingReachTheStoreAndTheReview) {
    test::TempDir dir;
    const auto clip = dir / "call.avi";
    test::writeTestVideo(clip, kClipFrames, kClipFps, {160, 120});
    const auto store_path = dir / "sessions.sqlite";

    SessionController controller([] { return std::make_unique<test::FixedFaceDetector>(); },
                                 std::make_unique<test::FixedClassifier>());
    SessionKeeping keeping;
    keeping.store = store_path;
    keeping.setup.labels = {"happy", "sad"};
    keeping.setup.detector = "fixed";
    controller.setKeeping(keeping);
    MainWindow window(controller);
    window.setMarkerLabels({QStringLiteral("tearful"), QStringLiteral("laughed")});
    window.show();
    window.activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(&window));
    int results = 0;
    std::vector<double> result_ms;
    bool finished = false;
    QObject::connect(&controller, &SessionController::resultReady, [&](const FrameResult& r) {
        ++results;
        result_ms.push_back(r.timestamp_ms);
    });
    QObject::connect(&controller, &SessionController::sessionFinished,
                     [&](const QString&) { finished = true; });

    auto* label = window.findChild<QLineEdit*>(QStringLiteral("sessionLabel"));
    auto* record = window.findChild<QAction*>(QStringLiteral("recordVideo"));
    auto* marker_label = window.findChild<QComboBox*>(QStringLiteral("markerLabel"));
    ASSERT_TRUE(label && record && marker_label);
    QTest::keyClicks(label, QStringLiteral("C-017 week 3"));
    QTest::keyClick(label, Qt::Key_Return);
    EXPECT_FALSE(window.isRecordingIndicatorShown());
    record->trigger();
    ASSERT_TRUE(record->isChecked());

    SourceSpec spec;
    spec.kind = SourceSpec::Kind::VideoFile;
    spec.path = clip.string();
    window.setSourceSpec(spec);
    ASSERT_TRUE(window.startSession()) << window.errorText().toStdString();
    EXPECT_TRUE(window.isRecordingIndicatorShown());
    EXPECT_FALSE(record->isEnabled()) << "the recording is chosen for a whole session";

    // First marker: M, then its label typed while the session runs.
    ASSERT_TRUE(waitUntil([&] { return results >= 15; }));
    window.videoView()->setFocus();
    QTest::keyClick(window.videoView(), Qt::Key_M);
    ASSERT_EQ(window.timeline()->markerCount(), 1);
    ASSERT_EQ(QApplication::focusWidget(), marker_label) << "the label box takes the keyboard";
    QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("tearful"));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    EXPECT_EQ(window.timeline()->markerLabel(0), QStringLiteral("tearful"));
    EXPECT_EQ(QApplication::focusWidget(), window.videoView())
        << "and gives it back; focus is on "
        << (QApplication::focusWidget() ? QApplication::focusWidget()->metaObject()->className()
                                        : "nothing");

    // Second marker: M, then Esc leaves it without a label.
    ASSERT_TRUE(waitUntil([&] { return results >= 40; }));
    QTest::keyClick(window.videoView(), Qt::Key_M);
    ASSERT_EQ(window.timeline()->markerCount(), 2);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
    EXPECT_EQ(QApplication::focusWidget(), window.videoView());
    EXPECT_TRUE(window.timeline()->markerLabel(1).isEmpty());

    ASSERT_TRUE(waitUntil([&] { return finished; }, std::chrono::seconds(60)));
    EXPECT_FALSE(window.isRecordingIndicatorShown());
    EXPECT_TRUE(window.keepingText().isEmpty()) << window.keepingText().toStdString();
    EXPECT_TRUE(window.keptSessionText().contains(QStringLiteral("2 markers")))
        << window.keptSessionText().toStdString();

    // The store holds every result, both markers and the label.
    const SessionStore store(store_path);
    ASSERT_EQ(store.sessions().size(), 1u);
    const auto session = store.sessions().front();
    EXPECT_EQ(session.kind, SessionKind::Live);
    EXPECT_EQ(session.label, "C-017 week 3");
    EXPECT_EQ(session.source, clip.string());
    EXPECT_EQ(session.state, AnalysisState::Complete);
    EXPECT_EQ(session.frames_stored, results);
    const auto markers = store.markers(session.id);
    ASSERT_EQ(markers.size(), 2u);
    EXPECT_EQ(markers[0].label, "tearful");
    EXPECT_EQ(markers[1].label, "");
    EXPECT_DOUBLE_EQ(markers[0].start_ms, result_ms[14]) << "at the reading shown when M went";

    // "Review this session" opens the review workspace on it.
    std::unique_ptr<ReviewWorkspace> review;
    QObject::connect(&window, &MainWindow::reviewSessionRequested, [&](std::int64_t id) {
        ReviewSetup setup;
        setup.store_path = store_path;
        review = std::make_unique<ReviewWorkspace>(setup);
        review->openSession(id);
    });
    auto* review_button = window.findChild<QPushButton*>(QStringLiteral("reviewKeptSession"));
    ASSERT_TRUE(review_button && review_button->isVisible());
    QTest::mouseClick(review_button, Qt::LeftButton);
    ASSERT_TRUE(review);
    ASSERT_TRUE(review->session());
    EXPECT_EQ(review->session()->id, session.id);
    EXPECT_EQ(static_cast<int>(review->frames().size()), results);
    EXPECT_EQ(review->markers().size(), 2u);
    EXPECT_TRUE(review->errorText().isEmpty()) << review->errorText().toStdString();

    // The recording: one frame per result, and the player's frame at a result's time is the
    // clip's frame that result was read from.
    auto* player = review->player();
    ASSERT_TRUE(player->isOpen());
    ASSERT_EQ(player->frameCount(), results);
    cv::Mat shown;
    QObject::connect(player, &RecordingPlayer::frameShown,
                     [&](std::int64_t, double, const cv::Mat& image) { shown = image.clone(); });
    for (int i = 0; i < results; i += 7) {
        const double ms = result_ms[static_cast<std::size_t>(i)];
        player->seekToSeconds(ms / 1000.0);
        EXPECT_EQ(player->currentFrame(), i);
        const int clip_frame = static_cast<int>(std::lround(ms * kClipFps / 1000.0));
        EXPECT_NEAR(cornerGrey(shown), test::greyLevelOfFrame(clip_frame), 4.0)
            << "result " << i << " at " << ms << " ms";
    }
}

}  // namespace
}  // namespace emotrace::ui
