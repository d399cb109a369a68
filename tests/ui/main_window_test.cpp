#include "main_window.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>

#include <gtest/gtest.h>
#include <qcustomplot.h>

#include "emotion_timeline.h"
#include "emotrace/error.h"
#include "generated_video.h"
#include "session_controller.h"
#include "test_support.h"
#include "ui_test_support.h"
#include "video_view.h"

namespace emotrace::ui {
namespace {

using test::waitUntil;

class NoFaceDetector : public FaceDetector {
  public:
    std::vector<Detection> detect(const cv::Mat&) override { return {}; }
    std::string name() const override { return "none"; }
};

DetectorFactory noFaces() {
    return [] { return std::make_unique<NoFaceDetector>(); };
}

// What a session delivers, counted on the GUI thread; disconnects when it goes.
struct SessionWatch {
    explicit SessionWatch(SessionController& controller)
        : on_result(QObject::connect(&controller, &SessionController::resultReady,
                                     [this](const FrameResult&) { ++results; })),
          on_finished(QObject::connect(&controller, &SessionController::sessionFinished,
                                       [this](const QString& message) {
                                           finished = true;
                                           error = message;
                                       })) {}
    ~SessionWatch() {
        QObject::disconnect(on_result);
        QObject::disconnect(on_finished);
    }
    SessionWatch(const SessionWatch&) = delete;
    SessionWatch& operator=(const SessionWatch&) = delete;

    int results = 0;
    bool finished = false;
    QString error;
    QMetaObject::Connection on_result;
    QMetaObject::Connection on_finished;
};

void chooseVideo(MainWindow& window, const std::filesystem::path& video) {
    SourceSpec spec;
    spec.kind = SourceSpec::Kind::VideoFile;
    spec.path = video.string();
    window.setSourceSpec(spec);
}

TEST(MainWindow, ShowsTheNoModelBannerWithoutAModel) {
    SessionController controller(noFaces(), nullptr);
    MainWindow window(controller);
    window.show();
    EXPECT_TRUE(window.modelBannerText().contains("No emotion model loaded"));
    EXPECT_TRUE(window.modelBannerText().contains("--model FILE"));
    EXPECT_TRUE(window.errorText().isEmpty());
    EXPECT_EQ(window.timeline()->plot()->graphCount(), 0);

    window.setModelLoadError("model expects 8 classes, file has 7");
    EXPECT_TRUE(window.modelBannerText().contains("model expects 8 classes, file has 7"));
}

TEST(MainWindow, TheToolbarSetsTheOverlaysSmoothing) {
    SessionController controller(noFaces(), nullptr);
    controller.setSmoothingSeconds(1.25);
    MainWindow window(controller);
    auto* smoothing = window.findChild<QDoubleSpinBox*>(QStringLiteral("smoothing"));
    ASSERT_NE(smoothing, nullptr);
    EXPECT_DOUBLE_EQ(smoothing->value(), 1.25) << "starts at the controller's (the command line's)";
    smoothing->setValue(0.0);
    EXPECT_DOUBLE_EQ(controller.smoothingSeconds(), 0.0);
    smoothing->setValue(0.75);
    EXPECT_DOUBLE_EQ(controller.smoothingSeconds(), 0.75);
}

TEST(MainWindow, AnUnreadableSourceIsShownAndTheWindowStaysUsable) {
    SessionController controller(noFaces(), nullptr);
    MainWindow window(controller);
    window.show();
    SourceSpec missing;
    missing.kind = SourceSpec::Kind::VideoFile;
    missing.path = "/nonexistent/session.mp4";
    window.setSourceSpec(missing);
    EXPECT_FALSE(window.startSession());
    EXPECT_TRUE(window.errorText().contains("/nonexistent/session.mp4"))
        << window.errorText().toStdString();
    EXPECT_FALSE(controller.isRunning());

    SourceSpec outside;
    outside.kind = SourceSpec::Kind::Screen;
    outside.screen_region = QRect(0, 0, 100000, 10);
    window.setSourceSpec(outside);
    EXPECT_FALSE(window.startSession());
    EXPECT_TRUE(window.errorText().contains("outside")) << window.errorText().toStdString();
}

// A store that cannot be opened: the banner says readings are not being kept and why; the
// session runs and shows its results all the same.
TEST(MainWindow, AStoreThatCannotBeOpenedIsSaidInABannerAndTheSessionRuns) {
    test::TempDir dir;
    const auto clip = dir / "call.avi";
    test::writeTestVideo(clip, 30, 25.0, {64, 48});
    std::filesystem::create_directories(dir / "store-is-a-folder");
    SessionController controller(noFaces(), nullptr);
    SessionKeeping keeping;
    keeping.store = dir / "store-is-a-folder";
    controller.setKeeping(keeping);
    MainWindow window(controller);
    window.show();
    SessionWatch watch(controller);
    chooseVideo(window, clip);
    ASSERT_TRUE(window.startSession());
    EXPECT_TRUE(window.keepingText().contains("not being kept"))
        << window.keepingText().toStdString();
    EXPECT_TRUE(window.keepingText().contains("store-is-a-folder"));
    ASSERT_TRUE(waitUntil([&] { return watch.finished; }, std::chrono::seconds(30)));
    EXPECT_GT(watch.results, 0);
    EXPECT_TRUE(window.errorText().isEmpty()) << "not an error of the live view";
    EXPECT_TRUE(window.keptSessionText().isEmpty()) << "nothing was kept";
}

TEST(MainWindow, PlaysAVideoFileUntilItEnds) {
    const auto video = test::sharedData("videos/liveportrait_d0.mp4");
    if (!video)
        EMOTRACE_SKIP_WITHOUT_DATA("videos/liveportrait_d0.mp4");
    SessionController controller(noFaces(), nullptr);
    MainWindow window(controller);
    window.show();
    SessionWatch watch(controller);
    chooseVideo(window, *video);
    ASSERT_TRUE(window.startSession()) << window.errorText().toStdString();
    ASSERT_TRUE(waitUntil([&] { return watch.finished; }, std::chrono::seconds(60)));
    EXPECT_TRUE(watch.error.isEmpty()) << watch.error.toStdString();
    EXPECT_GT(watch.results, 0);
    EXPECT_TRUE(window.errorText().isEmpty());
}

// A resting face from the toolbar (B): refused with the reason in the banner when the face
// shows an expression; taken otherwise, and then the switch is on and offered.
class ReadingClassifier : public EmotionClassifier {
  public:
    explicit ReadingClassifier(std::vector<float> reading) : reading_(std::move(reading)) {
        info_.labels = {"neutral", "sad", "happy"};
    }
    const ModelInfo& info() const override { return info_; }
    std::vector<std::vector<float>> classify(std::span<const cv::Mat> faces) override {
        return std::vector<std::vector<float>>(faces.size(), reading_);
    }

  private:
    ModelInfo info_;
    std::vector<float> reading_;
};

TEST(MainWindow, TheRestingFaceButtonTakesOneOrSaysWhyNot) {
    test::TempDir dir;
    const auto video = dir / "call.avi";
    test::writeTestVideo(video, 150, 30.0, {64, 48});
    for (const bool smiling : {true, false}) {
        SessionController controller(
            [] { return std::make_unique<test::FixedFaceDetector>(); },
            std::make_unique<ReadingClassifier>(smiling ? std::vector{0.1f, 0.1f, 0.8f}
                                                        : std::vector{0.4f, 0.5f, 0.1f}));
        MainWindow window(controller);
        window.show();
        SessionWatch watch(controller);
        EXPECT_FALSE(window.restingFaceAction()->isEnabled()) << "no session yet";
        chooseVideo(window, video);
        ASSERT_TRUE(window.startSession()) << window.errorText().toStdString();
        ASSERT_TRUE(waitUntil([&] { return watch.results > 0; }));
        ASSERT_TRUE(window.restingFaceAction()->isEnabled());
        EXPECT_FALSE(window.relativeToRestAction()->isEnabled()) << "nothing to be relative to";
        window.restingFaceAction()->trigger();
        EXPECT_FALSE(window.restingFaceAction()->isEnabled()) << "while it is being taken";
        ASSERT_TRUE(waitUntil([&] { return watch.finished; }, std::chrono::seconds(60)));
        if (smiling) {
            EXPECT_TRUE(window.errorText().contains(
                "No resting face was taken: the face shows happy (80 % on average)"))
                << window.errorText().toStdString();
            EXPECT_FALSE(window.relativeToRestAction()->isEnabled());
        } else {
            EXPECT_TRUE(window.errorText().isEmpty()) << window.errorText().toStdString();
            EXPECT_TRUE(window.relativeToRestAction()->isEnabled());
            EXPECT_TRUE(window.relativeToRestAction()->isChecked()) << "switched on once taken";
            EXPECT_TRUE(controller.isRelativeToRest());
            window.relativeToRestAction()->trigger();
            EXPECT_FALSE(controller.isRelativeToRest()) << "and off again";
        }
    }
}

// With two people in a call the therapist names whose resting face it is: a right click on a
// face offers it for that face.
TEST(MainWindow, AFacesMenuTakesThatPersonsRestingFace) {
    test::TempDir dir;
    const auto video = dir / "call.avi";
    test::writeTestVideo(video, 150, 30.0, {64, 48});
    SessionController controller(
        [] { return std::make_unique<test::FixedFaceDetector>(); },
        std::make_unique<ReadingClassifier>(std::vector{0.4f, 0.5f, 0.1f}));
    MainWindow window(controller);
    window.show();
    SessionWatch watch(controller);
    chooseVideo(window, video);
    ASSERT_TRUE(window.startSession()) << window.errorText().toStdString();
    ASSERT_TRUE(waitUntil([&] { return !controller.tracksSeen().empty(); }));
    const int track = controller.tracksSeen().front();
    std::unique_ptr<QMenu> menu(window.faceMenu(track));
    QAction* resting = nullptr;
    for (auto* action : menu->actions()) {
        if (action->text().startsWith("Resting face: the next 3 s"))
            resting = action;
    }
    ASSERT_NE(resting, nullptr);
    resting->trigger();
    EXPECT_TRUE(controller.isTakingRestingFace());
    ASSERT_TRUE(waitUntil([&] { return !controller.tracksWithRestingFace().empty(); },
                          std::chrono::seconds(60)));
    EXPECT_EQ(controller.tracksWithRestingFace(), (std::vector<int>{track}));
    window.stopSession();
}

}  // namespace
}  // namespace emotrace::ui

namespace emotrace::ui {
namespace {

// What the dashboard remembers between runs: the source, the call window, the smoothing and the
// layout, written by one window and read back by the next.
TEST(MainWindowSettings, TheSourceSmoothingAndLayoutAreRememberedBetweenRuns) {
    test::TempDir dir;
    const auto file = QString::fromStdString((dir / "emotrace.conf").string());
    {
        SessionController controller([] { return std::make_unique<test::FixedFaceDetector>(); },
                                     std::make_unique<test::FixedClassifier>());
        MainWindow window(controller);
        SourceSpec spec;
        spec.kind = SourceSpec::Kind::VideoFile;
        spec.path = "/clinic/session-12.mp4";
        window.setSourceSpec(spec);
        window.setSmoothingSeconds(1.25);
        QSettings settings(file, QSettings::IniFormat);
        window.saveSettings(settings);
    }
    SessionController controller([] { return std::make_unique<test::FixedFaceDetector>(); },
                                 std::make_unique<test::FixedClassifier>());
    MainWindow window(controller);
    EXPECT_NE(controller.smoothingSeconds(), 1.25);
    const QSettings settings(file, QSettings::IniFormat);
    window.restoreSettings(settings);
    EXPECT_EQ(controller.smoothingSeconds(), 1.25);
    auto* kind = window.findChild<QComboBox*>(QStringLiteral("sourceKind"));
    ASSERT_TRUE(kind);
    EXPECT_EQ(kind->currentData().toInt(), static_cast<int>(SourceSpec::Kind::VideoFile));
    bool path_shown = false;
    for (const auto* edit : window.findChildren<QLineEdit*>())
        path_shown = path_shown || edit->text() == QStringLiteral("/clinic/session-12.mp4");
    EXPECT_TRUE(path_shown);
}

}  // namespace
}  // namespace emotrace::ui
