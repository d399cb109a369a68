// emotrace-analyze end to end: the built binary on generated videos, as a script would call it.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "emotrace/result_csv.h"
#include "generated_video.h"
#include "test_models.h"
#include "test_support.h"

namespace emotrace {
namespace {

using test::lines;
using test::readFile;

test::CommandResult runAnalyze(const std::filesystem::path& workdir,
                               const std::vector<std::string>& args) {
    return test::runProgram(EMOTRACE_ANALYZE_BIN, workdir, args);
}

nlohmann::json readJson(const std::filesystem::path& path) {
    std::ifstream in(path);
    return nlohmann::json::parse(in);
}

TEST(AnalyzeCommand, GeneratedVideoGivesOneRowPerFrameAndDefaultOutputNames) {
    test::TempDir dir;
    test::writeTestVideo(dir / "clip.avi", 30, 25.0, {160, 120});
    const auto run = runAnalyze(dir.path(), {"clip.avi", "--no-progress"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.err.find("emotrace-analyze: note: no emotion model"), std::string::npos)
        << run.err;

    const auto rows = lines(readFile(dir / "clip.emotions.csv"));
    ASSERT_EQ(rows.size(), 31u);  // header + one row per frame: no face in a grey square
    EXPECT_EQ(rows[0], csvHeader({}));
    // The box and confidence (5 cells), no probabilities, the 9 quality cells: all empty.
    EXPECT_EQ(rows[1], "0,0.000,-1" + std::string(5 + 9, ','));
    EXPECT_EQ(rows[30], "29,1160.000,-1" + std::string(5 + 9, ','));

    const auto summary = readJson(dir / "clip.summary.json");
    EXPECT_EQ(summary["frames_analysed"], 30);
    EXPECT_EQ(summary["frames_with_face"], 0);
    EXPECT_EQ(summary["input"]["frame_count"], 30);
    EXPECT_EQ(summary["exit_status"], 0);
    EXPECT_TRUE(summary["model"].is_null());
}

TEST(AnalyzeCommand, UsesTheShippedModelUnlessToldOtherwise) {
    test::TempDir dir;
    test::writeTestVideo(dir / "clip.avi", 5, 25.0, {160, 120});
    const std::vector<std::string> labels = {"happy", "sad"};
    std::filesystem::create_directories(dir / "models");
    test::writeTestModel(dir / "models" / "emotrace-resnet18.pt", labels);
    const std::string saved = std::getenv("EMOTRACE_MODELS") ? std::getenv("EMOTRACE_MODELS") : "";
    ::setenv("EMOTRACE_MODELS", (dir / "models").c_str(), 1);
    const auto shipped = runAnalyze(dir.path(), {"clip.avi", "--csv", "shipped.csv", "--json",
                                                 "shipped.json", "--no-progress", "--no-store"});
    const auto without =
        runAnalyze(dir.path(), {"clip.avi", "--no-model", "--csv", "none.csv", "--json",
                                "none.json", "--no-progress", "--no-store"});
    ::setenv("EMOTRACE_MODELS", saved.c_str(), 1);
    ASSERT_EQ(shipped.exit_code, 0) << shipped.err;
    EXPECT_EQ(lines(readFile(dir / "shipped.csv"))[0], csvHeader(labels));
    ASSERT_EQ(without.exit_code, 0) << without.err;
    EXPECT_EQ(lines(readFile(dir / "none.csv"))[0], csvHeader({}));
}

TEST(AnalyzeCommand, ModelAddsOneProbabilityColumnPerLabel) {
    test::TempDir dir;
    test::writeTestVideo(dir / "clip.avi", 5, 25.0, {160, 120});
    const std::vector<std::string> labels = {"happy", "sad", "neutral"};
    test::writeTestModel(dir / "model.pt", labels);
    const auto run = runAnalyze(dir.path(), {"clip.avi", "--model", "model.pt", "--csv", "out.csv",
                                             "--json", "out.json", "--no-progress"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto rows = lines(readFile(dir / "out.csv"));
    ASSERT_EQ(rows.size(), 6u);
    EXPECT_EQ(rows[0], csvHeader(labels));
    EXPECT_EQ(rows[5], "4,160.000,-1" + std::string(5 + labels.size() + 9, ','));
    const auto summary = readJson(dir / "out.json");
    EXPECT_EQ(summary["model"]["labels"], nlohmann::json(labels));
    EXPECT_EQ(summary["model"]["path"], "model.pt");
}

TEST(AnalyzeCommand, RealFaceVideoGetsProbabilitiesThatSumToOne) {
    const auto clip = test::sharedData("videos/liveportrait_d0.mp4");
    if (!clip)
        EMOTRACE_SKIP_WITHOUT_DATA("videos/liveportrait_d0.mp4");
    test::TempDir dir;
    test::writeTestModel(dir / "model.pt");
    const auto run = runAnalyze(dir.path(), {clip->string(), "--model", "model.pt", "--csv",
                                             "out.csv", "--json", "out.json", "--no-progress"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto rows = lines(readFile(dir / "out.csv"));
    const auto summary = readJson(dir / "out.json");
    const auto frames = summary["frames_analysed"].get<std::int64_t>();
    EXPECT_NEAR(static_cast<double>(frames), 78.0, 3.0);
    EXPECT_GT(summary["face_present_share"].get<double>(), 0.9);
    std::int64_t dominant_total = 0;
    for (const auto& [label, count] : summary["dominant_emotion_counts"].items()) {
        dominant_total += count.get<std::int64_t>();
    }
    EXPECT_EQ(dominant_total, summary["frames_with_face"].get<std::int64_t>());
    for (std::size_t i = 1; i < rows.size(); ++i) {
        std::vector<std::string> cells;
        std::istringstream row(rows[i] + ',');  // so that an empty last cell is read too
        for (std::string cell; std::getline(row, cell, ',');)
            cells.push_back(cell);
        if (cells[2] == "-1")
            continue;
        // 8 leading cells, 8 probabilities, then the 9 quality cells (docs/csv-schema.md).
        ASSERT_EQ(cells.size(), 25u) << rows[i];
        double sum = 0.0;
        for (std::size_t c = 8; c < 16; ++c)
            sum += std::stod(cells[c]);
        EXPECT_NEAR(sum, 1.0, 1e-4) << rows[i];
        const double quality = std::stod(cells[16]);
        EXPECT_GE(quality, 0.0) << rows[i];
        EXPECT_LE(quality, 1.0) << rows[i];
    }
}

// A photograph is a one-frame recording: the shipped model reads d0's grin, saved as a JPEG.
TEST(AnalyzeCommand, APhotographIsAnalysedAsOneFrameAndTheShippedModelReadsTheGrin) {
    const auto clip = test::sharedData("videos/liveportrait_d0.mp4");
    if (!clip)
        EMOTRACE_SKIP_WITHOUT_DATA("videos/liveportrait_d0.mp4");
    test::TempDir dir;
    cv::VideoCapture capture(clip->string());
    cv::Mat frame;
    for (int i = 0; i <= 45; ++i)  // 1.5 s: the middle of the grin (videos/README.md)
        ASSERT_TRUE(capture.read(frame)) << "frame " << i;
    ASSERT_TRUE(cv::imwrite((dir / "grin.jpg").string(), frame));
    const auto model =
        std::filesystem::path(EMOTRACE_SOURCE_DIR) / "models" / "emotrace-resnet18.pt";
    const auto run = runAnalyze(
        dir.path(), {"grin.jpg", "--model", model.string(), "--no-store", "--no-progress"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto rows = lines(readFile(dir / "grin.emotions.csv"));
    ASSERT_EQ(rows.size(), 2u) << "a header and one face of one frame";
    const auto summary = readJson(dir / "grin.summary.json");
    EXPECT_EQ(summary["frames_analysed"].get<std::int64_t>(), 1);
    EXPECT_EQ(summary["frames_with_face"].get<std::int64_t>(), 1);
    EXPECT_EQ(summary["dominant_emotion_counts"]["happy"].get<std::int64_t>(), 1) << rows[1];
}

// Moments end to end: the shipped model over d0, whose man grins at about 1.0-2.5 s
// (videos/README.md); the summary lists the grin as a happy moment starting within half a
// second of that, and nothing else.
TEST(AnalyzeCommand, TheShippedModelFindsTheGrinInD0AsAMoment) {
    const auto clip = test::sharedData("videos/liveportrait_d0.mp4");
    if (!clip)
        EMOTRACE_SKIP_WITHOUT_DATA("videos/liveportrait_d0.mp4");
    test::TempDir dir;
    const auto model =
        std::filesystem::path(EMOTRACE_SOURCE_DIR) / "models" / "emotrace-resnet18.pt";
    const auto run = runAnalyze(dir.path(), {clip->string(), "--model", model.string(),
                                             "--no-store", "--no-progress", "--json", "d0.json"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto summary = readJson(dir / "d0.json");
    const auto& list = summary["moments"]["list"];
    ASSERT_EQ(list.size(), 1u) << summary["moments"].dump(2);
    EXPECT_EQ(list[0]["emotion"], "happy");
    EXPECT_NEAR(list[0]["start_ms"].get<double>(), 1000.0, 500.0);
    EXPECT_GT(list[0]["end_ms"].get<double>(), 2000.0);
    EXPECT_EQ(summary["moments"]["rule"]["spread_factor"], 3.0);
}

// --resting-face-first: d14's calm face, which the shipped model reads as a little happy at
// rest (docs/baseline.md), gets its first 3 s as resting face; the exports then carry both.
TEST(AnalyzeCommand, TheFirstSecondsCanBeTheRestingFaceAndTheExportsCarryBoth) {
    const auto clip = test::sharedData("videos/liveportrait_d14.mp4");
    if (!clip)
        EMOTRACE_SKIP_WITHOUT_DATA("videos/liveportrait_d14.mp4");
    test::TempDir dir;
    const auto model =
        std::filesystem::path(EMOTRACE_SOURCE_DIR) / "models" / "emotrace-resnet18.pt";
    const auto store = (dir / "s.sqlite").string();
    const auto too_short = runAnalyze(
        dir.path(), {clip->string(), "--model", model.string(), "--store", store,
                     "--resting-face-first", "0.1", "--no-progress", "--json", "a.json"});
    ASSERT_EQ(too_short.exit_code, 0) << too_short.err;
    EXPECT_NE(too_short.err.find("no resting face taken from the first 0.1 s of"),
              std::string::npos)
        << too_short.err;
    EXPECT_NE(too_short.err.find("take it for longer"), std::string::npos) << too_short.err;

    const auto run = runAnalyze(dir.path(), {clip->string(), "--model", model.string(), "--store",
                                             store, "--resting-face-first", "3", "--export",
                                             "exports", "--no-progress", "--json", "b.json"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.err.find("resting face of face #"), std::string::npos) << run.err;
    const auto session = readJson(dir / "exports" / "liveportrait_d14.session.json");
    ASSERT_EQ(session["resting_faces"].size(), 1u) << session["resting_faces"].dump();
    EXPECT_EQ(session["resting_faces"][0]["track"], session["track"]);
    EXPECT_EQ(session["resting_faces"][0]["end_ms"], 3000.0);
    EXPECT_GT(session["statistics_relative_to_rest"]["mean_probability"]["neutral"].get<double>(),
              session["statistics"]["mean_probability"]["neutral"].get<double>());
    const auto rows = lines(readFile(dir / "exports" / "liveportrait_d14.session.csv"));
    ASSERT_GT(rows.size(), 100u);
    EXPECT_NE(rows[0].find(",relative_p_neutral,"), std::string::npos) << rows[0];
    EXPECT_FALSE(rows[100].ends_with(",,,,,,,,")) << "relative readings: " << rows[100];
}

TEST(AnalyzeCommand, MissingVideoExitsWith3NamingTheFile) {
    test::TempDir dir;
    const auto run = runAnalyze(dir.path(), {"no-such-session.mp4"});
    EXPECT_EQ(run.exit_code, 3);
    EXPECT_TRUE(run.err.starts_with("emotrace-analyze: ")) << run.err;
    EXPECT_NE(run.err.find("no-such-session.mp4"), std::string::npos) << run.err;
}

TEST(AnalyzeCommand, GarbageModelExitsWith4SayingWhatWasExpected) {
    test::TempDir dir;
    test::writeTestVideo(dir / "clip.avi", 3, 25.0, {160, 120});
    std::ofstream(dir / "garbage.pt", std::ios::binary) << "these bytes are not a model\x01\x02";
    const auto run = runAnalyze(dir.path(), {"clip.avi", "--model", "garbage.pt"});
    EXPECT_EQ(run.exit_code, 4);
    EXPECT_NE(run.err.find("garbage.pt"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("expected"), std::string::npos) << run.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "clip.emotions.csv"));
}

TEST(AnalyzeCommand, UnwritableCsvExitsWith6NamingTheFile) {
    test::TempDir dir;
    test::writeTestVideo(dir / "clip.avi", 3, 25.0, {160, 120});
    const auto run = runAnalyze(dir.path(), {"clip.avi", "--csv", "missing/out.csv"});
    EXPECT_EQ(run.exit_code, 6);
    EXPECT_NE(run.err.find("missing/out.csv"), std::string::npos) << run.err;
}

TEST(AnalyzeCommand, VideoBrokenMidwayExitsWith7AndKeepsTheRowsBefore) {
    test::TempDir dir;
    test::writeTestVideo(dir / "whole.avi", 60, 25.0, {160, 120});
    std::filesystem::copy_file(dir / "whole.avi", dir / "cut.avi");
    std::filesystem::resize_file(dir / "cut.avi", std::filesystem::file_size(dir / "cut.avi") / 2);
    const auto run = runAnalyze(dir.path(), {"cut.avi", "--no-progress"});
    EXPECT_EQ(run.exit_code, 7) << run.err;
    const auto summary = readJson(dir / "cut.summary.json");
    const auto frames = summary["frames_analysed"].get<std::size_t>();
    EXPECT_GT(frames, 0u);
    EXPECT_LT(frames, 60u);
    EXPECT_EQ(summary["exit_status"], 7);
    EXPECT_FALSE(summary["error"].get<std::string>().empty());
    const auto rows = lines(readFile(dir / "cut.emotions.csv"));
    ASSERT_EQ(rows.size(), frames + 1);
    EXPECT_TRUE(rows.back().starts_with(std::to_string(frames - 1) + ",")) << rows.back();
    EXPECT_NE(run.err.find("cut.avi"), std::string::npos) << run.err;
}

TEST(AnalyzeCommand, HelpListsTheExitCodes) {
    test::TempDir dir;
    const auto run = runAnalyze(dir.path(), {"--help"});
    EXPECT_EQ(run.exit_code, 0);
    for (const char* code : {"  0  ", "  2  ", "  3  ", "  4  ", "  5  ", "  6  ", "  7  "}) {
        EXPECT_NE(run.out.find(code), std::string::npos) << code;
    }
}

TEST(AnalyzeCommand, UsageErrorsExitWith2) {
    test::TempDir dir;
    EXPECT_EQ(runAnalyze(dir.path(), {}).exit_code, 2);
    EXPECT_EQ(runAnalyze(dir.path(), {"clip.avi", "--frobnicate"}).exit_code, 2);
    EXPECT_EQ(runAnalyze(dir.path(), {"clip.avi", "--detector", "dlib"}).exit_code, 2);
    EXPECT_EQ(runAnalyze(dir.path(), {"clip.avi", "--threads", "0"}).exit_code, 2);
    const auto missing_value = runAnalyze(dir.path(), {"clip.avi", "--model"});
    EXPECT_EQ(missing_value.exit_code, 2);
    EXPECT_NE(missing_value.err.find("--model"), std::string::npos) << missing_value.err;
    const auto out_of_range = runAnalyze(dir.path(), {"clip.avi", "--threads", "0"});
    EXPECT_NE(out_of_range.err.find("--threads"), std::string::npos) << out_of_range.err;
    EXPECT_NE(out_of_range.err.find("Try 'emotrace-analyze --help'"), std::string::npos);
    const auto contradiction = runAnalyze(dir.path(), {"clip.avi", "--no-store", "--export", "x"});
    EXPECT_EQ(contradiction.exit_code, 2);
    EXPECT_NE(contradiction.err.find("--export"), std::string::npos) << contradiction.err;
    const auto two_with_csv = runAnalyze(dir.path(), {"a.avi", "b.avi", "--csv", "out.csv"});
    EXPECT_EQ(two_with_csv.exit_code, 2);
    EXPECT_NE(two_with_csv.err.find("take one video"), std::string::npos) << two_with_csv.err;
}

TEST(AnalyzeCommand, VersionAndHelpNameEveryOption) {
    test::TempDir dir;
    const auto version = runAnalyze(dir.path(), {"--version"});
    EXPECT_EQ(version.exit_code, 0);
    EXPECT_EQ(version.out, std::string("emotrace-analyze ") + EMOTRACE_VERSION + "\n");
    const auto help = runAnalyze(dir.path(), {"--help"});
    for (const char* option :
         {"--model", "--no-model", "--detector", "--csv", "--json", "--store", "--no-store",
          "--detect-every", "--export", "--resting-face-first", "--wait", "--output-mode",
          "--threads", "--no-progress", "--version", "--help"}) {
        EXPECT_NE(help.out.find(option), std::string::npos) << option;
    }
}

}  // namespace
}  // namespace emotrace
