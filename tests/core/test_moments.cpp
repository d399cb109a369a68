// The moment rule on synthetic probability streams whose moments are known.
#include "emotrace/moments.h"

#include "emotrace/live_moments.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

namespace emotrace {
namespace {

const std::vector<std::string> kLabels = {"angry", "contempt", "disgust", "fear",
                                          "happy", "neutral",  "sad",     "surprise"};
constexpr int kHappy = 4;
constexpr int kNeutral = 5;
constexpr int kSad = 6;
constexpr double kFrameMs = 1000.0 / 30.0;

// Probabilities with `value` on `label` and the rest shared: `rest` on `other`, the remainder
// spread evenly over the other labels.
std::vector<float> reading(int label, double value, int other = kNeutral, double rest = -1.0) {
    std::vector<float> p(kLabels.size(), 0.0f);
    p[static_cast<std::size_t>(label)] = static_cast<float>(value);
    double left = 1.0 - value;
    if (other != label && rest >= 0.0) {
        p[static_cast<std::size_t>(other)] = static_cast<float>(rest);
        left -= rest;
    }
    int spread = 0;
    for (std::size_t c = 0; c < p.size(); ++c)
        spread += p[c] == 0.0f ? 1 : 0;
    for (auto& v : p) {
        if (v == 0.0f)
            v = static_cast<float>(left / spread);
    }
    return p;
}

// 30 frames a second of one track; `at` gives the reading at a time in seconds (an empty
// vector: the track is absent from that frame).
std::vector<FrameRecord> stream(double seconds, const std::function<std::vector<float>(double)>& at,
                                int track = 1) {
    std::vector<FrameRecord> frames;
    for (std::int64_t i = 0; i * kFrameMs < seconds * 1000.0; ++i) {
        FrameRecord frame{i, static_cast<double>(i) * kFrameMs, {}};
        auto p = at(frame.timestamp_ms / 1000.0);
        if (!p.empty())
            frame.faces.push_back({track, cv::Rect2f(0, 0, 50, 50), 0.9f, true, std::move(p)});
        frames.push_back(std::move(frame));
    }
    return frames;
}

std::vector<float> calm(double) {
    return reading(kNeutral, 0.85);
}

TEST(Moments, ASmileThatRisesAndHoldsIsOneMomentAtItsTime) {
    const auto frames = stream(6.0, [](double t) {
        return t >= 2.0 && t < 3.0 ? reading(kHappy, 0.9) : reading(kNeutral, 0.85);
    });
    const auto moments = findMoments(frames, kLabels);
    ASSERT_EQ(moments.size(), 1u);
    const auto& m = moments[0];
    EXPECT_EQ(m.track_id, 1);
    EXPECT_EQ(m.label, kHappy);
    // The smoothing (0.15 s) takes the reading past 0.5 within about 0.15 s of the step.
    EXPECT_GE(m.start_ms, 2000.0);
    EXPECT_LE(m.start_ms, 2200.0);
    EXPECT_NEAR(m.reported_ms - m.start_ms, 1000.0 * MomentOptions{}.min_duration_seconds,
                kFrameMs);  // the hold: the live delay
    EXPECT_GE(m.end_ms, 3000.0);
    EXPECT_LE(m.end_ms, 3300.0);
    EXPECT_GT(m.peak_probability, 0.85);
    EXPECT_GE(m.peak_ms, m.start_ms);
    EXPECT_LE(m.peak_ms, m.end_ms);
    EXPECT_EQ(m.peak_frame, static_cast<std::int64_t>(std::llround(m.peak_ms / kFrameMs)));
}

TEST(Moments, AnExpressionShorterThanTheHoldIsNoMoment) {
    const auto brief = stream(5.0, [](double t) {
        return t >= 2.0 && t < 2.3 ? reading(kHappy, 0.9) : reading(kNeutral, 0.85);
    });
    EXPECT_TRUE(findMoments(brief, kLabels).empty());
    const auto held = stream(5.0, [](double t) {
        return t >= 2.0 && t < 2.9 ? reading(kHappy, 0.9) : reading(kNeutral, 0.85);
    });
    EXPECT_EQ(findMoments(held, kLabels).size(), 1u);
}

TEST(Moments, AWeakRiseIsNoMomentAtTheDefaultButIsAtHighSensitivity) {
    // happy 0.45 over a calm face: a rise of about 0.43, above high's 0.25 and its probability
    // floor of 0.4, but under default's floor of 0.5 (and low's rise of 0.45).
    const auto frames = stream(6.0, [](double t) {
        return t >= 2.0 && t < 3.5 ? reading(kHappy, 0.45, kNeutral, 0.45)
                                   : reading(kNeutral, 0.85);
    });
    EXPECT_TRUE(findMoments(frames, kLabels).empty());
    const auto high = MomentOptions::forSensitivity(MomentSensitivity::High);
    EXPECT_EQ(findMoments(frames, kLabels, high).size(), 1u);
    const auto low = MomentOptions::forSensitivity(MomentSensitivity::Low);
    EXPECT_TRUE(findMoments(frames, kLabels, low).empty());
}

// The threshold is the person's own: the same smile is a moment on a face whose happy reading is
// steady, and not on one whose happy reading keeps flickering up to about 0.6 (brief flickers,
// shorter than the hold, that never became moments: that person's spread).
TEST(Moments, APersonWhoseReadingKeepsFlickeringNeedsAClearerDeparture) {
    const auto smile = [](double t) { return t >= 30.0 && t < 31.5; };
    const auto steady = stream(35.0, [&](double t) {
        return smile(t) ? reading(kHappy, 0.8, kNeutral, 0.1) : reading(kNeutral, 0.85);
    });
    ASSERT_EQ(findMoments(steady, kLabels).size(), 1u);
    const auto flickering = stream(35.0, [&](double t) {
        if (smile(t))
            return reading(kHappy, 0.8, kNeutral, 0.1);
        const bool flicker = std::fmod(t, 1.0) < 0.3;  // 0.3 s of every second
        return flicker ? reading(kHappy, 0.7, kNeutral, 0.2) : reading(kNeutral, 0.85);
    });
    EXPECT_TRUE(findMoments(flickering, kLabels).empty());
    MomentOptions without_spread;
    without_spread.spread_factor = 0.0;
    EXPECT_EQ(findMoments(flickering, kLabels, without_spread).size(), 1u);
}

// An expression that builds up slowly is measured against the baseline from before it: its
// onset never raises the baseline or the spread (the frames of a departure are held aside).
TEST(Moments, ASlowOnsetDoesNotRaiseItsOwnThreshold) {
    const auto frames = stream(12.0, [](double t) {
        if (t < 5.0 || t >= 9.0)
            return reading(kNeutral, 0.85);
        const double ramp = std::min((t - 5.0) / 2.0, 1.0);  // two seconds up to happy 0.6
        return reading(kHappy, 0.02 + 0.58 * ramp, kNeutral, 0.83 - 0.58 * ramp);
    });
    const auto moments = findMoments(frames, kLabels);
    ASSERT_EQ(moments.size(), 1u);
    EXPECT_EQ(moments[0].label, kHappy);
    EXPECT_GT(moments[0].start_ms, 6000.0);  // once the ramp is past the rise and 0.5
    EXPECT_LT(moments[0].start_ms, 7200.0);
}

// A resting face the model reads as rather sad is this person's baseline, not a minute of
// sadness; sadness rising clearly above it still is a moment.
TEST(Moments, TheBaselineIsThePersonsOwn) {
    const auto resting_sad = [](double) { return reading(kSad, 0.45, kNeutral, 0.45); };
    EXPECT_TRUE(findMoments(stream(60.0, resting_sad), kLabels).empty());
    const auto frames = stream(20.0, [](double t) {
        return t >= 10.0 && t < 12.0 ? reading(kSad, 0.95) : reading(kSad, 0.45, kNeutral, 0.45);
    });
    const auto moments = findMoments(frames, kLabels);
    ASSERT_EQ(moments.size(), 1u);
    EXPECT_EQ(moments[0].label, kSad);
    EXPECT_NEAR(moments[0].start_ms, 10000.0, 300.0);
}

// The baseline follows the person slowly: after minutes at a new level, that level is the
// baseline, and rises are measured from it: happy 0.45 over a held 0.3 is no moment (it would be
// over the first baseline of 0.02), happy 0.6 is.
TEST(Moments, TheBaselineAdaptsToANewRestingLevel) {
    const auto frames = stream(200.0, [](double t) {
        if (t < 10.0)
            return reading(kNeutral, 0.85);
        if (t >= 180.0 && t < 183.0)
            return reading(kHappy, 0.45, kNeutral, 0.45);
        if (t >= 190.0 && t < 192.0)
            return reading(kHappy, 0.6, kNeutral, 0.3);
        return reading(kHappy, 0.3, kNeutral, 0.6);  // a slight smile (under the floor), held
    });
    MomentOptions o;
    o.rise = 0.2;
    const auto moments = findMoments(frames, kLabels, o);
    ASSERT_EQ(moments.size(), 1u) << "first at " << moments.at(0).start_ms << " ms";
    EXPECT_NEAR(moments[0].start_ms, 190000.0, 300.0);
    EXPECT_EQ(moments[0].label, kHappy);
}

// Live use: what the detector reports at a time uses no later frame. The moments reported up
// to time T on the whole stream are those reported on the stream cut at T.
TEST(Moments, LiveDetectionUsesNoFutureFrame) {
    const auto full = stream(12.0, [](double t) {
        if (t >= 2.0 && t < 3.0)
            return reading(kHappy, 0.9);
        if (t >= 6.0 && t < 8.0)
            return reading(kSad, 0.8);
        return reading(kNeutral, 0.85);
    });
    const auto opened_until = [&](std::size_t frames) {
        MomentDetector detector(kLabels);
        std::vector<Moment> opened;
        for (std::size_t i = 0; i < frames; ++i) {
            auto update = detector.add(full[i].frame_index, full[i].timestamp_ms, full[i].faces);
            opened.insert(opened.end(), update.opened.begin(), update.opened.end());
        }
        return opened;
    };
    const auto all = opened_until(full.size());
    ASSERT_EQ(all.size(), 2u);
    for (std::size_t cut : {std::size_t{70}, std::size_t{200}, std::size_t{230}}) {
        const auto early = opened_until(cut);
        const double cut_ms = full[cut - 1].timestamp_ms;
        std::size_t expected = 0;
        for (const auto& m : all)
            expected += m.reported_ms <= cut_ms ? 1 : 0;
        ASSERT_EQ(early.size(), expected) << "cut at " << cut_ms << " ms";
        for (std::size_t i = 0; i < early.size(); ++i) {
            EXPECT_EQ(early[i].start_ms, all[i].start_ms);
            EXPECT_EQ(early[i].reported_ms, all[i].reported_ms);
        }
    }
}

TEST(Moments, ATrackThatVanishesMidMomentEndsItAtItsLastFrame) {
    const auto frames = stream(8.0, [](double t) {
        if (t >= 4.0)
            return std::vector<float>{};  // the face leaves the picture
        return t >= 2.0 ? reading(kHappy, 0.9) : reading(kNeutral, 0.85);
    });
    const auto moments = findMoments(frames, kLabels);
    ASSERT_EQ(moments.size(), 1u);
    EXPECT_LT(moments[0].end_ms, 4000.0);
    EXPECT_GT(moments[0].end_ms, 4000.0 - 2 * kFrameMs);

    // Live: the vanished track's moment is closed once the gap is longer than max_gap.
    MomentDetector detector(kLabels);
    bool closed_live = false;
    for (const auto& frame : frames) {
        const auto update = detector.add(frame.frame_index, frame.timestamp_ms, frame.faces);
        if (!update.closed.empty()) {
            closed_live = true;
            EXPECT_GT(frame.timestamp_ms,
                      moments[0].end_ms + 1000.0 * detector.options().max_gap_seconds);
        }
    }
    EXPECT_TRUE(closed_live);
}

TEST(Moments, AFaceSeenForAFewFramesOrASingleFrameGivesNone) {
    const auto few = stream(0.2, [](double) { return reading(kHappy, 0.9); });
    EXPECT_TRUE(findMoments(few, kLabels).empty());
    const auto one = stream(kFrameMs / 1000.0, [](double) { return reading(kHappy, 0.9); });
    ASSERT_EQ(one.size(), 1u);
    EXPECT_TRUE(findMoments(one, kLabels).empty());
    const auto no_face = stream(5.0, [](double) { return std::vector<float>{}; });
    EXPECT_TRUE(findMoments(no_face, kLabels).empty());
    EXPECT_TRUE(findMoments({}, kLabels).empty());
}

TEST(Moments, TracksAreSeparatePeople) {
    auto frames = stream(6.0, calm, 1);
    const auto other = stream(6.0, [](double t) {
        return t >= 3.0 && t < 4.5 ? reading(kSad, 0.9) : reading(kNeutral, 0.85);
    });
    for (std::size_t i = 0; i < frames.size(); ++i)
        frames[i].faces.push_back(other[i].faces.at(0));
    for (auto& f : frames)
        f.faces.back().track_id = 2;
    const auto moments = findMoments(frames, kLabels);
    ASSERT_EQ(moments.size(), 1u);
    EXPECT_EQ(moments[0].track_id, 2);
    EXPECT_EQ(moments[0].label, kSad);
}

// Without a neutral class every label can make a moment: a change from the person's usual
// distribution.
TEST(Moments, AModelWithoutNeutralMeasuresChangeFromTheUsualDistribution) {
    const std::vector<std::string> labels = {"happy", "sad", "surprise"};
    std::vector<FrameRecord> frames;
    for (std::int64_t i = 0; i < 180; ++i) {
        const double t = static_cast<double>(i) * kFrameMs;
        std::vector<float> p = t >= 3000.0 && t < 4500.0 ? std::vector<float>{0.1f, 0.1f, 0.8f}
                                                         : std::vector<float>{0.3f, 0.6f, 0.1f};
        frames.push_back({i, t, {{1, cv::Rect2f(0, 0, 9, 9), 0.9f, true, p}}});
    }
    const auto moments = findMoments(frames, labels);
    ASSERT_EQ(moments.size(), 1u);
    EXPECT_EQ(moments[0].label, 2);
}

// Live: the finder links faces into tracks, and every moment comes with the face at its peak.
// The frames are grey with the face drawn brighter as the smile grows, so the thumbnail of the
// peak is the brightest one.
TEST(LiveMoments, FindsTheMomentLiveWithTheFaceAtItsPeak) {
    LiveMomentFinder finder(kLabels);
    std::vector<LiveMoment> opened;
    std::vector<LiveMoment> closed;
    for (std::int64_t i = 0; i * kFrameMs < 6000.0; ++i) {
        const double t = static_cast<double>(i) * kFrameMs / 1000.0;
        const bool smiling = t >= 2.0 && t < 3.5;
        const double value = smiling ? std::min(0.6 + (t - 2.0) * 0.3, 0.95) : 0.0;
        FrameResult result;
        result.frame_index = i;
        result.timestamp_ms = static_cast<double>(i) * kFrameMs;
        result.image = cv::Mat(240, 320, CV_8UC3, cv::Scalar::all(40));
        const cv::Rect face(100, 60, 100, 120);
        result.image(face).setTo(cv::Scalar::all(60 + 180 * value));
        FaceResult found;
        found.box = cv::Rect2f(face);
        found.detection_confidence = 0.9f;
        found.probabilities = smiling ? reading(kHappy, value) : reading(kNeutral, 0.85);
        result.faces.push_back(found);
        auto update = finder.add(result);
        opened.insert(opened.end(), update.opened.begin(), update.opened.end());
        closed.insert(closed.end(), update.closed.begin(), update.closed.end());
    }
    const auto rest = finder.finish();
    closed.insert(closed.end(), rest.begin(), rest.end());
    ASSERT_EQ(opened.size(), 1u);
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(opened[0].moment.label, kHappy);
    EXPECT_EQ(closed[0].moment.start_ms, opened[0].moment.start_ms);
    EXPECT_GT(closed[0].moment.peak_ms, opened[0].moment.peak_ms);  // it kept growing
    ASSERT_FALSE(opened[0].thumbnail.empty());
    ASSERT_FALSE(closed[0].thumbnail.empty());
    EXPECT_EQ(closed[0].thumbnail.size(), cv::Size(96, 96));
    const auto centre = [](const cv::Mat& m) { return m.at<cv::Vec3b>(48, 48)[0]; };
    EXPECT_GT(centre(closed[0].thumbnail), centre(opened[0].thumbnail));
    // The thumbnail survives the store's JPEG.
    const auto decoded = decodeThumbnail(encodeThumbnail(closed[0].thumbnail));
    ASSERT_EQ(decoded.size(), cv::Size(96, 96));
    EXPECT_NEAR(centre(decoded), centre(closed[0].thumbnail), 8);
    EXPECT_TRUE(decodeThumbnail({std::byte{1}, std::byte{2}}).empty());
}

// Faces linked upstream (the live pipeline) keep their ids: the moment names the person the
// dashboard shows, not one the finder made up.
TEST(LiveMoments, AMomentNamesThePersonByTheIdTheFaceCameWith) {
    LiveMomentFinder finder(kLabels);
    std::vector<LiveMoment> opened;
    for (std::int64_t i = 0; i * kFrameMs < 4000.0; ++i) {
        const double t = static_cast<double>(i) * kFrameMs / 1000.0;
        FrameResult result;
        result.frame_index = i;
        result.timestamp_ms = static_cast<double>(i) * kFrameMs;
        result.image = cv::Mat(240, 320, CV_8UC3, cv::Scalar::all(40));
        FaceResult found;
        found.box = cv::Rect2f(100, 60, 100, 120);
        found.detection_confidence = 0.9f;
        found.probabilities = t >= 2.0 ? reading(kHappy, 0.9) : reading(kNeutral, 0.85);
        found.track_id = 12;
        result.faces.push_back(found);
        const auto update = finder.add(result);
        ASSERT_EQ(update.tracks, std::vector<int>{12});
        opened.insert(opened.end(), update.opened.begin(), update.opened.end());
    }
    ASSERT_EQ(opened.size(), 1u);
    EXPECT_EQ(opened[0].moment.track_id, 12);
    EXPECT_FALSE(opened[0].thumbnail.empty());
}

TEST(LiveMoments, AThumbnailOfAFaceAtTheEdgeIsPaddedAndOneOutsideIsEmpty) {
    const cv::Mat image(100, 100, CV_8UC3, cv::Scalar(0, 0, 255));
    const auto edge = faceThumbnail(image, cv::Rect2f(70, 70, 40, 40));
    ASSERT_EQ(edge.size(), cv::Size(96, 96));
    EXPECT_EQ(edge.at<cv::Vec3b>(95, 95), cv::Vec3b(0, 0, 0));  // outside the frame: black
    EXPECT_EQ(edge.at<cv::Vec3b>(10, 10), cv::Vec3b(0, 0, 255));
    EXPECT_TRUE(faceThumbnail(image, cv::Rect2f(300, 300, 40, 40)).empty());
    EXPECT_TRUE(faceThumbnail(cv::Mat(), cv::Rect2f(0, 0, 40, 40)).empty());
}

TEST(Moments, BadInputIsNamed) {
    EXPECT_THROW(MomentDetector(kLabels, MomentOptions{.rise = 0.0}), std::invalid_argument);
    EXPECT_THROW(MomentDetector(kLabels, MomentOptions{.spread_factor = -1.0}),
                 std::invalid_argument);
    EXPECT_THROW(momentSensitivityFromName("medium"), std::invalid_argument);
    EXPECT_EQ(momentSensitivityFromName("high"), MomentSensitivity::High);
    EXPECT_EQ(momentSensitivityName(MomentSensitivity::Low), "low");
    MomentDetector detector(kLabels);
    const std::vector<TrackedFace> faces{{3, cv::Rect2f(0, 0, 9, 9), 0.9f, true, {0.5f, 0.5f}}};
    try {
        detector.add(7, 0.0, faces);
        FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("frame 7"), std::string::npos) << message;
        EXPECT_NE(message.find("expected 8"), std::string::npos) << message;
    }
    // Faces without probabilities (no model) are left alone.
    const std::vector<TrackedFace> unclassified{{3, cv::Rect2f(0, 0, 9, 9), 0.9f, true, {}}};
    EXPECT_TRUE(detector.add(8, 40.0, unclassified).opened.empty());
}

}  // namespace
}  // namespace emotrace
