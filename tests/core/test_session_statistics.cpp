#include "emotrace/session_statistics.h"

#include <cmath>
#include <stdexcept>

#include <gtest/gtest.h>

namespace emotrace {
namespace {

const std::vector<std::string> kLabels = {"happy", "sad", "neutral"};  // valence +1, -1, 0

TrackedFace face(int track, std::vector<float> probabilities) {
    return {track, cv::Rect2f(0, 0, 10, 10), 0.9f, true, std::move(probabilities)};
}

// One frame a second. Track 1 (the client) is missing from frame 2, where only track 2 is.
// valence of track 1: 0.4, -0.6, -, 0.0, 0.2, 0.6; top label: happy, sad, -, neutral, happy, happy
std::vector<FrameRecord> sixSeconds() {
    return {
        {0, 0.0, {face(1, {0.6f, 0.2f, 0.2f}), face(2, {0.0f, 0.0f, 1.0f})}},
        {1, 1000.0, {face(1, {0.1f, 0.7f, 0.2f})}},
        {2, 2000.0, {face(2, {0.0f, 1.0f, 0.0f})}},
        {3, 3000.0, {face(1, {0.1f, 0.1f, 0.8f}), face(2, {1.0f, 0.0f, 0.0f})}},
        {4, 4000.0, {face(1, {0.5f, 0.3f, 0.2f})}},
        {5, 5000.0, {face(1, {0.7f, 0.1f, 0.2f})}},
    };
}

const std::vector<Marker> kExcludeFrame4 = {{1, 3500.0, 4000.0, "phone", "", true},
                                            {2, 0.0, 1000.0, "just a marker", "", false}};

TEST(SessionStatistics, FaceShareMeansAndDominantShareLeaveExcludedRangesOut) {
    const auto frames = sixSeconds();
    const auto statistics = sessionStatistics(frames, kLabels, 1, kExcludeFrame4, 2.0);

    EXPECT_EQ(statistics.labels, kLabels);
    EXPECT_EQ(statistics.frames_counted, 5);  // frame 4 lies in the exclusion, both ends count
    EXPECT_NEAR(statistics.face_present_share, 4.0 / 5.0, 1e-9);
    ASSERT_EQ(statistics.mean_probabilities.size(), 3u);
    EXPECT_NEAR(statistics.mean_probabilities[0], (0.6 + 0.1 + 0.1 + 0.7) / 4, 1e-6);
    EXPECT_NEAR(statistics.mean_probabilities[1], (0.2 + 0.7 + 0.1 + 0.1) / 4, 1e-6);
    EXPECT_NEAR(statistics.mean_probabilities[2], (0.2 + 0.2 + 0.8 + 0.2) / 4, 1e-6);
    ASSERT_EQ(statistics.dominant_share.size(), 3u);
    EXPECT_DOUBLE_EQ(statistics.dominant_share[0], 2.0 / 4);
    EXPECT_DOUBLE_EQ(statistics.dominant_share[1], 1.0 / 4);
    EXPECT_DOUBLE_EQ(statistics.dominant_share[2], 1.0 / 4);
}

// Every statistic has its own denominator: frames counted (outside exclusions), frames where the
// track is present, and frames where it was classified (present with probabilities). Here the
// three differ (5, 3, 2) and no sum cancels, so a statistic divided by the wrong count is off.
// Track 1, one window of 10 s:
//   0 s  happy 0.8 sad 0.1 neutral 0.1   valence +0.7  top happy
//   1 s  track absent
//   2 s  present, not classified (no probabilities)
//   3 s  happy 0.2 sad 0.5 neutral 0.3   valence -0.3  top sad
//   4 s  happy 0.6 sad 0.3 neutral 0.1   excluded (marker 3.5-4.5 s)
//   5 s  track absent
TEST(SessionStatistics, EachStatisticDividesByItsOwnCountOfFrames) {
    const std::vector<FrameRecord> frames = {
        {0, 0.0, {face(1, {0.8f, 0.1f, 0.1f})}},
        {1, 1000.0, {face(2, {0.0f, 0.0f, 1.0f})}},
        {2, 2000.0, {face(1, {})}},
        {3, 3000.0, {face(1, {0.2f, 0.5f, 0.3f})}},
        {4, 4000.0, {face(1, {0.6f, 0.3f, 0.1f})}},
        {5, 5000.0, {}},
    };
    const std::vector<Marker> exclude_4s = {{1, 3500.0, 4500.0, "interruption", "", true}};
    const auto statistics = sessionStatistics(frames, kLabels, 1, exclude_4s, 10.0);

    EXPECT_EQ(statistics.frames_counted, 5);
    EXPECT_NEAR(statistics.face_present_share, 3.0 / 5.0, 1e-9);  // not 2/5, not 3/6
    ASSERT_EQ(statistics.mean_probabilities.size(), 3u);
    EXPECT_NEAR(statistics.mean_probabilities[0], (0.8 + 0.2) / 2, 1e-6);  // not /3, not /5
    EXPECT_NEAR(statistics.mean_probabilities[1], (0.1 + 0.5) / 2, 1e-6);
    EXPECT_NEAR(statistics.mean_probabilities[2], (0.1 + 0.3) / 2, 1e-6);
    ASSERT_EQ(statistics.dominant_share.size(), 3u);
    EXPECT_DOUBLE_EQ(statistics.dominant_share[0], 1.0 / 2);
    EXPECT_DOUBLE_EQ(statistics.dominant_share[1], 1.0 / 2);
    EXPECT_DOUBLE_EQ(statistics.dominant_share[2], 0.0);

    ASSERT_EQ(statistics.windows.size(), 1u);
    const auto& window = statistics.windows[0];
    EXPECT_DOUBLE_EQ(window.start_ms, 0.0);
    EXPECT_DOUBLE_EQ(window.end_ms, 10000.0);
    EXPECT_NEAR(window.valence, (0.7 - 0.3) / 2, 1e-6);  // docs/review.md: frames classified
    EXPECT_NEAR(window.face_share, 3.0 / 5.0, 1e-9);
    EXPECT_EQ(window.dominant, 0);  // mean happy 0.5 against sad 0.3
}

// The same frames split into windows of 2 s, so each window's counts differ in its own way:
// [0,2): counted 2, present 1, classified 1; [2,4): counted 2, present 2, classified 1;
// [4,6): counted 1 (4 s is excluded), present 0.
TEST(SessionStatistics, EachWindowDividesByItsOwnCounts) {
    const std::vector<FrameRecord> frames = {
        {0, 0.0, {face(1, {0.8f, 0.1f, 0.1f})}},
        {1, 1000.0, {}},
        {2, 2000.0, {face(1, {})}},
        {3, 3000.0, {face(1, {0.2f, 0.5f, 0.3f})}},
        {4, 4000.0, {face(1, {0.6f, 0.3f, 0.1f})}},
        {5, 5000.0, {}},
    };
    const std::vector<Marker> exclude_4s = {{1, 3500.0, 4500.0, "interruption", "", true}};
    const auto windows = sessionStatistics(frames, kLabels, 1, exclude_4s, 2.0).windows;
    ASSERT_EQ(windows.size(), 3u);
    EXPECT_NEAR(windows[0].valence, 0.7, 1e-6);
    EXPECT_DOUBLE_EQ(windows[0].face_share, 0.5);
    EXPECT_EQ(windows[0].dominant, 0);
    EXPECT_NEAR(windows[1].valence, -0.3, 1e-6);
    EXPECT_DOUBLE_EQ(windows[1].face_share, 1.0);
    EXPECT_EQ(windows[1].dominant, 1);
    EXPECT_NEAR(windows[2].valence, 0.0, 1e-12);
    EXPECT_DOUBLE_EQ(windows[2].face_share, 0.0);
    EXPECT_EQ(windows[2].dominant, -1);
}

TEST(SessionStatistics, WindowsCarryDominantValenceAndFaceShare) {
    const auto frames = sixSeconds();
    const auto windows = sessionStatistics(frames, kLabels, 1, kExcludeFrame4, 2.0).windows;

    ASSERT_EQ(windows.size(), 3u);
    EXPECT_DOUBLE_EQ(windows[0].start_ms, 0.0);
    EXPECT_DOUBLE_EQ(windows[0].end_ms, 2000.0);
    EXPECT_EQ(windows[0].dominant, 1);  // mean happy 0.35, sad 0.45
    EXPECT_NEAR(windows[0].valence, (0.4 - 0.6) / 2, 1e-6);
    EXPECT_DOUBLE_EQ(windows[0].face_share, 1.0);

    EXPECT_DOUBLE_EQ(windows[1].start_ms, 2000.0);
    EXPECT_EQ(windows[1].dominant, 2);
    EXPECT_NEAR(windows[1].valence, 0.0, 1e-6);
    EXPECT_DOUBLE_EQ(windows[1].face_share, 0.5);

    EXPECT_EQ(windows[2].dominant, 0);
    EXPECT_NEAR(windows[2].valence, 0.6, 1e-6);  // frame 4 (valence 0.2) is excluded
    EXPECT_DOUBLE_EQ(windows[2].face_share, 1.0);
}

TEST(SessionStatistics, OtherTrackAndNoExclusions) {
    const auto frames = sixSeconds();
    const auto statistics = sessionStatistics(frames, kLabels, 2, {}, 60.0);
    EXPECT_EQ(statistics.frames_counted, 6);
    EXPECT_NEAR(statistics.face_present_share, 3.0 / 6.0, 1e-9);
    EXPECT_NEAR(statistics.mean_probabilities[0], 1.0 / 3, 1e-6);
    ASSERT_EQ(statistics.windows.size(), 1u);
    EXPECT_NEAR(statistics.windows[0].valence, (0.0 - 1.0 + 1.0) / 3, 1e-6);
}

TEST(SessionStatistics, WindowWithoutFramesOrFacesHasNoDominant) {
    const std::vector<FrameRecord> frames = {
        {0, 500.0, {face(1, {1.0f, 0.0f, 0.0f})}},
        {1, 2500.0, {}},  // the window 1000-2000 has no frame at all
    };
    const auto windows = sessionStatistics(frames, kLabels, 1, {}, 1.0).windows;
    ASSERT_EQ(windows.size(), 3u);
    EXPECT_EQ(windows[0].dominant, 0);
    EXPECT_EQ(windows[1].dominant, -1);
    EXPECT_DOUBLE_EQ(windows[1].face_share, 0.0);
    EXPECT_DOUBLE_EQ(windows[2].start_ms, 2000.0);
    EXPECT_EQ(windows[2].dominant, -1);
}

TEST(SessionStatistics, WithoutProbabilitiesOnlyFaceShareIsKnown) {
    const std::vector<FrameRecord> frames = {{0, 0.0, {face(1, {})}}, {1, 40.0, {}}};
    const auto statistics = sessionStatistics(frames, {}, 1, {}, 60.0);
    EXPECT_DOUBLE_EQ(statistics.face_present_share, 0.5);
    EXPECT_TRUE(statistics.mean_probabilities.empty());
    EXPECT_TRUE(statistics.dominant_share.empty());
    EXPECT_EQ(statistics.windows.at(0).dominant, -1);
}

TrackedFace withQuality(TrackedFace face, double quality) {
    face.quality = ReadingQuality{};
    face.quality->quality = quality;
    return face;
}

// Track 1 over six seconds: frames 1 and 2 of low quality (0.2, 0.49), frame 3 just good enough
// (0.5), frame 4 not measured (a store from before quality), frame 5 absent.
std::vector<FrameRecord> framesWithQuality() {
    return {
        {0, 0.0, {withQuality(face(1, {0.8f, 0.1f, 0.1f}), 0.9)}},
        {1, 1000.0, {withQuality(face(1, {0.0f, 1.0f, 0.0f}), 0.2)}},
        {2, 2000.0, {withQuality(face(1, {0.0f, 0.9f, 0.1f}), 0.49)}},
        {3, 3000.0, {withQuality(face(1, {0.6f, 0.2f, 0.2f}), 0.5)}},
        {4, 4000.0, {face(1, {0.4f, 0.2f, 0.4f})}},
        {5, 5000.0, {}},
    };
}

TEST(SessionStatistics, LowQualityReadingsAreCountedUnlessLeftOut) {
    const auto frames = framesWithQuality();
    const auto counted = sessionStatistics(frames, kLabels, 1, {}, 10.0);
    EXPECT_FALSE(counted.low_quality_left_out);
    EXPECT_NEAR(counted.low_quality_share, 2.0 / 5.0, 1e-12);  // of the 5 frames with the face
    ASSERT_EQ(counted.dominant_share.size(), 3u);
    EXPECT_DOUBLE_EQ(counted.dominant_share[1], 2.0 / 5.0);  // the two low frames read sad

    const auto left_out =
        sessionStatistics(frames, kLabels, 1, {}, 10.0, {}, LowQualityReadings::LeftOut);
    EXPECT_TRUE(left_out.low_quality_left_out);
    EXPECT_NEAR(left_out.low_quality_share, 2.0 / 5.0, 1e-12);
    EXPECT_NEAR(left_out.face_present_share, 5.0 / 6.0, 1e-12);  // still present
    ASSERT_EQ(left_out.mean_probabilities.size(), 3u);
    EXPECT_NEAR(left_out.mean_probabilities[0], (0.8 + 0.6 + 0.4) / 3, 1e-6);
    EXPECT_NEAR(left_out.mean_probabilities[1], (0.1 + 0.2 + 0.2) / 3, 1e-6);
    EXPECT_DOUBLE_EQ(left_out.dominant_share[1], 0.0);
    ASSERT_EQ(left_out.windows.size(), 1u);
    EXPECT_EQ(left_out.windows[0].dominant, 0);  // happy, once the sad low frames are out
}

TEST(LowQualityStretches, RunsOfLowFramesEndAtTheNextFrameOrTheSessionEnd) {
    auto frames = framesWithQuality();
    auto stretches = lowQualityStretches(frames, 1);
    ASSERT_EQ(stretches.size(), 1u);
    EXPECT_DOUBLE_EQ(stretches[0].first, 1000.0);
    EXPECT_DOUBLE_EQ(stretches[0].second, 3000.0);
    EXPECT_TRUE(lowQualityStretches(frames, 2).empty());

    frames[4].faces[0] = withQuality(frames[4].faces[0], 0.1);
    frames.pop_back();  // the session ends on a low frame
    stretches = lowQualityStretches(frames, 1);
    ASSERT_EQ(stretches.size(), 2u);
    EXPECT_DOUBLE_EQ(stretches[1].first, 4000.0);
    EXPECT_DOUBLE_EQ(stretches[1].second, 4000.0);
}

TEST(SessionStatistics, RejectsBadWindowAndWrongProbabilityCount) {
    const auto frames = sixSeconds();
    EXPECT_THROW(sessionStatistics(frames, kLabels, 1, {}, 0.0), std::invalid_argument);
    const std::vector<std::string> two_labels = {"happy", "sad"};
    EXPECT_THROW(sessionStatistics(frames, two_labels, 1, {}, 60.0), std::invalid_argument);
}

TEST(ValenceWeight, HappyPositiveNegativeEmotionsNegativeRestZero) {
    EXPECT_EQ(valenceWeight("happy"), 1.0);
    EXPECT_EQ(valenceWeight("happiness"), 1.0);
    for (const char* negative : {"angry", "anger", "contempt", "disgust", "fear", "sad"})
        EXPECT_EQ(valenceWeight(negative), -1.0) << negative;
    EXPECT_EQ(valenceWeight("neutral"), 0.0);
    EXPECT_EQ(valenceWeight("surprise"), 0.0);
    EXPECT_EQ(valenceWeight("boredom"), 0.0);
}

TEST(TrackSeries, AbsentTrackIsAGapAndTracksAreOrderedByPresence) {
    const auto frames = sixSeconds();
    const auto series = trackSeries(frames, 2);
    ASSERT_EQ(series.time_ms.size(), 6u);
    EXPECT_DOUBLE_EQ(series.time_ms[3], 3000.0);
    EXPECT_EQ(series.probabilities[0], (std::vector<float>{0.0f, 0.0f, 1.0f}));
    EXPECT_TRUE(series.probabilities[1].empty());
    EXPECT_EQ(tracksByPresence(frames), (std::vector<int>{1, 2}));
    EXPECT_TRUE(tracksByPresence({}).empty());
}

TrackSeries oneLabel(std::vector<double> times, std::vector<std::vector<float>> values) {
    return {std::move(times), std::move(values)};
}

TEST(Smoothing, CentredMovingAverageRestartsAfterAGap) {
    const auto series =
        oneLabel({0, 100, 200, 300, 400, 500, 600, 700}, {{0}, {0}, {3}, {0}, {0}, {}, {6}, {0}});
    const auto smoothed = smooth(series, {SmoothingKind::MovingAverage, 0.2});
    const std::vector<float> expected = {0, 1, 1, 1, 0};  // +-100 ms within the first run
    for (std::size_t i = 0; i < expected.size(); ++i)
        EXPECT_FLOAT_EQ(smoothed.probabilities[i].at(0), expected[i]) << i;
    EXPECT_TRUE(smoothed.probabilities[5].empty());
    EXPECT_FLOAT_EQ(smoothed.probabilities[6].at(0), 3.0f);  // 6 and 0: nothing from before
    EXPECT_FLOAT_EQ(smoothed.probabilities[7].at(0), 3.0f);
    EXPECT_EQ(smoothed.time_ms, series.time_ms);
}

TEST(Smoothing, ExponentialStepReaches63PercentAfterTau) {
    std::vector<double> times;
    std::vector<std::vector<float>> values;
    for (int i = 0; i <= 10; ++i) {
        times.push_back(i * 100.0);
        values.push_back({i == 0 ? 0.0f : 1.0f});
    }
    const auto smoothed = smooth(oneLabel(times, values), {SmoothingKind::Exponential, 1.0});
    EXPECT_FLOAT_EQ(smoothed.probabilities[0][0], 0.0f);
    EXPECT_NEAR(smoothed.probabilities[10][0], 1.0 - std::exp(-1.0), 1e-5);
}

TEST(Smoothing, ExponentialRestartsAfterAGapAndNoneLeavesValues) {
    const auto series = oneLabel({0, 1000, 2000, 3000}, {{0}, {1}, {}, {1}});
    const auto smoothed = smooth(series, {SmoothingKind::Exponential, 1.0});
    EXPECT_NEAR(smoothed.probabilities[1][0], 1.0 - std::exp(-1.0), 1e-6);
    EXPECT_TRUE(smoothed.probabilities[2].empty());
    EXPECT_FLOAT_EQ(smoothed.probabilities[3][0], 1.0f);
    EXPECT_EQ(smooth(series, {SmoothingKind::None, 5.0}).probabilities, series.probabilities);
    EXPECT_THROW(smooth(series, {SmoothingKind::MovingAverage, -1.0}), std::invalid_argument);
}

}  // namespace
}  // namespace emotrace
