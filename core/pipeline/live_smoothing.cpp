#include "emotrace/live_smoothing.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace emotrace {

LiveEmotionSmoother::LiveEmotionSmoother(const LiveSmoothingOptions& options)
    : options_(options), tracker_(options.tracking) {
    if (!(options.seconds >= 0.0) || !std::isfinite(options.seconds)) {
        throw std::invalid_argument("live smoothing must be 0 or more seconds, got " +
                                    std::to_string(options.seconds));
    }
}

void LiveEmotionSmoother::reset() {
    tracker_ = FaceTracker(options_.tracking);
    tracks_.clear();
    last_timestamp_ms_.reset();
}

void LiveEmotionSmoother::smooth(FrameResult& result) {
    if (options_.seconds == 0.0)
        return;
    const double now_ms = result.timestamp_ms;
    if (last_timestamp_ms_ && now_ms < *last_timestamp_ms_)
        reset();
    last_timestamp_ms_ = now_ms;

    const auto tracks = trackIdsOf(tracker_, result);

    const double tau_ms = options_.seconds * 1000.0;
    for (std::size_t i = 0; i < result.faces.size(); ++i) {
        auto& probabilities = result.faces[i].probabilities;
        if (probabilities.empty())
            continue;
        auto [state, is_new] = tracks_.try_emplace(tracks[i]);
        auto& track = state->second;
        if (is_new || track.probabilities.size() != probabilities.size()) {
            track.probabilities = probabilities;
        } else {
            // The exact discretisation of a first-order low-pass filter for an uneven step:
            // the weights of frames 10 ms apart and of one frame 20 ms later agree.
            const double elapsed_ms = std::max(0.0, now_ms - track.timestamp_ms);
            const auto weight = static_cast<float>(1.0 - std::exp(-elapsed_ms / tau_ms));
            for (std::size_t c = 0; c < probabilities.size(); ++c)
                track.probabilities[c] += weight * (probabilities[c] - track.probabilities[c]);
            probabilities = track.probabilities;
        }
        track.timestamp_ms = now_ms;
    }

    // A track unseen for longer than the tracker's gap has ended, and its id is never given out
    // again, so its state can go (judged here, since the ids may come linked from upstream).
    std::erase_if(tracks_, [&](const auto& entry) {
        return now_ms - entry.second.timestamp_ms > options_.tracking.max_track_gap_ms;
    });
}

}  // namespace emotrace
