#include "session_controller.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "emotrace/error.h"
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

class FixedFaceDetector : public FaceDetector {
  public:
    std::vector<Detection> detect(const cv::Mat&) override { return {{{8, 8, 24, 24}, 0.9f}}; }
    std::string name() const override { return "fixed"; }
};

class FixedClassifier : public EmotionClassifier {
  public:
    FixedClassifier() { info_.labels = {"happy", "sad"}; }
    const ModelInfo& info() const override { return info_; }
    std::vector<std::vector<float>> classify(std::span<const cv::Mat> faces) override {
        return std::vector<std::vector<float>>(faces.size(), {0.8f, 0.2f});
    }

  private:
    ModelInfo info_;
};

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

}  // namespace
}  // namespace emotrace::ui
