#include "emotrace/moments.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "emotrace/label_map.h"

namespace emotrace {

namespace {

void require(bool condition, const std::string& message) {
    if (!condition)
        throw std::invalid_argument("moment options: " + message);
}

// The weight an exponential average gives a new value after `step_ms`, for time constant tau:
// independent of the frame rate, so a variable-rate camera keeps the stated time constant.
double weightOfNew(double step_ms, double tau_seconds) {
    return 1.0 - std::exp(-std::max(step_ms, 0.0) / (1000.0 * tau_seconds));
}

}  // namespace

MomentOptions MomentOptions::forSensitivity(MomentSensitivity sensitivity) {
    MomentOptions o;
    switch (sensitivity) {
        case MomentSensitivity::Low:
            o.rise = 0.45;
            o.min_probability = 0.6;
            o.min_duration_seconds = 0.8;
            break;
        case MomentSensitivity::Default:
            break;
        case MomentSensitivity::High:
            o.rise = 0.25;
            o.min_probability = 0.4;
            o.min_duration_seconds = 0.4;
            break;
    }
    return o;
}

MomentSensitivity momentSensitivityFromName(const std::string& name) {
    if (name == "low")
        return MomentSensitivity::Low;
    if (name == "default")
        return MomentSensitivity::Default;
    if (name == "high")
        return MomentSensitivity::High;
    throw std::invalid_argument("moment sensitivity: expected low, default or high, found '" +
                                name + "'");
}

std::string momentSensitivityName(MomentSensitivity sensitivity) {
    switch (sensitivity) {
        case MomentSensitivity::Low:
            return "low";
        case MomentSensitivity::High:
            return "high";
        case MomentSensitivity::Default:
            break;
    }
    return "default";
}

MomentDetector::MomentDetector(std::vector<std::string> labels, MomentOptions options)
    : labels_(std::move(labels)), options_(options) {
    const auto& o = options_;
    require(o.rise > 0.0 && o.rise <= 1.0,
            "rise must be in (0, 1], found " + std::to_string(o.rise));
    require(o.min_probability >= 0.0 && o.min_probability <= 1.0,
            "min_probability must be in [0, 1], found " + std::to_string(o.min_probability));
    require(o.min_duration_seconds >= 0.0, "min_duration_seconds must not be negative");
    require(o.end_fraction > 0.0 && o.end_fraction <= 1.0, "end_fraction must be in (0, 1]");
    require(o.spread_factor >= 0.0 && o.spread_floor >= 0.0 && o.spread_floor <= 1.0,
            "spread_factor must not be negative and spread_floor must be in [0, 1]");
    require(o.smoothing_seconds > 0.0 && o.baseline_seconds > 0.0 && o.max_gap_seconds > 0.0,
            "time constants and the gap must be positive");
    for (std::size_t i = 0; i < labels_.size(); ++i) {
        const bool neutral = isKnownLabel(labels_[i]) && canonicalLabel(labels_[i]) == "neutral";
        if (!neutral)
            emotions_.push_back(static_cast<int>(i));
    }
}

void MomentDetector::closeAbsent(Track& track, double timestamp_ms, Update& update) {
    if (timestamp_ms - track.last_ms <= 1000.0 * options_.max_gap_seconds)
        return;
    if (track.open)
        update.closed.push_back(*track.open);
    track.open.reset();
    track.candidate = -1;
    foldHeldFrames(track);   // a departure cut short by the gap was not a moment
    track.smoothed.clear();  // the smoothing restarts; the person's baseline stays
}

void MomentDetector::updateBaseline(Track& track, const std::vector<double>& smoothed,
                                    double step_ms) const {
    if (track.baseline.empty()) {
        track.baseline = smoothed;
        track.variance.assign(smoothed.size(), 0.0);
        track.baseline_frames = 1;
        return;
    }
    // A running mean while the baseline is young, then an exponential average; the variance
    // is the exponentially weighted one with the same weight (West's incremental form).
    ++track.baseline_frames;
    const double a = std::max(weightOfNew(step_ms, options_.baseline_seconds),
                              1.0 / static_cast<double>(track.baseline_frames));
    for (std::size_t c = 0; c < smoothed.size(); ++c) {
        const double d = smoothed[c] - track.baseline[c];
        track.baseline[c] += a * d;
        track.variance[c] = (1.0 - a) * (track.variance[c] + a * d * d);
    }
}

void MomentDetector::foldHeldFrames(Track& track) const {
    for (const auto& held : track.held_frames)
        updateBaseline(track, held.smoothed, held.step_ms);
    track.held_frames.clear();
    track.held_ms = 0.0;
}

double MomentDetector::threshold(const Track& track, int emotion) const {
    const double spread = std::max(std::sqrt(track.variance[static_cast<std::size_t>(emotion)]),
                                   options_.spread_floor);
    return std::max(options_.rise, options_.spread_factor * spread);
}

void MomentDetector::step(int track_id, Track& track, std::int64_t frame_index, double timestamp_ms,
                          const std::vector<float>& probabilities, Update& update) {
    const std::size_t count = labels_.size();
    if (track.smoothed.empty()) {
        track.smoothed.assign(probabilities.begin(), probabilities.end());
    } else {
        const double a = weightOfNew(timestamp_ms - track.last_ms, options_.smoothing_seconds);
        for (std::size_t c = 0; c < count; ++c)
            track.smoothed[c] += a * (probabilities[c] - track.smoothed[c]);
    }
    const double step_ms = timestamp_ms - track.last_ms;
    track.last_ms = timestamp_ms;
    if (track.baseline.empty()) {
        updateBaseline(track, track.smoothed, step_ms);
        return;
    }
    const auto rise = [&](int c) {
        const auto i = static_cast<std::size_t>(c);
        return track.smoothed[i] - track.baseline[i];
    };
    const auto probability = [&](int c) { return track.smoothed[static_cast<std::size_t>(c)]; };
    const auto notePeak = [&](Moment& m) {
        if (probability(m.label) > m.peak_probability) {
            m.peak_probability = probability(m.label);
            m.peak_ms = timestamp_ms;
            m.peak_frame = frame_index;
            update.peaked.push_back(track_id);
        }
    };

    if (track.open) {
        Moment& m = *track.open;
        if (rise(m.label) >= threshold(track, m.label) * options_.end_fraction) {
            m.end_ms = timestamp_ms;
            notePeak(m);
            return;
        }
        update.closed.push_back(m);
        track.open.reset();
        track.candidate = -1;
    }

    // While any emotion is above half its threshold (the end of a moment's hysteresis) the
    // person is departing: those frames are held aside, so an expression's onset never raises
    // the baseline or the spread it is measured against. They join the baseline once the
    // departure is over without having become a moment: the person's own slight expressions.
    bool departing = false;
    int best = -1;
    double best_margin = 0.0;
    for (int c : emotions_) {
        const double t = threshold(track, c);
        departing = departing || rise(c) >= t * options_.end_fraction;
        const double margin = rise(c) - t;
        if (margin >= 0.0 && probability(c) >= options_.min_probability &&
            (best < 0 || margin > best_margin)) {
            best = c;
            best_margin = margin;
        }
    }
    if (!departing) {
        track.candidate = -1;
        foldHeldFrames(track);
        updateBaseline(track, track.smoothed, step_ms);
        return;
    }
    track.held_frames.push_back({track.smoothed, step_ms});
    track.held_ms += step_ms;
    if (track.held_ms > 1000.0 * options_.baseline_seconds / 3.0 && !track.open) {
        // A departure this long that never became a moment is the person's new resting level.
        foldHeldFrames(track);
    }
    if (best < 0) {
        track.candidate = -1;
        return;
    }
    if (best != track.candidate) {
        track.candidate = best;
        track.candidate_start_ms = timestamp_ms;
        track.peak_of_candidate = Moment{.track_id = track_id,
                                         .label = best,
                                         .start_ms = timestamp_ms,
                                         .end_ms = timestamp_ms,
                                         .peak_ms = timestamp_ms,
                                         .peak_frame = frame_index,
                                         .peak_probability = probability(best)};
        update.peaked.push_back(track_id);
    }
    Moment& held = track.peak_of_candidate;
    held.end_ms = timestamp_ms;
    notePeak(held);
    if (timestamp_ms - track.candidate_start_ms >= 1000.0 * options_.min_duration_seconds) {
        held.reported_ms = timestamp_ms;
        track.open = held;
        track.held_frames.clear();  // a moment's frames never join the baseline
        track.held_ms = 0.0;
        update.opened.push_back(held);
    }
}

MomentDetector::Update MomentDetector::add(std::int64_t frame_index, double timestamp_ms,
                                           std::span<const TrackedFace> faces) {
    Update update;
    for (auto& [id, track] : tracks_)
        closeAbsent(track, timestamp_ms, update);
    for (const auto& face : faces) {
        if (face.probabilities.empty())
            continue;
        if (face.probabilities.size() != labels_.size()) {
            throw std::invalid_argument("moments: frame " + std::to_string(frame_index) +
                                        " track " + std::to_string(face.track_id) + " has " +
                                        std::to_string(face.probabilities.size()) +
                                        " probabilities, expected " +
                                        std::to_string(labels_.size()) + " (one per label)");
        }
        step(face.track_id, tracks_[face.track_id], frame_index, timestamp_ms, face.probabilities,
             update);
    }
    return update;
}

std::vector<Moment> MomentDetector::finish() {
    std::vector<Moment> closed;
    for (auto& [id, track] : tracks_) {
        if (track.open)
            closed.push_back(*track.open);
        track.open.reset();
        track.candidate = -1;
        foldHeldFrames(track);
    }
    return closed;
}

std::vector<Moment> findMoments(std::span<const FrameRecord> frames,
                                const std::vector<std::string>& labels,
                                const MomentOptions& options) {
    MomentDetector detector(labels, options);
    std::vector<Moment> moments;
    for (const auto& frame : frames) {
        auto update = detector.add(frame.frame_index, frame.timestamp_ms, frame.faces);
        moments.insert(moments.end(), update.closed.begin(), update.closed.end());
    }
    const auto rest = detector.finish();
    moments.insert(moments.end(), rest.begin(), rest.end());
    std::stable_sort(moments.begin(), moments.end(),
                     [](const Moment& a, const Moment& b) { return a.start_ms < b.start_ms; });
    return moments;
}

}  // namespace emotrace
