// Track linking and box interpolation on generated detections.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "emotrace/face_appearance.h"
#include "emotrace/face_tracks.h"

using namespace emotrace;

namespace {

constexpr double kFrameMs = 1000.0 / 30.0;

Detection faceAt(float x, float y, float side = 100.0f, float score = 0.9f) {
    return {cv::Rect2f(x, y, side, side), score};
}

// The signature of a face painted on a flat background: one colour per person, another per tile.
std::vector<float> lookOf(cv::Scalar face, cv::Scalar background) {
    cv::Mat image(300, 300, CV_8UC3, background);
    cv::rectangle(image, cv::Rect(100, 100, 100, 100), face, cv::FILLED);
    return faceAppearance(image, cv::Rect2f(100, 100, 100, 100));
}

Detection lookingLike(Detection detection, std::vector<float> look) {
    detection.appearance = std::move(look);
    return detection;
}

std::vector<int> idsOf(const std::vector<TrackedDetection>& assigned) {
    std::vector<int> ids;
    for (const auto& face : assigned)
        ids.push_back(face.track_id);
    return ids;
}

}  // namespace

TEST(FaceTracker, FirstDetectionsGetConsecutiveIdsInOrder) {
    FaceTracker tracker;
    const auto assigned = tracker.assign(std::vector{faceAt(0, 0), faceAt(300, 0)}, 0.0);
    EXPECT_EQ(idsOf(assigned), (std::vector{0, 1}));
    EXPECT_EQ(assigned[1].detection.box, cv::Rect2f(300, 0, 100, 100));
    EXPECT_EQ(tracker.nextId(), 2);
}

TEST(FaceTracker, MovingFaceKeepsItsIdThroughAShortOcclusion) {
    FaceTracker tracker({.max_track_gap_ms = 1500.0});
    int frame = 0;
    for (; frame < 30; ++frame) {
        const auto assigned =
            tracker.assign(std::vector{faceAt(100.0f + 2.0f * frame, 50)}, frame * kFrameMs);
        ASSERT_EQ(idsOf(assigned), std::vector{0}) << "frame " << frame;
    }
    // A hand over the face for one second: no detection at all.
    for (; frame < 60; ++frame)
        EXPECT_TRUE(tracker.assign({}, frame * kFrameMs).empty());
    EXPECT_EQ(tracker.liveTrackIds(), std::vector{0});
    const auto back =
        tracker.assign(std::vector{faceAt(100.0f + 2.0f * frame, 50)}, frame * kFrameMs);
    EXPECT_EQ(idsOf(back), std::vector{0});
}

TEST(FaceTracker, TrackEndsAfterTheGapAndItsIdIsNeverReused) {
    FaceTracker tracker({.max_track_gap_ms = 500.0});
    tracker.assign(std::vector{faceAt(100, 50)}, 0.0);
    tracker.assign({}, 400.0);
    EXPECT_EQ(tracker.liveTrackIds(), std::vector{0});
    tracker.assign({}, 600.0);
    EXPECT_TRUE(tracker.liveTrackIds().empty());
    const auto again = tracker.assign(std::vector{faceAt(100, 50)}, 700.0);
    EXPECT_EQ(idsOf(again), std::vector{1});
}

TEST(FaceTracker, FaceFarFromAnyTrackStartsANewOne) {
    FaceTracker tracker;
    tracker.assign(std::vector{faceAt(0, 0)}, 0.0);
    const auto assigned = tracker.assign(std::vector{faceAt(400, 300)}, kFrameMs);
    EXPECT_EQ(idsOf(assigned), std::vector{1});
}

TEST(FaceTracker, TwoFacesPassingCloseKeepTheirIds) {
    // Therapist walks left to right, client right to left, on slightly different heights: their
    // boxes come within 20 px of each other but stay distinct. Detections arrive in score order,
    // which swaps halfway, so the order alone would mix them up.
    FaceTracker tracker;
    for (int frame = 0; frame <= 40; ++frame) {
        const Detection left_to_right = faceAt(50.0f + 10.0f * frame, 100, 80, 0.9f);
        const Detection right_to_left = faceAt(450.0f - 10.0f * frame, 200, 80, 0.8f);
        const auto detections = frame < 20 ? std::vector{left_to_right, right_to_left}
                                           : std::vector{right_to_left, left_to_right};
        const auto assigned = tracker.assign(detections, frame * kFrameMs);
        ASSERT_EQ(assigned.size(), 2u);
        for (const auto& face : assigned) {
            const bool is_left_to_right = face.detection.box.y < 150.0f;
            EXPECT_EQ(face.track_id, is_left_to_right ? 0 : 1) << "frame " << frame;
        }
    }
}

TEST(FaceTracker, GalleryTilesThatChangePlacesKeepTheirPeople) {
    // A call client reorders its gallery: the client's tile and the therapist's swap places
    // between two frames. By position alone each track would now follow the other person.
    const auto client = lookOf({60, 90, 200}, {200, 180, 160});
    const auto therapist = lookOf({40, 60, 90}, {90, 140, 60});
    FaceTracker tracker;
    for (int frame = 0; frame < 40; ++frame) {
        const bool swapped = frame >= 20;
        const Detection left = faceAt(100, 200);
        const Detection right = faceAt(740, 200);
        const auto detections = std::vector{lookingLike(left, swapped ? therapist : client),
                                            lookingLike(right, swapped ? client : therapist)};
        const auto assigned = tracker.assign(detections, frame * kFrameMs);
        ASSERT_EQ(assigned.size(), 2u);
        EXPECT_EQ(idsOf(assigned), swapped ? (std::vector{1, 0}) : (std::vector{0, 1}))
            << "frame " << frame;
    }
}

TEST(FaceTracker, WithoutAppearanceATileSwapHandsEachTrackToTheOtherPerson) {
    // The same swap with no appearance measured: tracks stay where they were. This is the
    // behaviour the appearance exists to correct, and it keeps the test above honest.
    FaceTracker tracker;
    for (int frame = 0; frame < 40; ++frame) {
        const auto assigned =
            tracker.assign(std::vector{faceAt(100, 200), faceAt(740, 200)}, frame * kFrameMs);
        EXPECT_EQ(idsOf(assigned), (std::vector{0, 1})) << "frame " << frame;
    }
}

TEST(FaceTracker, ALookAloneNeverSplitsATrack) {
    // A lamp is switched on: the face looks different from one frame to the next, but nobody
    // else it could be is around, so it stays the same person.
    FaceTracker tracker;
    tracker.assign(std::vector{lookingLike(faceAt(100, 100), lookOf({60, 90, 200}, {20, 20, 20}))},
                   0.0);
    const auto assigned = tracker.assign(
        std::vector{lookingLike(faceAt(102, 100), lookOf({200, 230, 250}, {240, 240, 240}))},
        kFrameMs);
    EXPECT_EQ(idsOf(assigned), std::vector{0});
}

TEST(FaceTracker, SlowlyChangingLightKeepsTheTrack) {
    // A cloud passes: the room darkens by half over three seconds. The track's look follows.
    FaceTracker tracker;
    for (int frame = 0; frame < 90; ++frame) {
        const double light = 1.0 - 0.5 * frame / 89.0;
        const auto look =
            lookOf(cv::Scalar(60, 90, 200) * light, cv::Scalar(200, 180, 160) * light);
        const auto assigned =
            tracker.assign(std::vector{lookingLike(faceAt(100, 100), look)}, frame * kFrameMs);
        ASSERT_EQ(idsOf(assigned), std::vector{0}) << "frame " << frame;
    }
}

TEST(FaceAppearance, SameLookIsCloseOtherLooksAreFarAndEmptyIsUnknown) {
    const auto a = lookOf({60, 90, 200}, {200, 180, 160});
    const auto b = lookOf({40, 60, 90}, {90, 140, 60});
    ASSERT_FALSE(a.empty());
    EXPECT_NEAR(appearanceDistance(a, a), 0.0f, 1e-3f);
    EXPECT_GT(appearanceDistance(a, b), 0.5f);
    EXPECT_LE(appearanceDistance(a, b), 1.0f);
    EXPECT_FLOAT_EQ(appearanceDistance(a, {}), 1.0f);
    const cv::Mat image(100, 100, CV_8UC3, cv::Scalar::all(128));
    EXPECT_TRUE(faceAppearance(image, cv::Rect2f(500, 500, 50, 50)).empty()) << "outside";
    EXPECT_TRUE(faceAppearance(cv::Mat(), cv::Rect2f(0, 0, 50, 50)).empty());
}

TEST(FaceTracker, SeedingContinuesStoredIdsAndNeverReusesOlderOnes) {
    FaceTracker tracker;
    TrackedFace stored;
    stored.track_id = 3;
    stored.box = cv::Rect2f(100, 100, 100, 100);
    // Ids up to 6 were used earlier in the session, so new tracks start at 7.
    tracker.seed(std::vector{stored}, 1000.0, 7);
    EXPECT_EQ(tracker.liveTrackIds(), std::vector{3});
    const auto assigned =
        tracker.assign(std::vector{faceAt(104, 102), faceAt(400, 300)}, 1000.0 + kFrameMs);
    EXPECT_EQ(idsOf(assigned), (std::vector{3, 7}));
    EXPECT_EQ(tracker.nextId(), 8);
}

TEST(FaceTracker, SeedingWithAHigherStoredIdThanNextIdMovesNextIdPastIt) {
    FaceTracker tracker;
    TrackedFace stored;
    stored.track_id = 9;
    stored.box = cv::Rect2f(0, 0, 50, 50);
    tracker.seed(std::vector{stored}, 0.0, 2);
    EXPECT_EQ(tracker.nextId(), 10);
}

FrameResult frameWith(double timestamp_ms, std::vector<int> track_ids) {
    FrameResult result;
    result.timestamp_ms = timestamp_ms;
    float x = 0.0f;
    for (int id : track_ids) {
        FaceResult face;
        face.box = {x, 40.0f, 100.0f, 100.0f};
        face.track_id = id;
        result.faces.push_back(face);
        x += 300.0f;
    }
    return result;
}

TEST(TrackIdsOf, AFrameLinkedUpstreamKeepsItsIdsAndLeavesTheTrackerAlone) {
    FaceTracker tracker;
    EXPECT_EQ(trackIdsOf(tracker, frameWith(0.0, {7, 3})), (std::vector<int>{7, 3}));
    EXPECT_EQ(tracker.nextId(), 0);
    EXPECT_TRUE(tracker.liveTrackIds().empty());
}

TEST(TrackIdsOf, AFrameWithAnUnlinkedFaceIsLinkedByTheTracker) {
    FaceTracker tracker;
    EXPECT_EQ(trackIdsOf(tracker, frameWith(0.0, {-1, -1})), (std::vector<int>{0, 1}));
    EXPECT_EQ(trackIdsOf(tracker, frameWith(kFrameMs, {5, -1})), (std::vector<int>{0, 1}))
        << "one face without an id: the whole frame is the tracker's";
}

TEST(LinkFaces, SetsEveryFacesTrackAndKeepsThemAcrossFrames) {
    FaceTracker tracker;
    auto first = frameWith(0.0, {-1, 9});
    linkFaces(tracker, first);
    EXPECT_EQ(first.faces[0].track_id, 0);
    EXPECT_EQ(first.faces[1].track_id, 1) << "an id it carried is replaced";
    auto second = frameWith(kFrameMs, {-1, -1});
    linkFaces(tracker, second);
    EXPECT_EQ(second.faces[0].track_id, 0);
    EXPECT_EQ(second.faces[1].track_id, 1);
}

TEST(IntersectionOverUnion, HandComputedCases) {
    EXPECT_FLOAT_EQ(intersectionOverUnion({0, 0, 10, 10}, {0, 0, 10, 10}), 1.0f);
    EXPECT_FLOAT_EQ(intersectionOverUnion({0, 0, 10, 10}, {5, 0, 10, 10}), 50.0f / 150.0f);
    EXPECT_FLOAT_EQ(intersectionOverUnion({0, 0, 10, 10}, {20, 20, 10, 10}), 0.0f);
    EXPECT_FLOAT_EQ(intersectionOverUnion({0, 0, 0, 10}, {0, 0, 10, 10}), 0.0f);
}

TEST(InterpolateBox, EveryEdgeMovesLinearly) {
    const cv::Rect2f from(0, 0, 100, 100);
    const cv::Rect2f to(40, 20, 60, 140);  // right edge 100 -> 100, bottom 100 -> 160
    EXPECT_EQ(interpolateBox(from, to, 0.0), from);
    EXPECT_EQ(interpolateBox(from, to, 1.0), to);
    const cv::Rect2f quarter = interpolateBox(from, to, 0.25);
    EXPECT_FLOAT_EQ(quarter.x, 10.0f);
    EXPECT_FLOAT_EQ(quarter.y, 5.0f);
    EXPECT_FLOAT_EQ(quarter.x + quarter.width, 100.0f);
    EXPECT_FLOAT_EQ(quarter.y + quarter.height, 115.0f);
}

TEST(InterpolateFaces, LandmarksMoveLinearlyWhereBothKeyframesHaveThem) {
    Detection start = faceAt(0, 0);
    start.landmarks = {{30, 40}, {70, 40}, {50, 60}, {35, 75}, {65, 75}};
    Detection end = faceAt(40, 0);
    end.landmarks = {{70, 50}, {110, 30}, {90, 60}, {75, 75}, {105, 75}};
    const std::vector<TrackedDetection> from = {{0, start}, {1, faceAt(300, 0)}};
    const std::vector<TrackedDetection> to = {{0, end}, {1, faceAt(300, 0)}};
    const auto faces = interpolateFaces(from, 0, to, 4, 1);
    ASSERT_EQ(faces.size(), 2u);
    ASSERT_EQ(faces[0].landmarks.size(), 5u);
    EXPECT_FLOAT_EQ(faces[0].landmarks[0].x, 40.0f);
    EXPECT_FLOAT_EQ(faces[0].landmarks[0].y, 42.5f);
    EXPECT_FLOAT_EQ(faces[0].landmarks[1].y, 37.5f);
    EXPECT_TRUE(faces[1].landmarks.empty()) << "no landmarks at either end: none between";
}

TEST(InterpolateFaces, OnlyTracksInBothKeyframesWithInterpolatedConfidence) {
    const std::vector<TrackedDetection> from = {{0, faceAt(0, 0, 100, 0.6f)},
                                                {1, faceAt(300, 0, 100, 0.9f)}};
    const std::vector<TrackedDetection> to = {{0, faceAt(50, 10, 100, 0.8f)},
                                              {2, faceAt(500, 0, 100, 0.9f)}};
    const auto faces = interpolateFaces(from, 10, to, 15, 12);
    ASSERT_EQ(faces.size(), 1u);
    EXPECT_EQ(faces[0].track_id, 0);
    EXPECT_FALSE(faces[0].detected);
    EXPECT_TRUE(faces[0].probabilities.empty());
    EXPECT_FLOAT_EQ(faces[0].box.x, 20.0f);
    EXPECT_FLOAT_EQ(faces[0].box.y, 4.0f);
    EXPECT_FLOAT_EQ(faces[0].box.width, 100.0f);
    EXPECT_NEAR(faces[0].detection_confidence, 0.68f, 1e-6f);
}
