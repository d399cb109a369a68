#include "emotrace/session_export.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "emotrace/error.h"
#include "test_support.h"

namespace emotrace {
namespace {

const std::vector<std::string> kLabels = {"happy", "very sad"};

std::vector<FrameRecord> tinySession() {
    return {
        {0,
         0.0,
         {{3, cv::Rect2f(10, 20, 30, 40), 0.9f, true, {0.25f, 0.75f}},
          {7, cv::Rect2f(100.5f, 50, 20, 20), 0.5f, false, {}}}},
        {1, 33.333, {}},
        {2,
         66.667,
         {{3,
           cv::Rect2f(12, 21, 30, 40),
           0.875f,
           false,
           {1.0f, 0.0f},
           ReadingQuality{std::nullopt, 30.0, 12.0, 40.0, 0.0, 0.3, "blurred"}}}},
    };
}

std::string fileText(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

bool hasTemporaryFiles(const std::filesystem::path& dir) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() == ".tmp")
            return true;
    }
    return false;
}

SessionInfo completeSession() {
    SessionInfo info;
    info.id = 4;
    info.recording = {"/videos/s1.mp4", "5242880-ab12", 5242880, 30.0, 640, 480, 3};
    info.setup.model_path = "/models/resnet18.pt";
    info.setup.model_architecture = "resnet18";
    info.setup.model_hash = "model-hash";
    info.setup.labels = {"happy", "sad"};
    info.setup.detector = "yunet2023";
    info.setup.detect_every = 5;
    info.setup.emotrace_version = "0.1.0";
    info.state = AnalysisState::Complete;
    info.frames_stored = 3;
    info.note = "calm session";
    return info;
}

TEST(SessionCsv, TinySessionHasTheDocumentedColumnsPlusTrack) {
    test::TempDir dir;
    const auto frames = tinySession();
    writeSessionCsv(dir / "s1.session.csv", kLabels, frames);
    EXPECT_EQ(fileText(dir / "s1.session.csv"),
              "frame,timestamp_ms,face,x,y,width,height,detection_confidence,p_happy,p_very_sad,"
              "track,quality,head_roll,head_yaw,head_pitch,face_size_px,sharpness,brightness,"
              "clipped_share,quality_limited_by,relative_p_happy,relative_p_very_sad\n"
              "0,0.000,0,10.0,20.0,30.0,40.0,0.900000,0.250000,0.750000,3,,,,,,,,,,,\n"
              "0,0.000,1,100.5,50.0,20.0,20.0,0.500000,,,7,,,,,,,,,,,\n"
              "1,33.333,-1,,,,,,,,,,,,,,,,,,,\n"
              "2,66.667,0,12.0,21.0,30.0,40.0,0.875000,1.000000,0.000000,3,0.300,,,,30.0,12.0,"
              "40.0,0.000,blurred,,\n");
    EXPECT_FALSE(hasTemporaryFiles(dir.path()));
}

TEST(SessionCsv, ReadingsOfAPersonWithARestingFaceAreAlsoWrittenRelativeToIt) {
    test::TempDir dir;
    const std::vector<std::string> labels = {"neutral", "sad"};
    // Track 3 rests at sad 0.75: its baseline takes sad down by ln(0.75/0.25) + ln 7.
    const auto baseline = fitNeutralBaseline(std::vector(10, std::vector{0.25f, 0.75f}), labels);
    ASSERT_TRUE(baseline);
    writeSessionCsv(dir / "s1.session.csv", labels, tinySession(), kOwnerOnlyFileMode,
                    {{3, *baseline}});
    std::ifstream in(dir / "s1.session.csv");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_TRUE(lines[0].ends_with(",quality_limited_by,relative_p_neutral,relative_p_sad"))
        << lines[0];
    // At rest it reads neutral 7/8 relative to itself; frame 2's (1, 0) stays (1, 0).
    EXPECT_TRUE(lines[1].ends_with(",3,,,,,,,,,,0.875000,0.125000")) << lines[1];
    EXPECT_TRUE(lines[2].ends_with(",7,,,,,,,,,,,")) << "track 7 has no reading: " << lines[2];
    EXPECT_TRUE(lines[3].ends_with(",,")) << lines[3];
    EXPECT_TRUE(lines[4].ends_with(",blurred,1.000000,0.000000")) << lines[4];
}

TEST(SessionCsv, WrongProbabilityCountIsRejected) {
    EXPECT_THROW(sessionCsvRows(tinySession()[0], 3), std::invalid_argument);
}

TEST(SessionCsv, MissingFolderIsAnOutputErrorNamingTheFile) {
    test::TempDir dir;
    const auto file = dir / "missing" / "s1.session.csv";
    try {
        writeSessionCsv(file, kLabels, tinySession());
        FAIL() << "wrote into a missing folder";
    } catch (const OutputError& error) {
        EXPECT_NE(std::string(error.what()).find(file.string()), std::string::npos) << error.what();
    }
}

// A file-size limit makes writes fail the way a full disk does, in a child process so the
// limit does not reach the test runner.
TEST(SessionCsv, FullDiskLeavesTheEarlierExportIntact) {
    test::TempDir dir;
    const auto file = dir / "s1.session.csv";
    { std::ofstream(file) << "the earlier export\n"; }
    std::vector<FrameRecord> frames;
    for (std::int64_t i = 0; i < 20000; ++i)
        frames.push_back({i, i * 40.0, tinySession()[0].faces});

    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{64 * 1024, 64 * 1024};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        try {
            writeSessionCsv(file, kLabels, frames);
            ::_exit(1);
        } catch (const OutputError& error) {
            const bool named = std::string(error.what()).find(file.string()) != std::string::npos;
            ::_exit(named ? 0 : 2);
        } catch (...) {
            ::_exit(3);
        }
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: no error, 2: file not named, 3: other exception";
    EXPECT_EQ(fileText(file), "the earlier export\n");
    EXPECT_FALSE(hasTemporaryFiles(dir.path()));
}

TEST(SessionJson, CarriesRecordingSetupMarkersStatisticsAndTheDisclaimer) {
    const auto info = completeSession();
    const std::vector<FrameRecord> frames = {
        {0, 0.0, {{1, cv::Rect2f(0, 0, 10, 10), 0.9f, true, {0.8f, 0.2f}}}},
        {1, 1000.0, {}},
        {2, 2000.0, {{1, cv::Rect2f(0, 0, 10, 10), 0.9f, true, {0.4f, 0.6f}}}},
    };
    const std::vector<Marker> markers = {{9, 1000.0, 1500.0, "phone", "rang twice", true}};
    const auto statistics = sessionStatistics(frames, info.setup.labels, 1, markers, 60.0);
    const std::vector<Person> people = {{.track_id = 1, .name = "client", .followed = true},
                                        {.track_id = 2, .name = "therapist", .excluded = true}};
    const auto json = nlohmann::json::parse(sessionJson(info, markers, statistics, 1, people));
    ASSERT_EQ(json["people"].size(), 2u);
    EXPECT_EQ(json["people"][0]["name"], "client");
    EXPECT_EQ(json["people"][0]["followed"], true);
    EXPECT_EQ(json["people"][1]["left_out"], true);

    EXPECT_NE(json["disclaimer"].get<std::string>().find("not a diagnosis"), std::string::npos);
    EXPECT_EQ(json["session"]["state"], "complete");
    EXPECT_TRUE(json["session"]["error"].is_null());
    EXPECT_EQ(json["session"]["note"], "calm session");
    EXPECT_EQ(json["recording"]["path"], "/videos/s1.mp4");
    EXPECT_EQ(json["recording"]["content_hash"], "5242880-ab12");
    EXPECT_EQ(json["setup"]["model"]["architecture"], "resnet18");
    EXPECT_EQ(json["setup"]["model"]["labels"], nlohmann::json({"happy", "sad"}));
    EXPECT_EQ(json["setup"]["detector"], "yunet2023");
    EXPECT_EQ(json["setup"]["detect_every"], 5);
    EXPECT_EQ(json["track"], 1);
    ASSERT_EQ(json["markers"].size(), 1u);
    EXPECT_EQ(json["markers"][0]["note"], "rang twice");
    EXPECT_EQ(json["markers"][0]["exclude"], true);

    const auto& stats = json["statistics"];
    EXPECT_EQ(stats["frames_counted"], 2);  // frame 1 is excluded
    EXPECT_DOUBLE_EQ(stats["face_present_share"].get<double>(), 1.0);
    EXPECT_NEAR(stats["mean_probability"]["happy"].get<double>(), 0.6, 1e-6);
    EXPECT_DOUBLE_EQ(stats["dominant_share"]["sad"].get<double>(), 0.5);
    EXPECT_EQ(stats["valence_weights"]["sad"], -1.0);
    ASSERT_EQ(stats["windows"].size(), 1u);
    EXPECT_EQ(stats["windows"][0]["dominant"], "happy");
    EXPECT_NEAR(stats["windows"][0]["valence"].get<double>(), (0.6 - 0.2) / 2, 1e-6);
}

TEST(SessionJson, CarriesTheRestingFacesAndTheStatisticsRelativeToThem) {
    auto info = completeSession();
    info.setup.labels = {"neutral", "sad"};
    const std::vector<FrameRecord> frames = {
        {0, 0.0, {{1, cv::Rect2f(0, 0, 10, 10), 0.9f, true, {0.25f, 0.75f}}}},
        {1, 40.0, {{1, cv::Rect2f(0, 0, 10, 10), 0.9f, true, {0.25f, 0.75f}}}},
    };
    const auto baseline =
        fitNeutralBaseline(std::vector(10, std::vector{0.25f, 0.75f}), info.setup.labels);
    ASSERT_TRUE(baseline);
    const RestingFacesExport resting{{{1, 0.0, 3000.0, *baseline}},
                                     sessionStatistics(relativeToRest(frames, {{1, *baseline}}),
                                                       info.setup.labels, 1, {}, 60.0)};
    const auto statistics = sessionStatistics(frames, info.setup.labels, 1, {}, 60.0);
    const auto json = nlohmann::json::parse(sessionJson(info, {}, statistics, 1, {}, resting));
    ASSERT_EQ(json["resting_faces"].size(), 1u);
    EXPECT_EQ(json["resting_faces"][0]["track"], 1);
    EXPECT_EQ(json["resting_faces"][0]["end_ms"], 3000.0);
    EXPECT_EQ(json["resting_faces"][0]["readings"], 10);
    EXPECT_EQ(json["resting_faces"][0]["log_offsets"]["neutral"], 0.0);
    EXPECT_NEAR(json["resting_faces"][0]["log_offsets"]["sad"].get<double>(),
                -std::log(3.0) - std::log(7.0), 1e-5);
    EXPECT_NEAR(json["statistics"]["mean_probability"]["sad"].get<double>(), 0.75, 1e-6)
        << "the statistics as read stay";
    EXPECT_NEAR(json["statistics_relative_to_rest"]["mean_probability"]["neutral"].get<double>(),
                0.875, 1e-5);
    const auto without = nlohmann::json::parse(sessionJson(info, {}, statistics, 1));
    EXPECT_TRUE(without["resting_faces"].empty());
    EXPECT_TRUE(without["statistics_relative_to_rest"].is_null());
}

// Two seconds of calm, a second of a clear sad face on track 1, then calm: one moment, listed
// with its rule; the same stretch inside an excluded range is not listed.
TEST(SessionJson, ListsTheMomentsOfEveryTrackWithTheirRule) {
    const auto info = completeSession();  // labels happy, sad
    std::vector<FrameRecord> frames;
    for (std::int64_t i = 0; i < 150; ++i) {
        const double t = static_cast<double>(i) * 40.0;
        const bool sad = t >= 2000.0 && t < 3000.0;
        frames.push_back(
            {i,
             t,
             {{1, cv::Rect2f(0, 0, 10, 10), 0.9f, true,
               sad ? std::vector<float>{0.1f, 0.9f} : std::vector<float>{0.7f, 0.3f}}}});
    }
    const auto statistics = sessionStatistics(frames, info.setup.labels, 1, {}, 60.0);
    const auto json = nlohmann::json::parse(sessionJson(info, {}, statistics, 1));
    const auto& moments = json.at("moments");
    EXPECT_DOUBLE_EQ(moments.at("rule").at("rise").get<double>(), MomentOptions{}.rise);
    EXPECT_DOUBLE_EQ(moments.at("rule").at("min_duration_seconds").get<double>(),
                     MomentOptions{}.min_duration_seconds);
    ASSERT_EQ(moments.at("list").size(), 1u) << moments.dump();
    const auto& m = moments["list"][0];
    EXPECT_EQ(m.at("track"), 1);
    EXPECT_EQ(m.at("emotion"), "sad");
    EXPECT_NEAR(m.at("start_ms").get<double>(), 2000.0, 200.0);
    EXPECT_NEAR(m.at("end_ms").get<double>(), 3000.0, 300.0);
    EXPECT_GT(m.at("peak_probability").get<double>(), 0.8);
    EXPECT_EQ(m.at("peak_frame").get<std::int64_t>(),
              static_cast<std::int64_t>(m.at("peak_ms").get<double>() / 40.0));
    EXPECT_GT(m.at("reported_ms").get<double>(), m.at("start_ms").get<double>());

    const std::vector<Marker> excluded = {{4, 1900.0, 3100.0, "interruption", "", true}};
    const auto without = sessionStatistics(frames, info.setup.labels, 1, excluded, 60.0);
    const auto json_without = nlohmann::json::parse(sessionJson(info, excluded, without, 1));
    EXPECT_TRUE(json_without.at("moments").at("list").empty());
}

TEST(SessionJson, WithoutModelOrFacesTheUnknownsAreNull) {
    auto info = completeSession();
    info.setup.model_path.clear();
    info.setup.labels.clear();
    info.state = AnalysisState::Failed;
    info.error = "decoding failed at frame 2";
    const std::vector<FrameRecord> frames = {{0, 0.0, {}}};
    const auto statistics = sessionStatistics(frames, {}, -1, {}, 60.0);

    test::TempDir dir;
    writeSessionJson(dir / "s1.session.json", info, {}, statistics, -1);
    const auto json = nlohmann::json::parse(fileText(dir / "s1.session.json"));
    EXPECT_TRUE(json["setup"]["model"].is_null());
    EXPECT_EQ(json["session"]["error"], "decoding failed at frame 2");
    EXPECT_TRUE(json["statistics"]["mean_probability"].is_null());
    EXPECT_TRUE(json["statistics"]["windows"][0]["dominant"].is_null());
    EXPECT_TRUE(json["markers"].empty());
}

}  // namespace
}  // namespace emotrace
