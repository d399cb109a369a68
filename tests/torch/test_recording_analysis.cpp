// analyzeRecording on generated videos: a bright square stands in for a face and a small
// detector finds it from the pixels, so boxes depend on the decoded frames (a resume that seeks
// to the wrong frame shows). The kill-and-resume test runs emotrace-analyze in a child process.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "emotrace/emotion_classifier.h"
#include "emotrace/recording_analysis.h"
#include "emotrace/session_store.h"
#include "generated_video.h"
#include "moving_square.h"
#include "test_models.h"
#include "test_support.h"

namespace emotrace {
namespace {

using test::BrightSquareDetector;
using test::kSize;
using test::MovingFace;

std::filesystem::path writeVideo(const test::TempDir& dir, const std::string& name, int frames,
                                 const MovingFace& face = {}) {
    const auto path = dir / name;
    test::writeTestVideo(path, frames, 30.0, kSize,
                         [&](cv::Mat& frame, int index) { face.paint(frame, index); });
    return path;
}

std::int64_t newSession(SessionStore& store, const std::filesystem::path& video,
                        const std::vector<std::string>& labels, int detect_every) {
    RecordingFacts facts;
    facts.path = video.string();
    facts.content_hash = recordingFingerprint(video);
    facts.fps = 30.0;
    facts.width = kSize.width;
    facts.height = kSize.height;
    cv::VideoCapture capture(video.string(), cv::CAP_FFMPEG);
    facts.frame_count = static_cast<std::int64_t>(capture.get(cv::CAP_PROP_FRAME_COUNT));
    AnalysisSetup setup;
    setup.labels = labels;
    setup.detector = "bright-square";
    setup.detect_every = detect_every;
    return store.createSession(facts, setup);
}

// Frames 0 .. expected-1, each exactly once and in order.
void expectEveryFrameOnce(const std::vector<FrameRecord>& frames, std::int64_t expected) {
    ASSERT_EQ(static_cast<std::int64_t>(frames.size()), expected);
    for (std::int64_t i = 0; i < expected; ++i)
        ASSERT_EQ(frames[static_cast<std::size_t>(i)].frame_index, i);
}

struct Analysis {
    test::TempDir dir;
    std::vector<std::string> labels = {"happy", "sad", "neutral"};
    std::unique_ptr<EmotionClassifier> classifier =
        loadEmotionClassifier(test::writeTestModel(dir / "model.pt", labels));
    SessionStore store{dir / "sessions.sqlite"};
    BrightSquareDetector detector;
};

TEST(RecordingAnalysis, EveryFrameIsStoredOnceWithTrackedBoxesAndProbabilities) {
    Analysis analysis;
    const MovingFace face;
    const auto video = writeVideo(analysis.dir, "clip.mp4", 97, face);
    const auto id = newSession(analysis.store, video, analysis.labels, 5);
    RecordingAnalysisOptions options{.detect_every = 5, .classify_batch = 8, .commit_every = 20};
    int progress_calls = 0;
    AnalysisCallbacks callbacks;
    callbacks.on_progress = [&](const AnalysisProgress& progress) {
        ++progress_calls;
        EXPECT_GT(progress.frames_done, 0);
        EXPECT_EQ(progress.frame_count, 97);
    };
    const auto result = analyzeRecording(analysis.store, id, analysis.detector,
                                         analysis.classifier.get(), options, {}, callbacks);
    EXPECT_EQ(result.outcome, AnalysisOutcome::Complete);
    EXPECT_EQ(result.frames_stored, 97);
    EXPECT_GE(progress_calls, 4);
    EXPECT_LT(analysis.detector.calls, 97 / 5 + 3) << "the detector runs on keyframes only";

    const auto info = analysis.store.session(id);
    EXPECT_EQ(info.state, AnalysisState::Complete);
    const auto frames = analysis.store.frames(id);
    expectEveryFrameOnce(frames, 97);
    for (const auto& frame : frames) {
        ASSERT_EQ(frame.faces.size(), 1u) << "frame " << frame.frame_index;
        const auto& found = frame.faces[0];
        EXPECT_EQ(found.track_id, 0);
        EXPECT_EQ(found.detected, frame.frame_index % 5 == 0 || frame.frame_index == 96);
        EXPECT_EQ(found.probabilities.size(), analysis.labels.size());
        // Measured on every frame, between keyframes from the interpolated landmarks.
        ASSERT_TRUE(found.quality.has_value()) << "frame " << frame.frame_index;
        ASSERT_TRUE(found.quality->pose.has_value()) << "frame " << frame.frame_index;
        EXPECT_NEAR(found.quality->pose->roll, 0.0, 1.0) << "frame " << frame.frame_index;
        EXPECT_NEAR(frame.timestamp_ms, static_cast<double>(frame.frame_index) * 1000.0 / 30.0,
                    1e-6);
        // Interpolation between keyframes stays within a few pixels of the drawn square (its
        // motion is piecewise linear, with a small vertical wobble and one turn).
        const cv::Rect truth = face.box(static_cast<int>(frame.frame_index));
        EXPECT_NEAR(found.box.x, truth.x, 8.0) << "frame " << frame.frame_index;
        EXPECT_NEAR(found.box.y, truth.y, 8.0) << "frame " << frame.frame_index;
    }
}

TEST(RecordingAnalysis, FaceThatVanishesIsFoundOnTheSameFramesAsWithPerFrameDetection) {
    Analysis analysis;
    const MovingFace face{.hidden_from = 33, .hidden_to = 47};
    const auto video = writeVideo(analysis.dir, "clip.avi", 80, face);
    std::vector<std::vector<bool>> presence;
    for (int detect_every : {1, 5}) {
        const auto id = newSession(analysis.store, video, analysis.labels, detect_every);
        RecordingAnalysisOptions options{.detect_every = detect_every};
        analyzeRecording(analysis.store, id, analysis.detector, analysis.classifier.get(), options,
                         {});
        std::vector<bool> present;
        for (const auto& frame : analysis.store.frames(id))
            present.push_back(!frame.faces.empty());
        presence.push_back(present);
    }
    ASSERT_EQ(presence[0].size(), 80u);
    EXPECT_EQ(presence[0], presence[1]);
    EXPECT_FALSE(presence[1][40]);
    EXPECT_TRUE(presence[1][32]);
    EXPECT_TRUE(presence[1][47]);
}

TEST(RecordingAnalysis, CancelledRunResumesWithNoGapNoDuplicateAndTheSameResults) {
    Analysis analysis;
    const auto video = writeVideo(analysis.dir, "clip.mp4", 150);
    RecordingAnalysisOptions options{.detect_every = 5, .classify_batch = 8, .commit_every = 30};

    const auto whole = newSession(analysis.store, video, analysis.labels, 5);
    analyzeRecording(analysis.store, whole, analysis.detector, analysis.classifier.get(), options,
                     {});

    const auto resumed = newSession(analysis.store, video, analysis.labels, 5);
    std::stop_source cancel;
    AnalysisCallbacks callbacks;
    callbacks.on_progress = [&](const AnalysisProgress&) { cancel.request_stop(); };
    const auto first =
        analyzeRecording(analysis.store, resumed, analysis.detector, analysis.classifier.get(),
                         options, cancel.get_token(), callbacks);
    EXPECT_EQ(first.outcome, AnalysisOutcome::Cancelled);
    EXPECT_GT(first.frames_stored, 0);
    EXPECT_LT(first.frames_stored, 150);
    EXPECT_EQ(first.frames_stored % 5, 0) << "commits end before a keyframe";
    EXPECT_EQ(analysis.store.session(resumed).state, AnalysisState::InProgress);

    const auto second = analyzeRecording(analysis.store, resumed, analysis.detector,
                                         analysis.classifier.get(), options, {});
    EXPECT_EQ(second.outcome, AnalysisOutcome::Complete);
    const auto expected = analysis.store.frames(whole);
    const auto frames = analysis.store.frames(resumed);
    expectEveryFrameOnce(frames, 150);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        ASSERT_EQ(frames[i].faces.size(), expected[i].faces.size()) << "frame " << i;
        for (std::size_t f = 0; f < frames[i].faces.size(); ++f) {
            EXPECT_EQ(frames[i].faces[f].track_id, expected[i].faces[f].track_id);
            EXPECT_NEAR(frames[i].faces[f].box.x, expected[i].faces[f].box.x, 0.5) << i;
            EXPECT_EQ(frames[i].faces[f].detected, expected[i].faces[f].detected) << i;
        }
    }
}

TEST(RecordingAnalysis, TruncatedRecordingKeepsWhatWasAnalysedAndSaysWhereItBroke) {
    Analysis analysis;
    const auto whole = writeVideo(analysis.dir, "whole.avi", 90);
    const auto cut = analysis.dir / "cut.avi";
    std::filesystem::copy_file(whole, cut);
    std::filesystem::resize_file(cut, std::filesystem::file_size(cut) / 2);
    const auto id = newSession(analysis.store, cut, analysis.labels, 5);
    const auto result =
        analyzeRecording(analysis.store, id, analysis.detector, analysis.classifier.get(), {}, {});
    EXPECT_EQ(result.outcome, AnalysisOutcome::Broken);
    EXPECT_GT(result.frames_stored, 10);
    EXPECT_LT(result.frames_stored, 90);
    const std::string where = "broke at frame " + std::to_string(result.frames_stored);
    EXPECT_NE(result.error.find(where), std::string::npos) << result.error;
    const auto info = analysis.store.session(id);
    EXPECT_EQ(info.state, AnalysisState::Failed);
    EXPECT_EQ(info.error, result.error);
    expectEveryFrameOnce(analysis.store.frames(id), result.frames_stored);
}

TEST(RecordingAnalysis, MissingRecordingThrowsSourceErrorNamingIt) {
    Analysis analysis;
    const auto video = writeVideo(analysis.dir, "clip.avi", 5);
    const auto id = newSession(analysis.store, video, analysis.labels, 5);
    std::filesystem::remove(video);
    try {
        analyzeRecording(analysis.store, id, analysis.detector, nullptr, {}, {});
        FAIL() << "expected SourceError";
    } catch (const SourceError& e) {
        EXPECT_NE(std::string(e.what()).find("clip.avi"), std::string::npos) << e.what();
    }
}

// Runs emotrace-analyze on `video` into `store` as a child process; returns its pid.
pid_t startAnalyze(const std::filesystem::path& video, const std::filesystem::path& store,
                   const std::filesystem::path& workdir) {
    const pid_t pid = fork();
    if (pid == 0) {
        if (chdir(workdir.c_str()) != 0)
            _exit(127);
        std::freopen("/dev/null", "w", stderr);
        execl(EMOTRACE_ANALYZE_BIN, EMOTRACE_ANALYZE_BIN, video.c_str(), "--store", store.c_str(),
              "--no-progress", static_cast<char*>(nullptr));
        _exit(127);
    }
    return pid;
}

int waitFor(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

TEST(RecordingAnalysis, KilledCommandResumesWithEveryFrameExactlyOnce) {
    test::TempDir dir;
    constexpr int kFrames = 3000;
    const auto video = writeVideo(dir, "long.avi", kFrames);
    const auto store_path = dir / "sessions.sqlite";
    const auto hash = recordingFingerprint(video);

    const pid_t child = startAnalyze(video, store_path, dir.path());
    ASSERT_GT(child, 0);
    std::int64_t stored_when_killed = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        if (!std::filesystem::exists(store_path))
            continue;
        try {
            const SessionStore store(store_path);
            const auto session = store.findSession(hash, "");
            if (session && session->frames_stored > 0) {
                stored_when_killed = session->frames_stored;
                break;
            }
        } catch (const StoreError&) {
            // Still being created by the child: try again.
        }
    }
    kill(child, SIGKILL);
    const int killed = waitFor(child);
    ASSERT_TRUE(WIFSIGNALED(killed)) << "the analysis ended before it could be killed";
    ASSERT_GT(stored_when_killed, 0);
    ASSERT_LT(stored_when_killed, kFrames);

    const int resumed = waitFor(startAnalyze(video, store_path, dir.path()));
    ASSERT_TRUE(WIFEXITED(resumed));
    EXPECT_EQ(WEXITSTATUS(resumed), 0);
    const SessionStore store(store_path);
    const auto session = store.findSession(hash, "");
    ASSERT_TRUE(session);
    EXPECT_EQ(session->state, AnalysisState::Complete);
    EXPECT_EQ(store.sessions().size(), 1u) << "the rerun continued the same session";
    expectEveryFrameOnce(store.frames(session->id), kFrames);
}

std::string shellQuoted(const std::string& text) {
    std::string result = "'";
    for (char c : text)
        result += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return result + "'";
}

// Runs emotrace-analyze in `workdir` with `args`; returns its exit code and stderr.
std::pair<int, std::string> runAnalyze(const std::filesystem::path& workdir,
                                       const std::string& args) {
    const auto err_file = workdir / "stderr.txt";
    const std::string command = "cd " + shellQuoted(workdir.string()) + " && " +
                                shellQuoted(EMOTRACE_ANALYZE_BIN) + " " + args + " 2>" +
                                shellQuoted(err_file.string());
    const int status = std::system(command.c_str());
    std::ifstream in(err_file);
    std::stringstream text;
    text << in.rdbuf();
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

std::vector<std::string> linesOf(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

TEST(RecordingAnalysis, CommandReusesACompleteSessionAndExportsItsFiles) {
    test::TempDir dir;
    writeVideo(dir, "clip.avi", 40);
    const std::string args = "clip.avi --store sessions.sqlite --no-progress --export out";
    const auto first = runAnalyze(dir.path(), args);
    ASSERT_EQ(first.first, 0) << first.second;
    EXPECT_EQ(first.second.find("without analysing it again"), std::string::npos);

    const auto second = runAnalyze(dir.path(), args);
    ASSERT_EQ(second.first, 0) << second.second;
    EXPECT_NE(second.second.find("without analysing it again"), std::string::npos) << second.second;
    const SessionStore store(dir / "sessions.sqlite");
    EXPECT_EQ(store.sessions().size(), 1u);

    const auto rows = linesOf(dir / "out" / "clip.session.csv");
    ASSERT_EQ(rows.size(), 41u);
    EXPECT_NE(rows[0].find(",track,quality,"), std::string::npos) << rows[0];
    EXPECT_TRUE(std::filesystem::exists(dir / "out" / "clip.session.json"));
    EXPECT_EQ(linesOf(dir / "clip.emotions.csv").size(), 41u);
}

}  // namespace
}  // namespace emotrace
