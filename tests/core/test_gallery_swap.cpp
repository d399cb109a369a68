// The person followed in a call's gallery stays followed when the tiles change places (issue
// 23): two shared clips side by side in a 1280x720 "call", swapped halfway, read through the
// shipped detector, the appearance signature and the tracker, as the live view reads them.
#include <set>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "emotrace/face_appearance.h"
#include "emotrace/face_detector.h"
#include "emotrace/face_tracks.h"
#include "test_support.h"

using namespace emotrace;

namespace {

constexpr int kFramesPerSide = 20;
const cv::Size kCall(1280, 720);

std::vector<cv::Mat> framesOf(const std::filesystem::path& clip, int count) {
    cv::VideoCapture capture(clip.string());
    std::vector<cv::Mat> frames;
    cv::Mat frame;
    while (static_cast<int>(frames.size()) < count && capture.read(frame))
        frames.push_back(frame.clone());
    return frames;
}

// `image` letterboxed into the left or right half of a call frame.
void paintTile(cv::Mat& call, const cv::Mat& image, bool right) {
    const cv::Rect tile(right ? kCall.width / 2 : 0, 0, kCall.width / 2, kCall.height);
    const double scale = std::min(static_cast<double>(tile.width) / image.cols,
                                  static_cast<double>(tile.height) / image.rows);
    const cv::Size size(cvRound(image.cols * scale), cvRound(image.rows * scale));
    const cv::Rect inner(tile.x + (tile.width - size.width) / 2,
                         tile.y + (tile.height - size.height) / 2, size.width, size.height);
    cv::resize(image, call(inner), size, 0.0, 0.0, cv::INTER_AREA);
}

struct TrackedCall {
    std::vector<std::vector<TrackedDetection>> frames;
};

TrackedCall trackCall(const std::vector<cv::Mat>& first, const std::vector<cv::Mat>& second,
                      bool with_appearance) {
    auto detector = createFaceDetector({});
    FaceTracker tracker;
    TrackedCall tracked;
    for (int index = 0; index < 2 * kFramesPerSide; ++index) {
        const bool swapped = index >= kFramesPerSide;
        cv::Mat call(kCall, CV_8UC3, cv::Scalar::all(30));
        const auto i = static_cast<std::size_t>(index);
        paintTile(call, first[i], swapped);
        paintTile(call, second[i], !swapped);
        auto detections = detector->detect(call);
        if (with_appearance) {
            for (auto& detection : detections)
                detection.appearance = faceAppearance(call, detection.box);
        }
        tracked.frames.push_back(tracker.assign(detections, index * 1000.0 / 30.0));
    }
    return tracked;
}

bool onTheRight(const TrackedDetection& face) {
    return face.detection.box.x + face.detection.box.width / 2.0f > kCall.width / 2.0f;
}

// The share of frames after the swap whose face on the right carries the first clip's track
// (the one found on the left in the first frame).
double shareFollowedAcrossTheSwap(const TrackedCall& call) {
    int first_person = -1;
    for (const auto& face : call.frames.front()) {
        if (!onTheRight(face))
            first_person = face.track_id;
    }
    int followed = 0;
    for (int index = kFramesPerSide; index < 2 * kFramesPerSide; ++index) {
        for (const auto& face : call.frames[static_cast<std::size_t>(index)]) {
            if (face.track_id == first_person && onTheRight(face))
                ++followed;
        }
    }
    return static_cast<double>(followed) / kFramesPerSide;
}

TEST(GallerySwap, TheChosenPersonStaysChosenWhenTheirTileMovesAcross) {
    const std::string man = "videos/liveportrait_d9.mp4";
    const std::string woman = "videos/liveportrait_d14.mp4";
    const auto first_clip = test::sharedData(man);
    const auto second_clip = test::sharedData(woman);
    if (!first_clip || !second_clip)
        EMOTRACE_SKIP_WITHOUT_DATA(man);
    const auto first = framesOf(*first_clip, 2 * kFramesPerSide);
    const auto second = framesOf(*second_clip, 2 * kFramesPerSide);
    ASSERT_EQ(first.size(), 2u * kFramesPerSide);
    ASSERT_EQ(second.size(), 2u * kFramesPerSide);

    const auto tracked = trackCall(first, second, true);
    ASSERT_EQ(tracked.frames.front().size(), 2u) << "both people found before the swap";
    EXPECT_GE(shareFollowedAcrossTheSwap(tracked), 0.95);
    std::set<int> ids;
    for (const auto& frame : tracked.frames) {
        for (const auto& face : frame)
            ids.insert(face.track_id);
    }
    EXPECT_EQ(ids.size(), 2u) << "two people, two tracks, none split by the swap";

    // By position alone the swap hands the track to the other person: what the test guards.
    EXPECT_LE(shareFollowedAcrossTheSwap(trackCall(first, second, false)), 0.05);
}

}  // namespace
