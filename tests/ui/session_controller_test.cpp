#include "session_controller.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "emotrace/error.h"
#include "emotrace/session_store.h"
#include "review_player.h"
#include "test_support.h"
#include "ui_test_support.h"

namespace emotrace::ui {
namespace {

using test::waitUntil;

// Frames every millisecond until stopped, or until `frames` have been given when it is set;
// throws after `fail_after` frames when that is set.
class FakeSource : public FrameSource {
  public:
    struct Options {
        std::int64_t frames = -1;
        std::int64_t fail_after = -1;
        int gray = 90;  // tells sessions apart
    };
    FakeSource(Options options, std::shared_ptr<std::atomic<bool>> destroyed)
        : options_(options), destroyed_(std::move(destroyed)) {}
    ~FakeSource() override { *destroyed_ = true; }

    std::optional<Frame> next(std::stop_token stop) override {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        if (stop.stop_requested())
            return std::nullopt;
        if (options_.fail_after >= 0 && index_ >= options_.fail_after) {
            throw SourceError("fake camera unplugged");
        }
        if (options_.frames >= 0 && index_ >= options_.frames)
            return std::nullopt;
        Frame frame;
        frame.image = cv::Mat(48, 64, CV_8UC3, cv::Scalar::all(options_.gray));
        frame.index = index_;
        frame.timestamp_ms = static_cast<double>(index_) * 33.0;
        frame.captured_at = SteadyClock::now();
        ++index_;
        return frame;
    }
    SourceInfo info() const override { return {"fake source", 30.0, 64, 48, options_.frames}; }

  private:
    Options options_;
    std::shared_ptr<std::atomic<bool>> destroyed_;
    std::int64_t index_ = 0;
};

using test::FixedClassifier;
using test::FixedFaceDetector;

// Reads every face alternately as happy and as sad: the flicker smoothing is there to calm.
class AlternatingClassifier : public EmotionClassifier {
  public:
    AlternatingClassifier() { info_.labels = {"happy", "sad"}; }
    const ModelInfo& info() const override { return info_; }
    std::vector<std::vector<float>> classify(std::span<const cv::Mat> faces) override {
        const float happy = calls_++ % 2 == 0 ? 0.9f : 0.1f;
        return std::vector<std::vector<float>>(faces.size(), {happy, 1.0f - happy});
    }

  private:
    ModelInfo info_;
    int calls_ = 0;  // the worker thread's only
};

DetectorFactory fixedDetector() {
    return [] { return std::make_unique<FixedFaceDetector>(); };
}

struct Recorder {
    explicit Recorder(SessionController& controller) {
        QObject::connect(
            &controller, &SessionController::resultReady, [this](const FrameResult& result) {
                on_gui_thread = on_gui_thread &&
                                QThread::currentThread() == QCoreApplication::instance()->thread();
                last = result;
                ++results;
            });
        QObject::connect(&controller, &SessionController::sessionFinished,
                         [this](const QString& error) { finished_errors.push_back(error); });
    }
    int results = 0;
    bool on_gui_thread = true;
    FrameResult last;
    std::vector<QString> finished_errors;
};

TEST(SessionController, DeliversResultsOnTheGuiThread) {
    auto destroyed = std::make_shared<std::atomic<bool>>(false);
    SessionController controller(fixedDetector(), std::make_unique<FixedClassifier>());
    Recorder recorder(controller);
    ASSERT_TRUE(controller.start(std::make_unique<FakeSource>(FakeSource::Options{}, destroyed)));
    ASSERT_TRUE(waitUntil([&] { return recorder.results >= 5; }));
    EXPECT_TRUE(recorder.on_gui_thread);
    ASSERT_EQ(recorder.last.faces.size(), 1u);
    EXPECT_EQ(recorder.last.faces[0].probabilities, (std::vector<float>{0.8f, 0.2f}));
    EXPECT_EQ(controller.labels(), (std::vector<std::string>{"happy", "sad"}));
    EXPECT_EQ(controller.figures().results, recorder.results);
}

TEST(SessionController, StopJoinsThePipelineAndDropsQueuedResults) {
    auto destroyed = std::make_shared<std::atomic<bool>>(false);
    SessionController controller(fixedDetector(), nullptr);
    Recorder recorder(controller);
    ASSERT_TRUE(controller.start(std::make_unique<FakeSource>(FakeSource::Options{}, destroyed)));
    ASSERT_TRUE(waitUntil([&] { return recorder.results >= 3; }));
    controller.stop();
    EXPECT_FALSE(controller.isRunning());
    EXPECT_TRUE(*destroyed);  // the pipeline and its source are gone: threads joined
    ASSERT_EQ(recorder.finished_errors.size(), 1u);
    EXPECT_TRUE(recorder.finished_errors[0].isEmpty());

    const int results_at_stop = recorder.results;
    QCoreApplication::processEvents();  // anything the worker queued before the join
    EXPECT_EQ(recorder.results, results_at_stop);
    EXPECT_EQ(recorder.finished_errors.size(), 1u);
    EXPECT_EQ(controller.figures().results, results_at_stop);
    EXPECT_EQ(controller.figures().results_per_second, 0.0);
}

TEST(SessionController, DestroyingWhileRunningStopsTheSession) {
    auto destroyed = std::make_shared<std::atomic<bool>>(false);
    int results = 0;
    {
        SessionController controller(fixedDetector(), nullptr);
        QObject::connect(&controller, &SessionController::resultReady,
                         [&](const FrameResult&) { ++results; });
        ASSERT_TRUE(
            controller.start(std::make_unique<FakeSource>(FakeSource::Options{}, destroyed)));
        ASSERT_TRUE(waitUntil([&] { return results >= 3; }));
    }
    EXPECT_TRUE(*destroyed);
    QCoreApplication::processEvents();  // queued calls to the dead controller must be gone
}

TEST(SessionController, EndOfStreamFinishesWithoutError) {
    auto destroyed = std::make_shared<std::atomic<bool>>(false);
    SessionController controller(fixedDetector(), nullptr);
    Recorder recorder(controller);
    ASSERT_TRUE(controller.start(
        std::make_unique<FakeSource>(FakeSource::Options{.frames = 4}, destroyed)));
    ASSERT_TRUE(waitUntil([&] { return !recorder.finished_errors.empty(); }));
    EXPECT_TRUE(recorder.finished_errors[0].isEmpty());
    EXPECT_FALSE(controller.isRunning());
    EXPECT_LE(recorder.results, 4);
}

TEST(SessionController, SourceFailureFinishesWithItsMessage) {
    auto destroyed = std::make_shared<std::atomic<bool>>(false);
    SessionController controller(fixedDetector(), nullptr);
    Recorder recorder(controller);
    ASSERT_TRUE(controller.start(
        std::make_unique<FakeSource>(FakeSource::Options{.fail_after = 2}, destroyed)));
    ASSERT_TRUE(waitUntil([&] { return !recorder.finished_errors.empty(); }));
    EXPECT_TRUE(recorder.finished_errors[0].contains("fake camera unplugged"))
        << recorder.finished_errors[0].toStdString();
    EXPECT_FALSE(controller.isRunning());
}

TEST(SessionController, DetectorFailureIsReportedAtStart) {
    auto destroyed = std::make_shared<std::atomic<bool>>(false);
    SessionController controller(
        []() -> std::unique_ptr<FaceDetector> {
            throw DetectorError("face detector model not found: /nowhere/yunet.onnx");
        },
        nullptr);
    QString failure;
    QObject::connect(&controller, &SessionController::sessionFailed,
                     [&](const QString& error) { failure = error; });
    EXPECT_FALSE(controller.start(std::make_unique<FakeSource>(FakeSource::Options{}, destroyed)));
    EXPECT_TRUE(failure.contains("/nowhere/yunet.onnx")) << failure.toStdString();
    EXPECT_FALSE(controller.isRunning());
}

TEST(SessionController, RestartingShowsOnlyTheNewSession) {
    auto first_destroyed = std::make_shared<std::atomic<bool>>(false);
    auto second_destroyed = std::make_shared<std::atomic<bool>>(false);
    SessionController controller(fixedDetector(), nullptr);
    std::vector<int> grays;
    QObject::connect(&controller, &SessionController::resultReady, [&](const FrameResult& r) {
        grays.push_back(r.image.at<cv::Vec3b>(0, 0)[0]);
    });
    ASSERT_TRUE(controller.start(
        std::make_unique<FakeSource>(FakeSource::Options{.gray = 10}, first_destroyed)));
    ASSERT_TRUE(waitUntil([&] { return grays.size() >= 3; }));
    // The worker of the first session has results queued right now, most likely; none may show.
    ASSERT_TRUE(controller.start(
        std::make_unique<FakeSource>(FakeSource::Options{.gray = 200}, second_destroyed)));
    EXPECT_TRUE(*first_destroyed);
    const auto before = grays.size();
    ASSERT_TRUE(waitUntil([&] { return grays.size() >= before + 5; }));
    for (auto i = before; i < grays.size(); ++i)
        EXPECT_EQ(grays[i], 200) << "result " << i;
    controller.stop();
}

// The happy probability shown in each result, until `count` have come.
std::vector<float> shownHappiness(SessionController& controller, int count) {
    std::vector<float> happy;
    const auto connection = QObject::connect(
        &controller, &SessionController::resultReady,
        [&](const FrameResult& r) { happy.push_back(r.faces.at(0).probabilities.at(0)); });
    auto destroyed = std::make_shared<std::atomic<bool>>(false);
    EXPECT_TRUE(controller.start(std::make_unique<FakeSource>(FakeSource::Options{}, destroyed)));
    EXPECT_TRUE(waitUntil([&] { return happy.size() >= static_cast<std::size_t>(count); }));
    controller.stop();
    QObject::disconnect(connection);
    return happy;
}

TEST(SessionController, ShowsEachFacesEmotionsAveragedOverTheSmoothingTime) {
    SessionController controller(fixedDetector(), std::make_unique<AlternatingClassifier>());
    EXPECT_DOUBLE_EQ(controller.smoothingSeconds(), 0.5);
    const auto happy = shownHappiness(controller, 60);
    ASSERT_GE(happy.size(), 60u);
    EXPECT_FLOAT_EQ(happy[0], 0.9f) << "a new face shows its own first reading";
    // Frames are 33 ms apart: each reading moves the average by about 6 % of the difference, so
    // after 40 frames (1.3 s) the first reading's weight has all but gone.
    for (std::size_t i = 40; i < happy.size(); ++i) {
        EXPECT_GT(happy[i], 0.3f) << "result " << i;
        EXPECT_LT(happy[i], 0.7f) << "result " << i;
    }
    // A new session does not carry the last one's average over.
    const auto again = shownHappiness(controller, 1);
    ASSERT_FALSE(again.empty());
    EXPECT_TRUE(again[0] == 0.9f || again[0] == 0.1f) << again[0];
}

TEST(SessionController, ZeroSmoothingShowsEveryReadingAsItIs) {
    SessionController controller(fixedDetector(), std::make_unique<AlternatingClassifier>());
    controller.setSmoothingSeconds(0.0);
    const auto happy = shownHappiness(controller, 10);
    for (std::size_t i = 0; i < happy.size(); ++i)
        EXPECT_TRUE(happy[i] == 0.9f || happy[i] == 0.1f) << "result " << i << ": " << happy[i];
    EXPECT_THROW(controller.setSmoothingSeconds(-1.0), std::invalid_argument);
    EXPECT_DOUBLE_EQ(controller.smoothingSeconds(), 0.0) << "a refused value changes nothing";
}

// Live sessions kept in the store (issue 20).

SessionKeeping keepingIn(const std::filesystem::path& store) {
    SessionKeeping keeping;
    keeping.store = store;
    keeping.setup.labels = {"happy", "sad"};
    keeping.setup.detector = "fixed";
    keeping.setup.emotrace_version = EMOTRACE_VERSION;
    keeping.options.commit_interval = std::chrono::milliseconds(50);
    return keeping;
}

struct KeptRecorder {
    explicit KeptRecorder(SessionController& controller) {
        QObject::connect(&controller, &SessionController::sessionKept,
                         [this](const KeptSession& session) { kept.push_back(session); });
        QObject::connect(&controller, &SessionController::keepingFailed,
                         [this](const QString& why) { keeping_failures.push_back(why); });
        QObject::connect(&controller, &SessionController::recordingFailed,
                         [this](const QString& why) { recording_failures.push_back(why); });
    }
    std::vector<KeptSession> kept;
    std::vector<QString> keeping_failures;
    std::vector<QString> recording_failures;
};

TEST(SessionController, KeepsEveryReadingTheMarkersAndTheLabelInTheStore) {
    test::TempDir dir;
    auto destroyed = std::make_shared<std::atomic<bool>>(false);
    SessionController controller(fixedDetector(), std::make_unique<FixedClassifier>());
    controller.setKeeping(keepingIn(dir / "sessions.sqlite"));
    controller.setSessionLabel(QStringLiteral("C-017"));
    Recorder recorder(controller);
    KeptRecorder kept(controller);
    ASSERT_TRUE(controller.start(
        std::make_unique<FakeSource>(FakeSource::Options{.frames = 200}, destroyed), "camera:0"));
    ASSERT_TRUE(waitUntil([&] { return recorder.results >= 20; }));
    const auto first = controller.addMarker(QStringLiteral("tearful"));
    const double first_ms = recorder.last.timestamp_ms;
    ASSERT_TRUE(waitUntil([&] { return recorder.results >= 60; }));
    const auto second = controller.addMarker();
    ASSERT_TRUE(first && second);
    controller.setMarkerLabel(*second, QStringLiteral("laughed"));
    controller.setSessionLabel(QStringLiteral("C-017 week 3"));
    ASSERT_TRUE(waitUntil([&] { return !recorder.finished_errors.empty(); }));
    ASSERT_EQ(kept.kept.size(), 1u);
    EXPECT_TRUE(kept.keeping_failures.empty());
    EXPECT_EQ(kept.kept[0].frames, recorder.results);
    EXPECT_EQ(kept.kept[0].markers, 2);
    // Typed after the stop: the next client's code, which must not land on this session.
    controller.setSessionLabel(QStringLiteral("C-018"));

    const SessionStore store(dir / "sessions.sqlite");
    const auto session = store.session(kept.kept[0].id);
    EXPECT_EQ(session.kind, SessionKind::Live);
    EXPECT_EQ(session.source, "camera:0");
    EXPECT_EQ(session.label, "C-017 week 3");
    EXPECT_EQ(session.state, AnalysisState::Complete);
    EXPECT_EQ(session.setup.labels, (std::vector<std::string>{"happy", "sad"}));
    EXPECT_EQ(session.frames_stored, recorder.results) << "every result shown is stored";
    const auto frames = store.frames(session.id);
    ASSERT_FALSE(frames.empty());
    EXPECT_DOUBLE_EQ(frames.back().timestamp_ms, recorder.last.timestamp_ms);
    ASSERT_EQ(frames.back().faces.size(), 1u);
    EXPECT_EQ(frames.back().faces[0].probabilities, (std::vector<float>{0.8f, 0.2f}))
        << "the raw reading, not the overlay's smoothed one";
    const auto markers = store.markers(session.id);
    ASSERT_EQ(markers.size(), 2u);
    EXPECT_EQ(markers[0].label, "tearful");
    EXPECT_DOUBLE_EQ(markers[0].start_ms, first_ms);
    EXPECT_EQ(markers[1].label, "laughed");
    EXPECT_GT(markers[1].start_ms, markers[0].start_ms);
}

TEST(SessionController, AStoreThatCannotBeOpenedLeavesTheLiveViewRunningAndSaysSo) {
    test::TempDir dir;
    auto destroyed = std::make_shared<std::atomic<bool>>(false);
    SessionController controller(fixedDetector(), nullptr);
    std::filesystem::create_directories(dir / "a-folder.sqlite");  // not a database file
    controller.setKeeping(keepingIn(dir / "a-folder.sqlite"));
    Recorder recorder(controller);
    KeptRecorder kept(controller);
    ASSERT_TRUE(controller.start(std::make_unique<FakeSource>(FakeSource::Options{}, destroyed)));
    ASSERT_EQ(kept.keeping_failures.size(), 1u);
    EXPECT_TRUE(kept.keeping_failures[0].contains("not being kept"))
        << kept.keeping_failures[0].toStdString();
    EXPECT_TRUE(kept.keeping_failures[0].contains("a-folder.sqlite"));
    ASSERT_TRUE(waitUntil([&] { return recorder.results >= 10; })) << "the live view goes on";
    EXPECT_EQ(controller.addMarker(), 0) << "markers still show on the live timeline";
    controller.stop();
    EXPECT_TRUE(kept.kept.empty());
}

// A camera unplugged mid-session: the session ends and is kept up to its last reading.
TEST(SessionController, ASourceThatBreaksEndsTheSessionKeptUpToThatMoment) {
    test::TempDir dir;
    auto destroyed = std::make_shared<std::atomic<bool>>(false);
    SessionController controller(fixedDetector(), nullptr);
    controller.setKeeping(keepingIn(dir / "sessions.sqlite"));
    Recorder recorder(controller);
    KeptRecorder kept(controller);
    ASSERT_TRUE(controller.start(
        std::make_unique<FakeSource>(FakeSource::Options{.fail_after = 40}, destroyed)));
    ASSERT_TRUE(waitUntil([&] { return !recorder.finished_errors.empty(); }));
    EXPECT_TRUE(recorder.finished_errors[0].contains("unplugged"));
    ASSERT_EQ(kept.kept.size(), 1u);
    const SessionStore store(dir / "sessions.sqlite");
    const auto session = store.session(kept.kept[0].id);
    EXPECT_EQ(session.state, AnalysisState::Complete);
    EXPECT_EQ(session.frames_stored, recorder.results);
    EXPECT_GT(session.frames_stored, 0);
}

// Issue 20's recording bar: as many recorded frames as stored results, and the review
// player's frame for a result's timestamp is that result's frame.
TEST(SessionController, TheRecordingHoldsOneFramePerStoredResultAtItsTime) {
    test::TempDir dir;
    auto destroyed = std::make_shared<std::atomic<bool>>(false);
    SessionController controller(fixedDetector(), std::make_unique<FixedClassifier>());
    controller.setKeeping(keepingIn(dir / "sessions.sqlite"));
    controller.setRecordingWanted(true);
    Recorder recorder(controller);
    KeptRecorder kept(controller);
    bool recording_shown = false;
    QObject::connect(&controller, &SessionController::recordingChanged,
                     [&](bool on) { recording_shown = recording_shown || on; });
    ASSERT_TRUE(controller.start(
        std::make_unique<FakeSource>(FakeSource::Options{.frames = 90}, destroyed)));
    EXPECT_TRUE(controller.isRecording());
    ASSERT_TRUE(waitUntil([&] { return !recorder.finished_errors.empty(); }));
    EXPECT_TRUE(recording_shown);
    EXPECT_FALSE(controller.isRecording());
    EXPECT_TRUE(kept.recording_failures.empty());
    ASSERT_EQ(kept.kept.size(), 1u);
    const auto& session = kept.kept[0];
    EXPECT_EQ(session.frames_recorded, session.frames);
    ASSERT_FALSE(session.recording.empty());

    const SessionStore store(dir / "sessions.sqlite");
    EXPECT_EQ(store.session(session.id).recording.path, session.recording.string());
    const auto frames = store.frames(session.id);
    RecordingPlayer player;
    player.open(session.recording);
    ASSERT_EQ(player.frameCount(), static_cast<std::int64_t>(frames.size()));
    for (std::size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(player.frameAtSeconds(frames[i].timestamp_ms / 1000.0),
                  static_cast<std::int64_t>(i))
            << "result " << i << " at " << frames[i].timestamp_ms << " ms";
    }
}

// Two dashboards on one store (two sessions at once, each with its own connection).
TEST(SessionController, TwoSessionsOnOneStoreAtOnceAreBothKept) {
    test::TempDir dir;
    auto destroyed = std::make_shared<std::atomic<bool>>(false);
    SessionController first(fixedDetector(), nullptr);
    SessionController second(fixedDetector(), nullptr);
    first.setKeeping(keepingIn(dir / "sessions.sqlite"));
    second.setKeeping(keepingIn(dir / "sessions.sqlite"));
    Recorder first_results(first);
    Recorder second_results(second);
    KeptRecorder first_kept(first);
    KeptRecorder second_kept(second);
    ASSERT_TRUE(
        first.start(std::make_unique<FakeSource>(FakeSource::Options{.frames = 150}, destroyed)));
    ASSERT_TRUE(second.start(
        std::make_unique<FakeSource>(FakeSource::Options{.frames = 150, .gray = 40}, destroyed)));
    ASSERT_TRUE(waitUntil([&] {
        return !first_results.finished_errors.empty() && !second_results.finished_errors.empty();
    }));
    ASSERT_EQ(first_kept.kept.size(), 1u);
    ASSERT_EQ(second_kept.kept.size(), 1u);
    EXPECT_TRUE(first_kept.keeping_failures.empty());
    EXPECT_TRUE(second_kept.keeping_failures.empty());
    const SessionStore store(dir / "sessions.sqlite");
    EXPECT_EQ(store.sessions().size(), 2u);
    EXPECT_EQ(store.session(first_kept.kept[0].id).frames_stored, first_results.results);
    EXPECT_EQ(store.session(second_kept.kept[0].id).frames_stored, second_results.results);
}

// Resting faces (issue 21, part 3).

// Reads every face as a resting face that looks a little sad: neutral 45 %, sad 55 % (or, with
// `smiling`, a clear smile the baseline must refuse).
class RestingClassifier : public EmotionClassifier {
  public:
    explicit RestingClassifier(bool smiling = false) : smiling_(smiling) {
        info_.labels = {"neutral", "sad", "happy"};
    }
    const ModelInfo& info() const override { return info_; }
    std::vector<std::vector<float>> classify(std::span<const cv::Mat> faces) override {
        const std::vector<float> reading =
            smiling_ ? std::vector{0.15f, 0.05f, 0.8f} : std::vector{0.45f, 0.5f, 0.05f};
        return std::vector<std::vector<float>>(faces.size(), reading);
    }

  private:
    ModelInfo info_;
    bool smiling_;
};

struct RestingFaceRecorder {
    explicit RestingFaceRecorder(SessionController& controller) {
        QObject::connect(&controller, &SessionController::restingFaceStarted,
                         [this](double seconds) { started.push_back(seconds); });
        QObject::connect(&controller, &SessionController::restingFaceTaken,
                         [this](int track, const QString&) { taken.push_back(track); });
        QObject::connect(&controller, &SessionController::restingFaceRefused,
                         [this](const QString& why) { refused.push_back(why); });
    }
    std::vector<double> started;
    std::vector<int> taken;
    std::vector<QString> refused;
};

TEST(SessionController, ARestingFaceIsTakenKeptAndReadingsCanBeShownRelativeToIt) {
    test::TempDir dir;
    auto destroyed = std::make_shared<std::atomic<bool>>(false);
    SessionController controller(fixedDetector(), std::make_unique<RestingClassifier>());
    controller.setSmoothingSeconds(0.0);
    auto keeping = keepingIn(dir / "sessions.sqlite");
    keeping.setup.labels = {"neutral", "sad", "happy"};
    controller.setKeeping(keeping);
    Recorder recorder(controller);
    KeptRecorder kept(controller);
    RestingFaceRecorder rest(controller);
    EXPECT_FALSE(controller.takeRestingFace(std::nullopt)) << "no session runs";
    ASSERT_TRUE(controller.start(
        std::make_unique<FakeSource>(FakeSource::Options{.frames = 300}, destroyed)));
    ASSERT_TRUE(waitUntil([&] { return recorder.results >= 10; }));
    ASSERT_TRUE(controller.takeRestingFace(std::nullopt, 1.0));
    EXPECT_TRUE(controller.isTakingRestingFace());
    ASSERT_TRUE(waitUntil([&] { return !rest.taken.empty() || !rest.refused.empty(); }));
    ASSERT_EQ(rest.taken.size(), 1u) << (rest.refused.empty() ? "" : rest.refused[0].toStdString());
    EXPECT_EQ(rest.started, (std::vector<double>{1.0}));
    const int track = rest.taken[0];
    EXPECT_GE(track, 0);
    EXPECT_EQ(controller.tracksWithRestingFace(), (std::vector<int>{track}));
    EXPECT_EQ(recorder.last.faces.at(0).probabilities[1], 0.5f) << "shown as read until switched";

    controller.setRelativeToRest(true);
    const int switched_at = recorder.results;
    ASSERT_TRUE(waitUntil([&] { return recorder.results > switched_at + 2; }));
    const auto& shown = recorder.last.faces.at(0).probabilities;
    ASSERT_EQ(shown.size(), 3u);
    // Sad stood ln(0.5/0.45) above neutral at rest: taken down to ln 7 below it.
    EXPECT_NEAR(shown[1] / shown[0], 1.0 / 7.0, 1e-4);
    EXPECT_GT(shown[0], 0.75f) << "the resting face reads neutral relative to itself";
    EXPECT_FLOAT_EQ(shown[2] / shown[0], 0.05f / 0.45f) << "what rest does not show is kept";

    ASSERT_TRUE(waitUntil([&] { return !recorder.finished_errors.empty(); }));
    ASSERT_EQ(kept.kept.size(), 1u);
    const SessionStore store(dir / "sessions.sqlite");
    const auto baselines = store.baselines(kept.kept[0].id);
    ASSERT_EQ(baselines.size(), 1u);
    EXPECT_EQ(baselines[0].track_id, track);
    EXPECT_NEAR(baselines[0].end_ms - baselines[0].start_ms, 1000.0, 1e-6);
    EXPECT_GE(baselines[0].baseline.frames, 5u);
    const auto frames = store.frames(kept.kept[0].id);
    ASSERT_FALSE(frames.empty());
    EXPECT_EQ(frames.back().faces.at(0).probabilities, (std::vector<float>{0.45f, 0.5f, 0.05f}))
        << "the store keeps the raw readings";
    EXPECT_EQ(frames.back().faces.at(0).track_id, track)
        << "the stored readings and the stored resting face name the person alike";
}

TEST(SessionController, AClearExpressionIsRefusedAsARestingFaceWithTheReason) {
    auto destroyed = std::make_shared<std::atomic<bool>>(false);
    SessionController controller(fixedDetector(), std::make_unique<RestingClassifier>(true));
    Recorder recorder(controller);
    RestingFaceRecorder rest(controller);
    ASSERT_TRUE(controller.start(
        std::make_unique<FakeSource>(FakeSource::Options{.frames = 200}, destroyed)));
    ASSERT_TRUE(controller.takeRestingFace(std::nullopt, 0.5));
    ASSERT_TRUE(waitUntil([&] { return !rest.taken.empty() || !rest.refused.empty(); }));
    ASSERT_EQ(rest.refused.size(), 1u);
    EXPECT_TRUE(rest.refused[0].contains("the face shows happy (80 % on average)"))
        << rest.refused[0].toStdString();
    EXPECT_TRUE(controller.tracksWithRestingFace().empty());
    controller.stop();
}

TEST(SessionController, TheFirstSecondsOfEachSessionCanBeTheRestingFace) {
    auto destroyed = std::make_shared<std::atomic<bool>>(false);
    SessionController controller(fixedDetector(), std::make_unique<RestingClassifier>());
    EXPECT_THROW(controller.setRestingFaceFromFirstSeconds(-1.0), std::invalid_argument);
    controller.setRestingFaceFromFirstSeconds(0.5);
    Recorder recorder(controller);
    RestingFaceRecorder rest(controller);
    for (int session = 0; session < 2; ++session) {
        ASSERT_TRUE(controller.start(
            std::make_unique<FakeSource>(FakeSource::Options{.frames = 100}, destroyed)));
        ASSERT_TRUE(waitUntil([&] { return !recorder.finished_errors.empty(); }));
        recorder.finished_errors.clear();
        ASSERT_EQ(rest.taken.size(), static_cast<std::size_t>(session + 1))
            << "each session takes its own";
    }
    EXPECT_TRUE(rest.refused.empty());

    SessionController no_model(fixedDetector(), nullptr);
    Recorder no_model_results(no_model);
    ASSERT_TRUE(no_model.start(
        std::make_unique<FakeSource>(FakeSource::Options{.frames = 100}, destroyed)));
    EXPECT_FALSE(no_model.takeRestingFace(std::nullopt)) << "without a model nothing is read";
    no_model.stop();
}

}  // namespace
}  // namespace emotrace::ui
