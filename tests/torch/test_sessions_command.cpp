// emotrace-sessions end to end: a live session kept by LiveSessionWriter and an analysed
// recording, listed and exported as a script would.
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "emotrace/live_session_writer.h"
#include "emotrace/session_store.h"
#include "test_support.h"

namespace emotrace {
namespace {

test::CommandResult runSessions(const std::filesystem::path& workdir,
                                const std::vector<std::string>& args) {
    return test::runProgram(EMOTRACE_SESSIONS_BIN, workdir, args);
}

// A live session of 30 readings of one face, labelled, with a marker.
std::int64_t keepLiveSession(const std::filesystem::path& store) {
    AnalysisSetup setup;
    setup.labels = {"happy", "sad"};
    setup.detector = "yunet2023";
    LiveSessionFacts facts;
    facts.source = "camera:0";
    facts.label = "C-017";
    facts.fps = 30.0;
    LiveSessionWriter writer(store, facts, setup);
    for (int n = 0; n < 30; ++n) {
        FrameResult result;
        result.timestamp_ms = n * 1000.0 / 30.0;
        FaceResult face;
        face.box = {100.0f, 80.0f, 120.0f, 140.0f};
        face.detection_confidence = 0.9f;
        face.probabilities = {0.8f, 0.2f};
        result.faces.push_back(face);
        writer.add(result);
    }
    writer.addMarker({0, 400.0, 400.0, "looked away", "", false});
    writer.finish();
    return writer.sessionId();
}

TEST(SessionsCommand, ListsLiveSessionsWithKindFramesStatusAndLabel) {
    test::TempDir dir;
    const auto store = dir / "sessions.sqlite";
    const auto id = keepLiveSession(store);
    auto run = runSessions(dir.path(), {"--store", store.string(), "list"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto lines = test::lines(run.out);
    ASSERT_EQ(lines.size(), 1u) << run.out;
    EXPECT_TRUE(lines[0].starts_with(std::to_string(id) + "\tlive\t")) << lines[0];
    EXPECT_NE(lines[0].find("30 frames\tcomplete\tC-017"), std::string::npos) << lines[0];

    run = runSessions(dir.path(), {"--store", store.string(), "list", "--json"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto json = nlohmann::json::parse(run.out);
    ASSERT_EQ(json.size(), 1u);
    EXPECT_EQ(json[0]["kind"], "live");
    EXPECT_EQ(json[0]["frames"], 30);
    EXPECT_EQ(json[0]["label"], "C-017");
    EXPECT_EQ(json[0]["source"], "camera:0");
    EXPECT_NEAR(json[0]["duration_s"].get<double>(), 1.0, 1e-6);
}

TEST(SessionsCommand, ExportsTheFilesOfAnalyzeExportOwnerOnly) {
    test::TempDir dir;
    const auto store = dir / "sessions.sqlite";
    const auto id = keepLiveSession(store);
    const auto run = runSessions(
        dir.path(), {"--store", store.string(), "export", std::to_string(id), "--out", "out"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto stem = "session-" + std::to_string(id) + "-C-017";
    const auto csv = test::lines(test::readFile(dir / "out" / (stem + ".session.csv")));
    EXPECT_EQ(csv.size(), 31u) << "a header and one row per reading";
    const auto json = nlohmann::json::parse(test::readFile(dir / "out" / (stem + ".session.json")));
    EXPECT_EQ(json["markers"].size(), 1u);
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir / "out")) {
        struct stat status {};
        ASSERT_EQ(::stat(entry.path().c_str(), &status), 0);
        EXPECT_EQ(status.st_mode & 0777, 0600u) << entry.path();
        ++files;
    }
    EXPECT_GE(files, 2u);
}

TEST(SessionsCommand, UnknownIdsAndBadCommandLinesHaveTheirExitCodes) {
    test::TempDir dir;
    const auto store = dir / "sessions.sqlite";
    keepLiveSession(store);
    auto run = runSessions(dir.path(), {"--store", store.string(), "export", "999", "--out", "o"});
    EXPECT_EQ(run.exit_code, 3) << run.err;
    EXPECT_NE(run.err.find("no session 999"), std::string::npos) << run.err;
    EXPECT_EQ(runSessions(dir.path(), {"--store", store.string()}).exit_code, 2);
    EXPECT_EQ(runSessions(dir.path(), {"--store", store.string(), "export", "1"}).exit_code, 2);
    EXPECT_EQ(
        runSessions(dir.path(), {"--store", (dir / "none.sqlite").string(), "list"}).exit_code, 6);
    run = runSessions(dir.path(), {"--version"});
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_EQ(run.out, std::string("emotrace-sessions ") + EMOTRACE_VERSION + "\n");
}

}  // namespace
}  // namespace emotrace
