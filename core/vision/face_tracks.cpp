#include "emotrace/face_tracks.h"

#include <algorithm>
#include <cmath>

#include "emotrace/face_appearance.h"

namespace emotrace {

namespace {

// Velocity is extrapolated at most this far: through a long occlusion a face stops where it
// was last seen rather than drifting off along its last motion.
constexpr double kMaxExtrapolationMs = 500.0;

cv::Point2f centreOf(const cv::Rect2f& box) {
    return {box.x + box.width / 2.0f, box.y + box.height / 2.0f};
}

float normalisedDistance(const cv::Rect2f& expected, const cv::Rect2f& box) {
    const cv::Point2f shift = centreOf(box) - centreOf(expected);
    const float scale = std::max({expected.width, expected.height, 1.0f});
    return std::hypot(shift.x, shift.y) / scale;
}

struct Candidate {
    std::size_t track = 0;
    std::size_t detection = 0;
    float distance = 0.0f;
};

}  // namespace

float intersectionOverUnion(const cv::Rect2f& a, const cv::Rect2f& b) {
    if (a.width <= 0.0f || a.height <= 0.0f || b.width <= 0.0f || b.height <= 0.0f)
        return 0.0f;
    const float overlap = (a & b).area();
    return overlap / (a.area() + b.area() - overlap);
}

cv::Rect2f interpolateBox(const cv::Rect2f& from, const cv::Rect2f& to, double t) {
    const auto mix = [t](float a, float b) {
        return static_cast<float>(static_cast<double>(a) + (static_cast<double>(b) - a) * t);
    };
    const float left = mix(from.x, to.x);
    const float top = mix(from.y, to.y);
    const float right = mix(from.x + from.width, to.x + to.width);
    const float bottom = mix(from.y + from.height, to.y + to.height);
    return {left, top, right - left, bottom - top};
}

std::vector<TrackedFace> interpolateFaces(std::span<const TrackedDetection> from,
                                          std::int64_t from_index,
                                          std::span<const TrackedDetection> to,
                                          std::int64_t to_index, std::int64_t index) {
    std::vector<TrackedFace> faces;
    if (to_index <= from_index)
        return faces;
    const double t =
        static_cast<double>(index - from_index) / static_cast<double>(to_index - from_index);
    for (const auto& start : from) {
        const auto end = std::find_if(to.begin(), to.end(), [&](const TrackedDetection& other) {
            return other.track_id == start.track_id;
        });
        if (end == to.end())
            continue;
        TrackedFace face;
        face.track_id = start.track_id;
        face.box = interpolateBox(start.detection.box, end->detection.box, t);
        face.detection_confidence = static_cast<float>(
            start.detection.score + (end->detection.score - start.detection.score) * t);
        face.detected = false;
        const auto& first = start.detection.landmarks;
        const auto& last = end->detection.landmarks;
        if (first.size() == last.size()) {
            for (std::size_t i = 0; i < first.size(); ++i)
                face.landmarks.push_back(first[i] + (last[i] - first[i]) * static_cast<float>(t));
        }
        faces.push_back(std::move(face));
    }
    return faces;
}

FaceTracker::FaceTracker(const FaceTrackerOptions& options) : options_(options) {}

void FaceTracker::seed(std::span<const TrackedFace> faces, double timestamp_ms, int next_id) {
    tracks_.clear();
    next_id_ = next_id;
    for (const auto& face : faces) {
        tracks_.push_back({face.track_id, face.box, timestamp_ms, {}, {}});
        next_id_ = std::max(next_id_, face.track_id + 1);
    }
}

cv::Rect2f FaceTracker::predictedBox(const Track& track, double timestamp_ms) const {
    const double elapsed = std::min(timestamp_ms - track.last_seen_ms, kMaxExtrapolationMs);
    cv::Rect2f box = track.box;
    box.x += static_cast<float>(track.velocity.x * elapsed);
    box.y += static_cast<float>(track.velocity.y * elapsed);
    return box;
}

bool FaceTracker::canContinue(const cv::Rect2f& predicted, const cv::Rect2f& box) const {
    return intersectionOverUnion(predicted, box) >= options_.min_iou ||
           normalisedDistance(predicted, box) <= options_.max_centre_shift;
}

bool FaceTracker::looksLikeAnotherTrack(std::size_t track, const Detection& detection) const {
    if (tracks_[track].appearance.empty() || detection.appearance.empty())
        return false;
    const float own = appearanceDistance(tracks_[track].appearance, detection.appearance);
    for (std::size_t other = 0; other < tracks_.size(); ++other) {
        if (other == track || tracks_[other].appearance.empty())
            continue;
        const float distance = appearanceDistance(tracks_[other].appearance, detection.appearance);
        if (distance <= options_.reidentify_distance && distance + options_.appearance_margin < own)
            return true;
    }
    return false;
}

void FaceTracker::continueTrack(Track& track, const Detection& detection, double timestamp_ms,
                                bool moved_by_position) {
    const double elapsed = timestamp_ms - track.last_seen_ms;
    // A face found again by its look jumped: that jump is no motion to extrapolate.
    track.velocity = {};
    if (moved_by_position && elapsed > 0.0) {
        const cv::Point2f shift = centreOf(detection.box) - centreOf(track.box);
        track.velocity = shift * static_cast<float>(1.0 / elapsed);
    }
    track.box = detection.box;
    track.last_seen_ms = timestamp_ms;
    blendAppearance(track.appearance, detection.appearance, options_.appearance_update);
}

std::vector<TrackedDetection> FaceTracker::assign(std::span<const Detection> detections,
                                                  double timestamp_ms) {
    std::erase_if(tracks_, [&](const Track& track) {
        return timestamp_ms - track.last_seen_ms > options_.max_track_gap_ms;
    });

    // Greedy matching, closest pair first: faces in a session are few and rarely overlap, so
    // this gives the same result as an optimal assignment at a fraction of the code.
    std::vector<Candidate> candidates;
    for (std::size_t t = 0; t < tracks_.size(); ++t) {
        const cv::Rect2f predicted = predictedBox(tracks_[t], timestamp_ms);
        for (std::size_t d = 0; d < detections.size(); ++d) {
            if (canContinue(predicted, detections[d].box) &&
                !looksLikeAnotherTrack(t, detections[d]))
                candidates.push_back({t, d, normalisedDistance(predicted, detections[d].box)});
        }
    }
    const auto closest_first = [](const Candidate& a, const Candidate& b) {
        return a.distance < b.distance;
    };
    std::stable_sort(candidates.begin(), candidates.end(), closest_first);

    std::vector<TrackedDetection> assigned(detections.size());
    std::vector<bool> detection_taken(detections.size(), false);
    std::vector<bool> track_taken(tracks_.size(), false);
    const auto take = [&](const Candidate& candidate, bool by_position) {
        detection_taken[candidate.detection] = true;
        track_taken[candidate.track] = true;
        Track& track = tracks_[candidate.track];
        continueTrack(track, detections[candidate.detection], timestamp_ms, by_position);
        assigned[candidate.detection] = {track.id, detections[candidate.detection]};
    };
    for (const auto& candidate : candidates) {
        if (!detection_taken[candidate.detection] && !track_taken[candidate.track])
            take(candidate, true);
    }

    // Faces left over are looked for among the tracks left over by their look alone.
    std::vector<Candidate> lookalikes;
    for (std::size_t t = 0; t < tracks_.size(); ++t) {
        if (track_taken[t] || tracks_[t].appearance.empty())
            continue;
        for (std::size_t d = 0; d < detections.size(); ++d) {
            if (detection_taken[d] || detections[d].appearance.empty())
                continue;
            const float distance =
                appearanceDistance(tracks_[t].appearance, detections[d].appearance);
            if (distance <= options_.reidentify_distance)
                lookalikes.push_back({t, d, distance});
        }
    }
    std::stable_sort(lookalikes.begin(), lookalikes.end(), closest_first);
    for (const auto& candidate : lookalikes) {
        if (!detection_taken[candidate.detection] && !track_taken[candidate.track])
            take(candidate, false);
    }

    for (std::size_t d = 0; d < detections.size(); ++d) {
        if (detection_taken[d])
            continue;
        const int id = next_id_++;
        tracks_.push_back({id, detections[d].box, timestamp_ms, {}, detections[d].appearance});
        assigned[d] = {id, detections[d]};
    }
    return assigned;
}

namespace {

std::vector<int> assignedIds(FaceTracker& tracker, const FrameResult& result) {
    std::vector<Detection> detections;
    detections.reserve(result.faces.size());
    for (const auto& face : result.faces)
        detections.push_back({face.box, face.detection_confidence, face.appearance});
    std::vector<int> ids;
    ids.reserve(detections.size());
    for (const auto& assigned : tracker.assign(detections, result.timestamp_ms))
        ids.push_back(assigned.track_id);
    return ids;
}

}  // namespace

std::vector<int> trackIdsOf(FaceTracker& tracker, const FrameResult& result) {
    const bool linked =
        !result.faces.empty() && std::all_of(result.faces.begin(), result.faces.end(),
                                             [](const FaceResult& f) { return f.track_id >= 0; });
    if (!linked)
        return assignedIds(tracker, result);
    std::vector<int> ids;
    ids.reserve(result.faces.size());
    for (const auto& face : result.faces)
        ids.push_back(face.track_id);
    return ids;
}

void linkFaces(FaceTracker& tracker, FrameResult& result) {
    const auto ids = assignedIds(tracker, result);
    for (std::size_t i = 0; i < ids.size(); ++i)
        result.faces[i].track_id = ids[i];
}

std::vector<int> FaceTracker::liveTrackIds() const {
    std::vector<int> ids;
    for (const auto& track : tracks_)
        ids.push_back(track.id);
    std::sort(ids.begin(), ids.end());
    return ids;
}

}  // namespace emotrace
