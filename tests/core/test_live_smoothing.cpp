// The live overlay's smoothing on generated frames: the step response of the exponential
// average, faces averaged apart, and the cases that must start afresh.
#include <cmath>
#include <stdexcept>

#include <gtest/gtest.h>

#include "emotrace/live_smoothing.h"

using namespace emotrace;

namespace {

constexpr double kFrameMs = 1000.0 / 30.0;
const std::vector<float> kHappy{0.1f, 0.9f, 0.0f};
const std::vector<float> kSad{0.1f, 0.0f, 0.9f};

LiveSmoothingOptions over(double seconds, double max_track_gap_ms = 1500.0) {
    LiveSmoothingOptions options;
    options.seconds = seconds;
    options.tracking.max_track_gap_ms = max_track_gap_ms;
    return options;
}

FaceResult faceAt(float x, std::vector<float> probabilities) {
    return {cv::Rect2f(x, 40.0f, 100.0f, 100.0f), 0.9f, std::move(probabilities)};
}

FrameResult frameAt(double timestamp_ms, std::vector<FaceResult> faces) {
    FrameResult result;
    result.timestamp_ms = timestamp_ms;
    result.faces = std::move(faces);
    return result;
}

// Smooths one face at x = 0 whose raw probabilities are `probabilities`, returning what is shown.
std::vector<float> shown(LiveEmotionSmoother& smoother, double timestamp_ms,
                         const std::vector<float>& probabilities) {
    auto frame = frameAt(timestamp_ms, {faceAt(0.0f, probabilities)});
    smoother.smooth(frame);
    return frame.faces.at(0).probabilities;
}

}  // namespace

TEST(LiveEmotionSmoother, AFaceThatAppearsShowsItsOwnProbabilities) {
    LiveEmotionSmoother smoother(over(0.5));
    EXPECT_EQ(shown(smoother, 0.0, kHappy), kHappy);
}

TEST(LiveEmotionSmoother, AStepMovesSixtyThreePercentOfTheWayInOneTimeConstant) {
    LiveEmotionSmoother smoother(over(0.5));
    for (int frame = 0; frame < 30; ++frame)
        shown(smoother, frame * kFrameMs, kHappy);
    // 15 frames at 30 fps after the last happy one: 0.5 s.
    std::vector<float> now;
    for (int frame = 30; frame < 45; ++frame)
        now = shown(smoother, frame * kFrameMs, kSad);
    const double expected_share = 1.0 - std::exp(-1.0);
    EXPECT_NEAR(now[2], 0.9 * expected_share, 1e-4);
    EXPECT_NEAR(now[1], 0.9 * (1.0 - expected_share), 1e-4);
    EXPECT_NEAR(now[0] + now[1] + now[2], 1.0, 1e-5) << "still a distribution";
}

TEST(LiveEmotionSmoother, TheAverageFollowsTimeNotFrameCount) {
    // A source at 10 fps and one at 30 fps show the same after the same time.
    LiveEmotionSmoother slow(over(0.5));
    LiveEmotionSmoother fast(over(0.5));
    shown(slow, 0.0, kHappy);
    shown(fast, 0.0, kHappy);
    std::vector<float> slow_now;
    std::vector<float> fast_now;
    for (int step = 1; step <= 3; ++step)
        slow_now = shown(slow, step * 100.0, kSad);
    for (int step = 1; step <= 9; ++step)
        fast_now = shown(fast, step * 100.0 / 3.0, kSad);
    EXPECT_NEAR(slow_now[2], fast_now[2], 1e-5);
    EXPECT_GT(slow_now[2], 0.3f);
    EXPECT_LT(slow_now[2], 0.6f);
}

TEST(LiveEmotionSmoother, ZeroSecondsShowsEachFrameAsItIs) {
    LiveEmotionSmoother smoother(over(0.0));
    shown(smoother, 0.0, kHappy);
    EXPECT_EQ(shown(smoother, kFrameMs, kSad), kSad);
}

TEST(LiveEmotionSmoother, TwoFacesAreAveragedApartWhateverTheirOrder) {
    LiveEmotionSmoother smoother(over(1.0));
    for (int frame = 0; frame < 60; ++frame) {
        // The detector lists them in either order; the tracks keep them apart.
        auto result = frame % 2 == 0
                          ? frameAt(frame * kFrameMs, {faceAt(0, kHappy), faceAt(400, kSad)})
                          : frameAt(frame * kFrameMs, {faceAt(400, kSad), faceAt(0, kHappy)});
        smoother.smooth(result);
        for (const auto& face : result.faces) {
            const auto& expected = face.box.x == 0 ? kHappy : kSad;
            for (std::size_t c = 0; c < expected.size(); ++c)
                ASSERT_NEAR(face.probabilities[c], expected[c], 1e-5) << "frame " << frame;
        }
    }
}

// Ids linked upstream are the ones averaged over, even where position alone would say
// otherwise: two people whose tiles changed places keep their own averages.
TEST(LiveEmotionSmoother, FacesLinkedUpstreamAreAveragedByTheirIds) {
    LiveEmotionSmoother smoother(over(1.0));
    for (int frame = 0; frame < 60; ++frame) {
        const bool swapped = frame >= 30;
        auto happy = faceAt(swapped ? 400.0f : 0.0f, kHappy);
        auto sad = faceAt(swapped ? 0.0f : 400.0f, kSad);
        happy.track_id = 4;
        sad.track_id = 9;
        auto result = frameAt(frame * kFrameMs, {happy, sad});
        smoother.smooth(result);
        for (std::size_t c = 0; c < kHappy.size(); ++c) {
            ASSERT_NEAR(result.faces[0].probabilities[c], kHappy[c], 1e-5) << "frame " << frame;
            ASSERT_NEAR(result.faces[1].probabilities[c], kSad[c], 1e-5) << "frame " << frame;
        }
    }
}

TEST(LiveEmotionSmoother, AFaceAfterALongGapStartsAfresh) {
    LiveEmotionSmoother smoother(over(0.5, 1000.0));
    for (int frame = 0; frame < 30; ++frame)
        shown(smoother, frame * kFrameMs, kHappy);
    auto empty = frameAt(30 * kFrameMs, {});
    smoother.smooth(empty);
    // Two seconds without the face: its track has ended, the face that comes is a new one.
    EXPECT_EQ(shown(smoother, 3000.0, kSad), kSad);
}

TEST(LiveEmotionSmoother, AFaceBrieflyHiddenKeepsItsAverage) {
    LiveEmotionSmoother smoother(over(0.5, 1000.0));
    for (int frame = 0; frame < 30; ++frame)
        shown(smoother, frame * kFrameMs, kHappy);
    // 0.2 s hidden, then one frame of sad: weighted by the time since the face was last seen.
    const auto now = shown(smoother, 29 * kFrameMs + 200.0, kSad);
    EXPECT_NEAR(now[2], 0.9 * (1.0 - std::exp(-0.4)), 1e-4);
}

TEST(LiveEmotionSmoother, TimeGoingBackStartsAfresh) {
    LiveEmotionSmoother smoother(over(0.5));
    for (int frame = 0; frame < 30; ++frame)
        shown(smoother, 5000.0 + frame * kFrameMs, kHappy);
    EXPECT_EQ(shown(smoother, 0.0, kSad), kSad);
}

TEST(LiveEmotionSmoother, ResetForgetsEveryFace) {
    LiveEmotionSmoother smoother(over(0.5));
    for (int frame = 0; frame < 30; ++frame)
        shown(smoother, frame * kFrameMs, kHappy);
    smoother.reset();
    EXPECT_EQ(shown(smoother, 30 * kFrameMs, kSad), kSad);
}

TEST(LiveEmotionSmoother, FacesWithoutProbabilitiesPassUnchanged) {
    LiveEmotionSmoother smoother(over(0.5));
    auto frame = frameAt(0.0, {faceAt(0, {})});
    smoother.smooth(frame);
    EXPECT_TRUE(frame.faces.at(0).probabilities.empty());
    EXPECT_EQ(frame.faces.at(0).box, cv::Rect2f(0, 40, 100, 100));
}

TEST(LiveEmotionSmoother, RefusesANegativeOrMissingTimeConstant) {
    EXPECT_THROW(LiveEmotionSmoother(over(-0.1)), std::invalid_argument);
    EXPECT_THROW(LiveEmotionSmoother(over(std::nan(""))), std::invalid_argument);
    try {
        LiveEmotionSmoother(over(-2.0));
    } catch (const std::invalid_argument& error) {
        EXPECT_NE(std::string(error.what()).find("0 or more seconds"), std::string::npos);
    }
}
