#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "emotrace/error.h"
#include "emotrace/session_summary.h"
#include "test_support.h"

namespace emotrace {
namespace {

const std::vector<std::string> kLabels = {"angry", "happy", "neutral"};

FrameResult frame(std::int64_t index, std::vector<std::vector<float>> faces) {
    FrameResult result;
    result.frame_index = index;
    result.timestamp_ms = static_cast<double>(index) * 40.0;
    for (auto& probabilities : faces) {
        result.faces.push_back(
            {cv::Rect2f(0.0f, 0.0f, 10.0f, 10.0f), 0.9f, std::move(probabilities)});
    }
    return result;
}

// Four frames: none with a face, then three whose first faces say happy, angry, happy. The
// second face of frame 1 says angry and must not count.
SessionAggregator fourFrameSession() {
    SessionAggregator aggregate(kLabels);
    aggregate.add(frame(0, {}));
    aggregate.add(frame(1, {{0.1f, 0.8f, 0.1f}, {0.9f, 0.05f, 0.05f}}));
    aggregate.add(frame(2, {{0.6f, 0.3f, 0.1f}}));
    aggregate.add(frame(3, {{0.2f, 0.5f, 0.3f}}));
    return aggregate;
}

SessionSummary summaryOf(const std::string& error = {}) {
    SessionSummary summary;
    summary.input_path = "session.mp4";
    summary.source = {"session.mp4", 25.0, 640, 480, 4};
    summary.model = ModelDescription{"model.pt", "resnet18"};
    summary.detector = "yunet2023";
    summary.csv_path = "session.emotions.csv";
    summary.processing_seconds = 2.0;
    summary.emotrace_version = "1.2.3";
    summary.exit_status = error.empty() ? 0 : 7;
    summary.error = error;
    return summary;
}

TEST(SessionAggregator, CountsFramesAndFacePresentShare) {
    const auto aggregate = fourFrameSession();
    EXPECT_EQ(aggregate.framesAnalysed(), 4);
    EXPECT_EQ(aggregate.framesWithFace(), 3);
    EXPECT_DOUBLE_EQ(aggregate.facePresentShare(), 0.75);
}

TEST(SessionAggregator, MeansUseTheFirstFaceOfFramesWithAFace) {
    const auto means = fourFrameSession().meanProbabilities();
    ASSERT_TRUE(means.has_value());
    ASSERT_EQ(means->size(), 3u);
    EXPECT_NEAR((*means)[0], (0.1 + 0.6 + 0.2) / 3, 1e-6);
    EXPECT_NEAR((*means)[1], (0.8 + 0.3 + 0.5) / 3, 1e-6);
    EXPECT_NEAR((*means)[2], (0.1 + 0.1 + 0.3) / 3, 1e-6);
}

TEST(SessionAggregator, DominantCountsTheTopClassOfTheFirstFace) {
    EXPECT_EQ(fourFrameSession().dominantCounts(), (std::vector<std::int64_t>{1, 2, 0}));
}

TEST(SessionAggregator, EmptySessionHasNoMeansAndZeroShare) {
    SessionAggregator aggregate(kLabels);
    EXPECT_EQ(aggregate.facePresentShare(), 0.0);
    EXPECT_FALSE(aggregate.meanProbabilities().has_value());
    EXPECT_EQ(aggregate.dominantCounts(), (std::vector<std::int64_t>{0, 0, 0}));
}

TEST(SessionAggregator, FacesWithoutModelCountAsPresentButHaveNoMeans) {
    SessionAggregator aggregate({});
    aggregate.add(frame(0, {{}}));
    aggregate.add(frame(1, {}));
    EXPECT_EQ(aggregate.framesWithFace(), 1);
    EXPECT_DOUBLE_EQ(aggregate.facePresentShare(), 0.5);
    EXPECT_FALSE(aggregate.meanProbabilities().has_value());
}

// A face found but not classified counts for the face share and not for the means or the
// dominant counts: five frames analysed, four with a face, two classified.
TEST(SessionAggregator, MeansDivideByClassifiedFramesNotFramesWithAFace) {
    SessionAggregator aggregate(kLabels);
    aggregate.add(frame(0, {}));
    aggregate.add(frame(1, {{0.7f, 0.2f, 0.1f}}));
    aggregate.add(frame(2, {{}}));
    aggregate.add(frame(3, {{0.1f, 0.6f, 0.3f}}));
    aggregate.add(frame(4, {{}, {0.9f, 0.05f, 0.05f}}));  // only the first face counts
    EXPECT_EQ(aggregate.framesAnalysed(), 5);
    EXPECT_EQ(aggregate.framesWithFace(), 4);
    EXPECT_DOUBLE_EQ(aggregate.facePresentShare(), 0.8);
    const auto means = aggregate.meanProbabilities();
    ASSERT_TRUE(means.has_value());
    EXPECT_NEAR((*means)[0], (0.7 + 0.1) / 2, 1e-6);
    EXPECT_NEAR((*means)[1], (0.2 + 0.6) / 2, 1e-6);
    EXPECT_NEAR((*means)[2], (0.1 + 0.3) / 2, 1e-6);
    EXPECT_EQ(aggregate.dominantCounts(), (std::vector<std::int64_t>{1, 1, 0}));
}

TEST(SessionAggregator, RejectsProbabilityCountOtherThanLabelCount) {
    SessionAggregator aggregate(kLabels);
    EXPECT_THROW(aggregate.add(frame(0, {{0.5f, 0.5f}})), std::invalid_argument);
}

TEST(SessionSummaryJson, HoldsEveryFieldOfTheContract) {
    const auto json = nlohmann::json::parse(toJson(summaryOf(), fourFrameSession()));
    EXPECT_EQ(json["emotrace_version"], "1.2.3");
    EXPECT_EQ(json["input"]["path"], "session.mp4");
    EXPECT_EQ(json["input"]["fps"], 25.0);
    EXPECT_EQ(json["input"]["width"], 640);
    EXPECT_EQ(json["input"]["height"], 480);
    EXPECT_EQ(json["input"]["frame_count"], 4);
    EXPECT_EQ(json["model"]["path"], "model.pt");
    EXPECT_EQ(json["model"]["architecture"], "resnet18");
    EXPECT_EQ(json["model"]["labels"], nlohmann::json(kLabels));
    EXPECT_EQ(json["detector"], "yunet2023");
    EXPECT_EQ(json["csv"], "session.emotions.csv");
    EXPECT_EQ(json["frames_analysed"], 4);
    EXPECT_EQ(json["frames_with_face"], 3);
    EXPECT_DOUBLE_EQ(json["face_present_share"].get<double>(), 0.75);
    EXPECT_NEAR(json["mean_probability"]["happy"].get<double>(), 1.6 / 3, 1e-6);
    EXPECT_EQ(json["dominant_emotion_counts"]["happy"], 2);
    EXPECT_EQ(json["dominant_emotion_counts"]["neutral"], 0);
    EXPECT_DOUBLE_EQ(json["processing_seconds"].get<double>(), 2.0);
    EXPECT_DOUBLE_EQ(json["frames_per_second"].get<double>(), 2.0);
    EXPECT_EQ(json["exit_status"], 0);
    EXPECT_TRUE(json["error"].is_null());
}

// Two seconds calm, a second of a clear happy face, then calm (25 frames a second): the summary
// lists one moment, last in the document (fields are only ever added at the end).
TEST(SessionSummaryJson, EndsWithTheMomentsOfTheFirstFaceOrOfEachTrack) {
    const auto expression = [](std::int64_t i) {
        const bool happy = i >= 50 && i < 75;
        return happy ? std::vector<float>{0.05f, 0.9f, 0.05f}
                     : std::vector<float>{0.1f, 0.1f, 0.8f};
    };
    SessionAggregator untracked(kLabels);
    SessionAggregator tracked(kLabels);
    for (std::int64_t i = 0; i < 125; ++i) {
        const auto result = frame(i, {expression(i)});
        untracked.add(result);
        const std::vector<TrackedFace> faces{
            {7, cv::Rect2f(0, 0, 10, 10), 0.9f, true, expression(i)}};
        tracked.add(result, faces);
    }
    const auto json = nlohmann::ordered_json::parse(toJson(summaryOf(), untracked));
    ASSERT_EQ(json.back(), json["moments"]) << "moments must be the last field";
    const auto& list = json["moments"]["list"];
    ASSERT_EQ(list.size(), 1u) << json["moments"].dump();
    EXPECT_EQ(list[0]["emotion"], "happy");
    EXPECT_EQ(list[0]["track"], 0);
    EXPECT_NEAR(list[0]["start_ms"].get<double>(), 2000.0, 200.0);
    EXPECT_DOUBLE_EQ(json["moments"]["rule"]["rise"].get<double>(), MomentOptions{}.rise);

    const auto moments = tracked.moments();
    ASSERT_EQ(moments.size(), 1u);
    EXPECT_EQ(moments[0].track_id, 7);

    const auto without_model = nlohmann::json::parse(toJson(summaryOf(), SessionAggregator({})));
    EXPECT_TRUE(without_model["moments"].is_null());
}

TEST(SessionSummaryJson, BrokenVideoKeepsTheCountsAndTheMessage) {
    const auto json =
        nlohmann::json::parse(toJson(summaryOf("decoder failed at frame 4"), fourFrameSession()));
    EXPECT_EQ(json["exit_status"], 7);
    EXPECT_EQ(json["error"], "decoder failed at frame 4");
    EXPECT_EQ(json["frames_analysed"], 4);
}

TEST(SessionSummaryJson, WithoutModelTheModelAndMeansAreNull) {
    auto summary = summaryOf();
    summary.model.reset();
    SessionAggregator aggregate({});
    aggregate.add(frame(0, {{}}));
    const auto json = nlohmann::json::parse(toJson(summary, aggregate));
    EXPECT_TRUE(json["model"].is_null());
    EXPECT_TRUE(json["mean_probability"].is_null());
    EXPECT_TRUE(json["dominant_emotion_counts"].empty());
    EXPECT_EQ(json["frames_with_face"], 1);
}

TEST(SessionSummaryJson, WritesTheFileAndReportsAnUnwritablePath) {
    test::TempDir dir;
    writeSummaryJson(dir / "summary.json", summaryOf(), fourFrameSession());
    std::ifstream in(dir / "summary.json");
    EXPECT_EQ(nlohmann::json::parse(in)["frames_analysed"], 4);

    const auto missing = dir / "missing" / "summary.json";
    try {
        writeSummaryJson(missing, summaryOf(), fourFrameSession());
        FAIL() << "expected OutputError";
    } catch (const OutputError& error) {
        EXPECT_NE(std::string(error.what()).find(missing.string()), std::string::npos);
    }
}

}  // namespace
}  // namespace emotrace
