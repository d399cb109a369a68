#include "review_analysis.h"

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "review_player.h"
#include "review_test_support.h"
#include "review_workspace.h"
#include "test_models.h"
#include "test_support.h"
#include "ui_test_support.h"

namespace emotrace::ui {
namespace {

using test::waitUntil;

std::vector<FrameRecord> batch(std::int64_t first, int count) {
    std::vector<FrameRecord> frames;
    for (int i = 0; i < count; ++i)
        frames.push_back({first + i, (first + i) * 100.0, {}});
    return frames;
}

TEST(AnalysisRunner, BatchesAndTheResultReachTheGuiThread) {
    AnalysisRunner runner;
    std::vector<std::int64_t> arrived;
    std::vector<Qt::HANDLE> threads;
    std::optional<AnalysisResult> result;
    QObject::connect(&runner, &AnalysisRunner::framesArrived, [&](const auto& frames) {
        threads.push_back(QThread::currentThreadId());
        for (const auto& frame : frames)
            arrived.push_back(frame.frame_index);
    });
    QObject::connect(&runner, &AnalysisRunner::finished,
                     [&](const AnalysisResult& r) { result = r; });
    runner.start([](std::stop_token, const AnalysisCallbacks& callbacks) {
        const auto first = batch(0, 3);
        const auto second = batch(3, 2);
        callbacks.on_frames(first);
        callbacks.on_progress({3, 5, 100.0, 0.02});
        callbacks.on_frames(second);
        return AnalysisResult{AnalysisOutcome::Complete, 5, {}};
    });
    ASSERT_TRUE(waitUntil([&] { return result.has_value(); }));
    EXPECT_EQ(arrived, (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
    for (const auto thread : threads)
        EXPECT_EQ(thread, QThread::currentThreadId());
    EXPECT_EQ(result->frames_stored, 5);
    EXPECT_FALSE(runner.isRunning());
}

TEST(AnalysisRunner, CancelStopsTheWorkAndDropsWhatItPosted) {
    AnalysisRunner runner;
    std::atomic<bool> started{false};
    int delivered = 0;
    bool finished = false;
    QObject::connect(&runner, &AnalysisRunner::framesArrived, [&](const auto&) { ++delivered; });
    QObject::connect(&runner, &AnalysisRunner::finished, [&](const auto&) { finished = true; });
    runner.start([&](std::stop_token stop, const AnalysisCallbacks& callbacks) {
        std::int64_t next = 0;
        while (!stop.stop_requested()) {
            callbacks.on_frames(batch(next++, 1));
            started = true;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return AnalysisResult{AnalysisOutcome::Cancelled, next, {}};
    });
    while (!started)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    runner.cancel();  // returns only once the work has seen the stop and ended
    EXPECT_FALSE(runner.isRunning());
    const int before = delivered;
    QCoreApplication::processEvents();
    EXPECT_EQ(delivered, before);
    EXPECT_FALSE(finished);
}

TEST(AnalysisRunner, AThrowingAnalysisIsReportedWithItsMessage) {
    AnalysisRunner runner;
    QString message;
    QObject::connect(&runner, &AnalysisRunner::failed, [&](const QString& m) { message = m; });
    runner.start([](std::stop_token, const AnalysisCallbacks&) -> AnalysisResult {
        throw StoreError("the disk is full: /tmp/sessions.sqlite");
    });
    ASSERT_TRUE(waitUntil([&] { return !message.isEmpty(); }));
    EXPECT_TRUE(message.contains("disk is full"));
}

// Finds one face in the middle of every frame: the analysis is then fast and its result known.
class CentreFaceDetector : public FaceDetector {
  public:
    std::vector<Detection> detect(const cv::Mat& bgr) override {
        return {{cv::Rect2f(bgr.cols / 4.0f, bgr.rows / 4.0f, bgr.cols / 2.0f, bgr.rows / 2.0f),
                 0.95f}};
    }
    std::string name() const override { return "centre"; }
};

TEST(ReviewWorkspaceAnalysis, ANewRecordingIsAnalysedInTheBackgroundAndReopenedFromTheStore) {
    test::TempDir folder;
    const auto video = folder / "new.avi";
    test::writeTestVideo(video, 45, 15.0, {96, 72});
    ReviewSetup setup;
    setup.store_path = folder / "sessions.sqlite";
    setup.make_detector = [] { return std::make_unique<CentreFaceDetector>(); };
    setup.analysis.commit_every = 10;
    std::int64_t session_id = 0;
    {
        ReviewWorkspace workspace(setup);
        int progress_reports = 0;
        QObject::connect(&workspace, &ReviewWorkspace::analysisProgressed,
                         [&](auto, auto) { ++progress_reports; });
        ASSERT_TRUE(workspace.openRecording(video)) << workspace.errorText().toStdString();
        EXPECT_TRUE(workspace.isAnalysing());
        ASSERT_TRUE(waitUntil([&] { return !workspace.isAnalysing(); }));
        EXPECT_TRUE(workspace.errorText().isEmpty()) << workspace.errorText().toStdString();
        EXPECT_GE(progress_reports, 1);
        ASSERT_EQ(workspace.frames().size(), 45u);
        for (std::size_t i = 0; i < workspace.frames().size(); ++i)
            ASSERT_EQ(workspace.frames()[i].frame_index, static_cast<std::int64_t>(i));
        EXPECT_EQ(workspace.session()->state, AnalysisState::Complete);
        EXPECT_GE(workspace.track(), 0);
        session_id = workspace.session()->id;
    }
    ReviewWorkspace reopened(setup);
    ASSERT_TRUE(reopened.openRecording(video));
    EXPECT_FALSE(reopened.isAnalysing());  // complete: shown at once, nothing re-analysed
    EXPECT_EQ(reopened.session()->id, session_id);
    EXPECT_EQ(reopened.frames().size(), 45u);
}

// CentreFaceDetector that holds its n-th call until released: the analysis is then certainly
// still running when the test cancels it.
class GatedDetector : public CentreFaceDetector {
  public:
    GatedDetector(int open_calls, const std::atomic<bool>& released)
        : open_calls_(open_calls), released_(released) {}
    std::vector<Detection> detect(const cv::Mat& bgr) override {
        if (++calls_ > open_calls_) {
            while (!released_)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return CentreFaceDetector::detect(bgr);
    }

  private:
    int calls_ = 0;
    int open_calls_;
    const std::atomic<bool>& released_;
};

TEST(ReviewWorkspaceAnalysis, CancelKeepsWhatIsStoredAndReopeningResumesWithoutGaps) {
    constexpr int kFrames = 150;
    test::TempDir folder;
    const auto video = folder / "long.avi";
    test::writeTestVideo(video, kFrames, 15.0, {96, 72});
    std::atomic<bool> released{false};
    ReviewSetup setup;
    setup.store_path = folder / "sessions.sqlite";
    setup.analysis.commit_every = 10;
    setup.analysis.detect_every = 5;
    setup.make_detector = [&released] { return std::make_unique<GatedDetector>(8, released); };
    std::int64_t kept = 0;
    {
        ReviewWorkspace workspace(setup);
        ASSERT_TRUE(workspace.openRecording(video)) << workspace.errorText().toStdString();
        ASSERT_TRUE(waitUntil([&] { return !workspace.frames().empty(); }));
        released = true;
        workspace.cancelAnalysis();
        EXPECT_FALSE(workspace.isAnalysing());
        const auto stored = SessionStore(setup.store_path).session(workspace.session()->id);
        kept = stored.frames_stored;
        EXPECT_EQ(stored.state, AnalysisState::InProgress);
        EXPECT_GE(kept, static_cast<std::int64_t>(workspace.frames().size()));
        EXPECT_LT(kept, kFrames);
    }
    setup.make_detector = [] { return std::make_unique<CentreFaceDetector>(); };
    ReviewWorkspace reopened(setup);
    ASSERT_TRUE(reopened.openRecording(video));
    EXPECT_EQ(reopened.frames().size(), static_cast<std::size_t>(kept));  // shown at once
    EXPECT_TRUE(reopened.isAnalysing());
    ASSERT_TRUE(waitUntil([&] { return !reopened.isAnalysing(); }));
    EXPECT_TRUE(reopened.errorText().isEmpty()) << reopened.errorText().toStdString();
    const auto frames = SessionStore(setup.store_path).frames(reopened.session()->id);
    ASSERT_EQ(frames.size(), static_cast<std::size_t>(kFrames));
    for (std::size_t i = 0; i < frames.size(); ++i)
        ASSERT_EQ(frames[i].frame_index, static_cast<std::int64_t>(i));
    ASSERT_EQ(reopened.frames().size(), frames.size());
    EXPECT_EQ(reopened.session()->state, AnalysisState::Complete);
}

TEST(ReviewWorkspaceAnalysis, WithAModelEveryFaceGetsProbabilitiesInTheModelsOrder) {
    test::TempDir folder;
    const auto video = folder / "model.avi";
    test::writeTestVideo(video, 20, 10.0, {96, 72});
    const std::vector<std::string> labels{"happy", "sad", "neutral"};
    const auto model = test::writeTestModel(folder / "model.pt", labels);
    ReviewSetup setup;
    setup.store_path = folder / "sessions.sqlite";
    setup.model_path = model;
    setup.load_classifier = [model] { return loadEmotionClassifier(model); };
    setup.make_detector = [] { return std::make_unique<CentreFaceDetector>(); };
    ReviewWorkspace workspace(setup);
    ASSERT_TRUE(workspace.openRecording(video)) << workspace.errorText().toStdString();
    ASSERT_TRUE(waitUntil([&] { return !workspace.isAnalysing(); }));
    ASSERT_TRUE(workspace.errorText().isEmpty()) << workspace.errorText().toStdString();
    const auto session = *workspace.session();
    EXPECT_EQ(session.setup.labels, labels);
    EXPECT_EQ(session.setup.model_architecture, "mycnn_v1");
    EXPECT_EQ(session.setup.model_hash, recordingFingerprint(model));
    EXPECT_EQ(session.setup.detect_every, setup.analysis.detect_every);
    ASSERT_EQ(workspace.frames().size(), 20u);
    for (const auto& frame : workspace.frames()) {
        ASSERT_EQ(frame.faces.size(), 1u);
        EXPECT_EQ(frame.faces[0].probabilities.size(), labels.size());
    }
}

TEST(ReviewWorkspaceAnalysis, AnUnreadableRecordingIsReported) {
    test::TempDir folder;
    const auto fake = folder / "not-a-video.mp4";
    std::ofstream(fake) << "plain text";
    ReviewSetup setup;
    setup.store_path = folder / "sessions.sqlite";
    ReviewWorkspace workspace(setup);
    EXPECT_FALSE(workspace.openRecording(fake));
    EXPECT_TRUE(workspace.errorText().contains(QString::fromStdString(fake.string())))
        << workspace.errorText().toStdString();
}

}  // namespace
}  // namespace emotrace::ui
