// Steadying the live overlay: each frame's probabilities of a face averaged with those of the
// same face in the frames before it, so the label a therapist glances at does not jump between
// classes several times a second (the raw top class of the shipped model changes 0.8-4.5 times a
// second on the shared clips). Causal, unlike the review timeline's centred smoothing: live,
// only the past is known. Faces are followed with FaceTracker, so two people in a call are
// averaged apart.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "emotrace/face_tracks.h"
#include "emotrace/types.h"

namespace emotrace {

struct LiveSmoothingOptions {
    // Time constant of the exponential average, in seconds: after a sudden, lasting change the
    // shown probabilities have moved 63 % of the way after this long. 0 shows each frame's own
    // result.
    double seconds = 0.5;
    FaceTrackerOptions tracking;
};

class LiveEmotionSmoother {
  public:
    // Throws std::invalid_argument when seconds is negative or not a number.
    explicit LiveEmotionSmoother(const LiveSmoothingOptions& options = {});

    // Replaces the probabilities of each face in `result` by their exponential average over the
    // face's track, weighting each frame by the time since the one before, so a slow source and
    // dropped frames are averaged over the same span of time. A face that starts a track shows
    // its own probabilities; faces without probabilities are left as they are. A timestamp
    // earlier than the last one (a new source) starts afresh.
    void smooth(FrameResult& result);
    // Forgets every face, as at a new session.
    void reset();

    double seconds() const { return options_.seconds; }

  private:
    struct TrackState {
        std::vector<float> probabilities;
        double timestamp_ms = 0.0;
    };

    LiveSmoothingOptions options_;
    FaceTracker tracker_;
    std::map<int, TrackState> tracks_;
    std::optional<double> last_timestamp_ms_;
};

}  // namespace emotrace
