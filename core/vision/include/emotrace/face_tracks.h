// Linking face detections over time into tracks with stable ids, for offline analysis of a
// recording and the live view: the therapist and the client each keep one id for the whole
// session. A track survives a short gap without a detection (a hand over the face, a turn of the
// head); ids of ended tracks are never given out again, also across a resumed analysis. Faces
// are matched by position first; where detections carry an appearance, a face that looks like
// another known person is not matched by position alone, and a face that jumped (gallery tiles
// changing places) is found again by its look. Between two detections a track's box is interpolated
// linearly, since the whole recording is available.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <opencv2/core.hpp>

#include "emotrace/types.h"

namespace emotrace {

struct FaceTrackerOptions {
    double max_track_gap_ms = 1500.0;
    // A detection continues a track when their boxes overlap at least this much (IoU) ...
    float min_iou = 0.2f;
    // ... or when its centre lies within this fraction of the track's box size from where the
    // track is expected, which covers fast movement between keyframes.
    float max_centre_shift = 0.5f;
    // Where tracks and detections carry an appearance (faceAppearance): a detection found
    // where a track's face was is still not that track's when it looks like another live track
    // (appearanceDistance at most reidentify_distance) and clearly more so (by at least
    // appearance_margin) than like the track: in a gallery whose tiles changed places, the other
    // person now sits there. Looks alone never split a track (light changes, a turned head):
    // only a better-matching known person takes a face from it.
    float appearance_margin = 0.15f;
    // A detection that continues no track by position is taken as a live track's face, wherever
    // it is, when it looks at least this much alike (the tile that moved across the gallery),
    // and no other unmatched track looks more alike.
    float reidentify_distance = 0.3f;
    // How fast a track's appearance follows its face: the weight of each new detection.
    float appearance_update = 0.1f;
};

struct TrackedDetection {
    int track_id = 0;
    Detection detection;
};

class FaceTracker {
  public:
    explicit FaceTracker(const FaceTrackerOptions& options = {});

    // Continues the tracks of a stored analysis: `faces` are those of the last stored frame (at
    // `timestamp_ms`), and new ids start at `next_id` (one more than any id stored so far).
    void seed(std::span<const TrackedFace> faces, double timestamp_ms, int next_id);

    // Assigns every detection of the frame at `timestamp_ms` a track id, in the order given.
    // Timestamps must not decrease. Tracks unmatched for longer than max_track_gap_ms end.
    std::vector<TrackedDetection> assign(std::span<const Detection> detections,
                                         double timestamp_ms);

    // The ids of tracks still alive (matched within the gap), ascending.
    std::vector<int> liveTrackIds() const;
    int nextId() const { return next_id_; }

  private:
    struct Track {
        int id = 0;
        cv::Rect2f box;  // at last_seen_ms
        double last_seen_ms = 0.0;
        cv::Point2f velocity;  // pixels per ms of the box centre, from the last two matches
        std::vector<float> appearance;  // exponential average of its faces' signatures
    };
    void continueTrack(Track& track, const Detection& detection, double timestamp_ms,
                       bool moved_by_position);
    bool looksLikeAnotherTrack(std::size_t track, const Detection& detection) const;
    cv::Rect2f predictedBox(const Track& track, double timestamp_ms) const;
    bool canContinue(const cv::Rect2f& predicted, const cv::Rect2f& box) const;

    FaceTrackerOptions options_;
    std::vector<Track> tracks_;
    int next_id_ = 0;
};

// The track of each face of `result`, in order. A frame whose faces all carry a track id was
// linked upstream (the live pipeline links each frame once, so that the overlay, the moments,
// the resting face and the store name each person alike): its ids are returned as they are and
// `tracker` is not used. Otherwise `tracker` assigns them.
std::vector<int> trackIdsOf(FaceTracker& tracker, const FrameResult& result);

// Sets the track id of every face of `result` with `tracker`, whatever it carried.
void linkFaces(FaceTracker& tracker, FrameResult& result);

// Intersection over union of two boxes; 0 when either is empty.
float intersectionOverUnion(const cv::Rect2f& a, const cv::Rect2f& b);

// The box a fraction `t` of the way from `from` (t = 0) to `to` (t = 1), every edge linearly.
cv::Rect2f interpolateBox(const cv::Rect2f& from, const cv::Rect2f& to, double t);

// The faces of frame `index` strictly between two keyframes at `from_index` and `to_index`,
// for the tracks present in both (ids equal); the box, confidence and landmarks (where both
// have them) interpolated linearly, detected = false, no probabilities. In the order of `from`.
std::vector<TrackedFace> interpolateFaces(std::span<const TrackedDetection> from,
                                          std::int64_t from_index,
                                          std::span<const TrackedDetection> to,
                                          std::int64_t to_index, std::int64_t index);

}  // namespace emotrace
