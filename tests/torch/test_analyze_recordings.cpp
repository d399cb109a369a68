// emotrace-analyze on recordings as they really come and run as batch jobs really run:
// phone clips stored sideways, variable frame rates, a second run on the same recording, runs
// that are killed or fail, and the permissions of what they write.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "emotrace/analysis_lock.h"
#include "emotrace/session_store.h"
#include "ffmpeg_clips.h"
#include "generated_video.h"
#include "test_support.h"

namespace emotrace {
namespace {

using test::lines;
using test::readFile;
using test::shellQuoted;

test::CommandResult runAnalyze(const std::filesystem::path& workdir,
                               const std::vector<std::string>& args) {
    return test::runProgram(EMOTRACE_ANALYZE_BIN, workdir, args);
}

nlohmann::json readJson(const std::filesystem::path& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

unsigned modeOf(const std::filesystem::path& path) {
    struct stat status {};
    EXPECT_EQ(::stat(path.c_str(), &status), 0) << path;
    return status.st_mode & 0777;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::vector<std::vector<std::string>> csvCells(const std::filesystem::path& csv) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& line : lines(readFile(csv))) {
        std::vector<std::string> cells;
        std::stringstream in(line);
        for (std::string cell; std::getline(in, cell, ',');)
            cells.push_back(cell);
        rows.push_back(std::move(cells));
    }
    return rows;
}

// The first face's box (x, y, w, h) per frame of a per-frame CSV; empty for a frame without one.
std::vector<cv::Rect2f> firstFaceBoxes(const std::filesystem::path& csv) {
    std::vector<cv::Rect2f> boxes;
    const auto rows = csvCells(csv);
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const auto& cells = rows[i];
        const auto frame = static_cast<std::size_t>(std::stoll(cells[0]));
        if (boxes.size() <= frame)
            boxes.resize(frame + 1);
        if (cells[2] == "0") {
            boxes[frame] = {std::stof(cells[3]), std::stof(cells[4]), std::stof(cells[5]),
                            std::stof(cells[6])};
        }
    }
    return boxes;
}

float overlap(const cv::Rect2f& a, const cv::Rect2f& b) {
    const float common = (a & b).area();
    const float either = a.area() + b.area() - common;
    return either > 0.0f ? common / either : 0.0f;
}

class AnalyzeRecordings : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!test::haveFfmpegTools())
            EMOTRACE_SKIP_UNLESS_REQUIRED(test::kNoFfmpegReason);
    }
    static bool ffmpeg(const std::string& arguments) { return test::runFfmpeg(arguments); }
    test::TempDir dir_;
};

TEST_F(AnalyzeRecordings, APhoneClipStoredSidewaysIsAnalysedUpright) {
    const auto d0 = test::sharedData("videos/liveportrait_d0.mp4");
    if (!d0)
        EMOTRACE_SKIP_WITHOUT_DATA("videos/liveportrait_d0.mp4");
    const auto upright = dir_ / "upright.mp4";
    ASSERT_TRUE(ffmpeg("-i " + shellQuoted(d0->string()) + " -t 1 -c:v libx264 " +
                       shellQuoted(upright.string())));
    // As a phone stores it: frames turned a quarter counter-clockwise, rotate=270 to show them.
    const auto side = dir_ / "side.mp4";
    const auto phone = dir_ / "phone.mp4";
    ASSERT_TRUE(ffmpeg("-i " + shellQuoted(upright.string()) + " -vf transpose=2 -c:v libx264 " +
                       shellQuoted(side.string())));
    ASSERT_TRUE(ffmpeg("-i " + shellQuoted(side.string()) + " -c copy -metadata:s:v:0 rotate=270 " +
                       shellQuoted(phone.string())));
    for (const auto* clip : {"upright.mp4", "phone.mp4"}) {
        const auto run =
            runAnalyze(dir_.path(), {clip, "--no-model", "--no-store", "--no-progress"});
        ASSERT_EQ(run.exit_code, 0) << run.err;
    }
    const auto expected = firstFaceBoxes(dir_ / "upright.emotions.csv");
    const auto found = firstFaceBoxes(dir_ / "phone.emotions.csv");
    ASSERT_EQ(found.size(), expected.size());
    ASSERT_GT(expected.size(), 20u);
    for (std::size_t i = 0; i < expected.size(); ++i) {
        ASSERT_GT(expected[i].area(), 0.0f) << "frame " << i << " of the upright clip";
        EXPECT_GT(overlap(found[i], expected[i]), 0.9f) << "frame " << i;
    }
    const auto summary = readJson(dir_ / "phone.summary.json");
    EXPECT_EQ(summary["input"]["width"], 512);
    EXPECT_EQ(summary["input"]["height"], 512);
}

TEST_F(AnalyzeRecordings, AVariableFrameRateRecordingKeepsEachFramesOwnTime) {
    test::makeVariableRateClip(dir_.path());
    const auto run = runAnalyze(dir_.path(), {"vfr.mp4", "--no-model", "--store",
                                              (dir_ / "s.sqlite").string(), "--no-progress"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto rows = csvCells(dir_ / "vfr.emotions.csv");
    ASSERT_EQ(rows.size(), 1u + 45u);
    // Frames 0-29 at 30 fps, then every sixth source frame: 1000, 1200, ... ms.
    EXPECT_NEAR(std::stod(rows[1 + 29][1]), 966.667, 0.5);
    EXPECT_NEAR(std::stod(rows[1 + 30][1]), 1000.0, 0.5);
    EXPECT_NEAR(std::stod(rows[1 + 31][1]), 1200.0, 0.5);
    EXPECT_NEAR(std::stod(rows[1 + 44][1]), 3800.0, 0.5);
}

TEST_F(AnalyzeRecordings, ASecondRunOnARecordingBeingAnalysedWritesNothingAndExits8) {
    test::writeTestVideo(dir_ / "clip.avi", 20, 25.0, {160, 120});
    std::ofstream(dir_ / "clip.emotions.csv") << "the earlier run's rows\n";
    const auto store = dir_ / "sessions.sqlite";
    // What the other process holds while it analyses clip.avi without a model.
    auto other = AnalysisLock::tryAcquire(
        store, AnalysisLock::keyFor(recordingFingerprint(dir_ / "clip.avi"), ""));
    ASSERT_TRUE(other);
    const auto busy = runAnalyze(
        dir_.path(), {"clip.avi", "--no-model", "--store", store.string(), "--no-progress"});
    EXPECT_EQ(busy.exit_code, 8) << busy.err;
    EXPECT_TRUE(contains(busy.err, "another emotrace process is analysing")) << busy.err;
    EXPECT_EQ(readFile(dir_ / "clip.emotions.csv"), "the earlier run's rows\n");
    EXPECT_FALSE(std::filesystem::exists(dir_ / "clip.summary.json"));

    other.reset();  // the other process finished
    const auto after = runAnalyze(
        dir_.path(), {"clip.avi", "--no-model", "--store", store.string(), "--no-progress"});
    EXPECT_EQ(after.exit_code, 0) << after.err;
    EXPECT_EQ(lines(readFile(dir_ / "clip.emotions.csv")).size(), 21u);
}

TEST_F(AnalyzeRecordings, WaitWaitsForTheOtherAnalysisThenFinishes) {
    test::writeTestVideo(dir_ / "clip.avi", 20, 25.0, {160, 120});
    const auto store = dir_ / "sessions.sqlite";
    const auto key = AnalysisLock::keyFor(recordingFingerprint(dir_ / "clip.avi"), "");
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t other = ::fork();
    ASSERT_GE(other, 0);
    if (other == 0) {
        // Holds the lock, as another analysis would, until the waiting run says it waits (its
        // stderr, which runProgram writes to stderr.txt), so the test needs no timing.
        auto lock = AnalysisLock::tryAcquire(store, key);
        const char held = lock ? 'y' : 'n';
        [[maybe_unused]] const auto written = ::write(ready[1], &held, 1);
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
        while (!contains(readFile(dir_ / "stderr.txt"), "waiting for it to finish") &&
               std::chrono::steady_clock::now() < give_up) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        ::_exit(0);
    }
    char held = 0;
    ASSERT_EQ(::read(ready[0], &held, 1), 1);
    ASSERT_EQ(held, 'y');
    const auto run = runAnalyze(dir_.path(), {"clip.avi", "--no-model", "--store", store.string(),
                                              "--wait", "--no-progress"});
    int status = 0;
    ::waitpid(other, &status, 0);
    ::close(ready[0]);
    ::close(ready[1]);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_TRUE(contains(run.err, "waiting for it to finish")) << run.err;
    EXPECT_EQ(lines(readFile(dir_ / "clip.emotions.csv")).size(), 21u);
}

// A run killed mid-analysis leaves the earlier CSV and JSON of the same name as they were, and
// the next run resumes, counting only its own frames towards its speed.
TEST_F(AnalyzeRecordings, AKilledRunKeepsTheEarlierFilesAndTheResumeCountsItsOwnFrames) {
    test::writeTestVideo(dir_ / "long.avi", 4000, 25.0, {320, 240});
    const auto store = dir_ / "sessions.sqlite";
    std::ofstream(dir_ / "long.emotions.csv") << "earlier csv\n";
    std::ofstream(dir_ / "long.summary.json") << "{\"earlier\": true}\n";
    const pid_t run = ::fork();
    ASSERT_GE(run, 0);
    if (run == 0) {
        ::chdir(dir_.path().c_str());
        ::execl(EMOTRACE_ANALYZE_BIN, EMOTRACE_ANALYZE_BIN, "long.avi", "--no-model", "--store",
                store.c_str(), "--no-progress", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    // Killed once the first batch of results is committed, well before the end.
    std::int64_t stored = 0;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (stored == 0 && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (!std::filesystem::exists(store))
            continue;
        try {
            const SessionStore reader(store);
            for (const auto& session : reader.sessions())
                stored = session.frames_stored;
        } catch (const StoreError&) {
            // created but not initialised yet
        }
    }
    ::kill(run, SIGKILL);
    int status = 0;
    ::waitpid(run, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the run ended before it could be killed";
    ASSERT_GT(stored, 0);
    EXPECT_EQ(readFile(dir_ / "long.emotions.csv"), "earlier csv\n");
    EXPECT_EQ(readFile(dir_ / "long.summary.json"), "{\"earlier\": true}\n");

    const auto resumed = runAnalyze(
        dir_.path(), {"long.avi", "--no-model", "--store", store.string(), "--no-progress"});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_TRUE(contains(resumed.err, "resuming the unfinished analysis")) << resumed.err;
    const auto summary = readJson(dir_ / "long.summary.json");
    EXPECT_EQ(summary["frames_analysed"], 4000);
    // This run's frames over this run's time: below the count over the same time.
    const double seconds = summary["processing_seconds"].get<double>();
    ASSERT_GT(seconds, 0.0);
    EXPECT_LT(summary["frames_per_second"].get<double>(), 4000.0 / seconds - 1e-9);
    const std::int64_t this_run = 4000 - stored;
    EXPECT_TRUE(contains(resumed.err, "(" + std::to_string(this_run) + " analysed in this run"))
        << resumed.err << " (stored before the kill: " << stored << ")";
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
        EXPECT_FALSE(entry.path().filename().string().starts_with(".long."))
            << "the killed run's temporary is still there: " << entry.path();
    }
}

TEST_F(AnalyzeRecordings, AnExportThatCannotBeWrittenIsInTheSummaryToo) {
    test::writeTestVideo(dir_ / "clip.avi", 10, 25.0, {160, 120});
    std::ofstream(dir_ / "exports") << "a file where the export folder should be";
    const auto run =
        runAnalyze(dir_.path(), {"clip.avi", "--no-model", "--store", (dir_ / "s.sqlite").string(),
                                 "--export", "exports", "--no-progress"});
    EXPECT_EQ(run.exit_code, 6) << run.err;
    const auto summary = readJson(dir_ / "clip.summary.json");
    EXPECT_EQ(summary["exit_status"], 6);
    ASSERT_TRUE(summary["error"].is_string());
    EXPECT_TRUE(contains(summary["error"].get<std::string>(), "exports")) << summary["error"];
}

TEST_F(AnalyzeRecordings, EveryFileWrittenIsOwnerOnlyUnlessAskedOtherwise) {
    test::writeTestVideo(dir_ / "clip.avi", 10, 25.0, {160, 120});
    const auto store = (dir_ / "s.sqlite").string();
    auto run = runAnalyze(dir_.path(), {"clip.avi", "--no-model", "--store", store, "--export",
                                        "out", "--no-progress"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    std::vector<std::filesystem::path> written{dir_ / "clip.emotions.csv",
                                               dir_ / "clip.summary.json"};
    for (const auto& entry : std::filesystem::directory_iterator(dir_ / "out"))
        written.push_back(entry.path());
    ASSERT_GE(written.size(), 4u);
    for (const auto& file : written)
        EXPECT_EQ(modeOf(file), 0600u) << file;

    run = runAnalyze(dir_.path(), {"clip.avi", "--no-model", "--no-store", "--output-mode", "0640",
                                   "--no-progress"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(modeOf(dir_ / "clip.emotions.csv"), 0640u);
    EXPECT_EQ(modeOf(dir_ / "clip.summary.json"), 0640u);
    run = runAnalyze(dir_.path(), {"clip.avi", "--output-mode", "0444"});
    EXPECT_EQ(run.exit_code, 2) << run.err;
}

TEST_F(AnalyzeRecordings, AFolderGivenAsTheVideoOrTheStoreIsNamedAsAFolder) {
    std::filesystem::create_directories(dir_ / "recordings");
    auto run = runAnalyze(dir_.path(), {"recordings", "--no-model", "--no-progress"});
    EXPECT_EQ(run.exit_code, 3);
    EXPECT_TRUE(contains(run.err, "recordings is a folder, not a video file")) << run.err;

    test::writeTestVideo(dir_ / "clip.avi", 5, 25.0, {160, 120});
    run = runAnalyze(dir_.path(),
                     {"clip.avi", "--no-model", "--store", "recordings", "--no-progress"});
    EXPECT_EQ(run.exit_code, 6);
    EXPECT_TRUE(contains(run.err, "is a folder; the store is a database file")) << run.err;
    EXPECT_FALSE(contains(run.err, "damaged")) << run.err;
}

}  // namespace
}  // namespace emotrace
