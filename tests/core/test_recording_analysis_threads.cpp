// analyzeRecording without an emotion model: the decode thread, the bounded queue between it and
// the analysing thread, cancel and resume. Kept in the core tests so that the TSan build of the
// test command runs it (the torch tests, with a model, cover probabilities and the command).
#include <gtest/gtest.h>

#include <stop_token>

#include <opencv2/videoio.hpp>

#include "emotrace/recording_analysis.h"
#include "emotrace/session_store.h"
#include "generated_video.h"
#include "moving_square.h"
#include "test_support.h"

namespace emotrace {
namespace {

struct BoxesOnly {
    test::TempDir dir;
    SessionStore store{dir / "sessions.sqlite"};
    test::BrightSquareDetector detector;
    std::filesystem::path video = dir / "clip.mp4";

    explicit BoxesOnly(int frames) {
        const test::MovingFace face;
        test::writeTestVideo(video, frames, 30.0, test::kSize,
                             [&](cv::Mat& frame, int index) { face.paint(frame, index); });
    }
    std::int64_t newSession() {
        RecordingFacts facts;
        facts.path = video.string();
        facts.content_hash = recordingFingerprint(video);
        facts.fps = 30.0;
        cv::VideoCapture capture(video.string(), cv::CAP_FFMPEG);
        facts.frame_count = static_cast<std::int64_t>(capture.get(cv::CAP_PROP_FRAME_COUNT));
        AnalysisSetup setup;
        setup.detector = detector.name();
        setup.detect_every = 4;
        return store.createSession(facts, setup);
    }
};

TEST(RecordingAnalysisThreads, EveryFrameOnceWithoutAModel) {
    BoxesOnly analysis(90);
    const auto id = analysis.newSession();
    const auto result = analyzeRecording(analysis.store, id, analysis.detector, nullptr,
                                         {.detect_every = 4, .commit_every = 20}, {});
    EXPECT_EQ(result.outcome, AnalysisOutcome::Complete);
    const auto frames = analysis.store.frames(id);
    ASSERT_EQ(frames.size(), 90u);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(frames[i].frame_index, static_cast<std::int64_t>(i));
        ASSERT_EQ(frames[i].faces.size(), 1u) << "frame " << i;
        EXPECT_TRUE(frames[i].faces[0].probabilities.empty());
        EXPECT_EQ(frames[i].faces[0].track_id, frames[0].faces[0].track_id);
    }
}

TEST(RecordingAnalysisThreads, CancelStopsTheDecoderAndResumeCompletes) {
    BoxesOnly analysis(120);
    const auto id = analysis.newSession();
    std::stop_source cancel;
    AnalysisCallbacks callbacks;
    callbacks.on_progress = [&](const AnalysisProgress&) { cancel.request_stop(); };
    const RecordingAnalysisOptions options{.detect_every = 4, .commit_every = 20};
    const auto first = analyzeRecording(analysis.store, id, analysis.detector, nullptr, options,
                                        cancel.get_token(), callbacks);
    EXPECT_EQ(first.outcome, AnalysisOutcome::Cancelled);
    EXPECT_LT(first.frames_stored, 120);
    const auto second =
        analyzeRecording(analysis.store, id, analysis.detector, nullptr, options, {});
    EXPECT_EQ(second.outcome, AnalysisOutcome::Complete);
    const auto frames = analysis.store.frames(id);
    ASSERT_EQ(frames.size(), 120u);
    for (std::size_t i = 0; i < frames.size(); ++i)
        EXPECT_EQ(frames[i].frame_index, static_cast<std::int64_t>(i));
}

}  // namespace
}  // namespace emotrace
