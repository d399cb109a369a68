#include "emotrace/neutral_baseline.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace emotrace {

namespace {

// Below this a probability counts as this: the model's softmax never gives an exact 0, and a
// log of 0 would let one reading decide the mean.
constexpr double kProbabilityFloor = 1e-6;

double safeLog(float probability) {
    return std::log(std::max(static_cast<double>(probability), kProbabilityFloor));
}

}  // namespace

std::optional<NeutralBaseline> fitNeutralBaseline(std::span<const std::vector<float>> readings,
                                                  const std::vector<std::string>& labels,
                                                  const BaselineOptions& options) {
    const auto neutral = std::find(labels.begin(), labels.end(), "neutral");
    if (neutral == labels.end())
        return std::nullopt;
    const auto neutral_index = static_cast<std::size_t>(neutral - labels.begin());
    std::vector<double> mean_logs(labels.size(), 0.0);
    std::size_t frames = 0;
    for (const auto& reading : readings) {
        if (reading.size() != labels.size())
            continue;
        for (std::size_t c = 0; c < labels.size(); ++c)
            mean_logs[c] += safeLog(reading[c]);
        ++frames;
    }
    if (frames < std::max<std::size_t>(options.minimum_frames, 1))
        return std::nullopt;
    NeutralBaseline baseline;
    baseline.frames = frames;
    baseline.log_offsets.assign(labels.size(), 0.0);
    for (std::size_t c = 0; c < labels.size(); ++c)
        mean_logs[c] /= static_cast<double>(frames);
    for (std::size_t c = 0; c < labels.size(); ++c) {
        if (c == neutral_index)
            continue;
        const double excess = mean_logs[c] - mean_logs[neutral_index] + options.margin;
        baseline.log_offsets[c] = -std::max(0.0, excess);
    }
    return baseline;
}

std::vector<float> applyNeutralBaseline(const NeutralBaseline& baseline,
                                        std::span<const float> probabilities) {
    if (probabilities.size() != baseline.log_offsets.size())
        return {probabilities.begin(), probabilities.end()};
    std::vector<double> logs(probabilities.size());
    for (std::size_t c = 0; c < probabilities.size(); ++c)
        logs[c] = safeLog(probabilities[c]) + baseline.log_offsets[c];
    const double top = *std::max_element(logs.begin(), logs.end());
    double sum = 0.0;
    for (auto& value : logs) {
        value = std::exp(value - top);
        sum += value;
    }
    std::vector<float> out(probabilities.size());
    for (std::size_t c = 0; c < probabilities.size(); ++c)
        out[c] = static_cast<float>(logs[c] / sum);
    return out;
}

namespace {

std::string percent(double share) {
    char text[16];
    std::snprintf(text, sizeof text, "%.0f %%", 100.0 * share);
    return text;
}

}  // namespace

BaselineAttempt takeNeutralBaseline(std::span<const FrameRecord> frames, int track_id,
                                    const std::vector<std::string>& labels,
                                    const BaselineOptions& options) {
    BaselineAttempt attempt;
    std::vector<std::vector<float>> readings;
    std::map<int, std::size_t> frames_of_track;
    std::size_t frames_with_face = 0;
    for (const auto& frame : frames) {
        if (track_id < 0 && frame.faces.size() > 1) {
            attempt.refusal = "two people are in view at " +
                              std::to_string(static_cast<long long>(frame.timestamp_ms / 1000.0)) +
                              " s: choose whose resting face this is";
            return attempt;
        }
        const auto face = std::find_if(frame.faces.begin(), frame.faces.end(), [&](const auto& f) {
            return track_id < 0 || f.track_id == track_id;
        });
        if (face == frame.faces.end())
            continue;
        ++frames_with_face;
        ++frames_of_track[face->track_id];
        if (face->probabilities.size() == labels.size())
            readings.push_back(face->probabilities);
    }
    if (frames_with_face == 0) {
        attempt.refusal = "no face of this person in the " + std::to_string(frames.size()) +
                          " frames of the baseline";
        return attempt;
    }
    if (readings.size() < std::max<std::size_t>(options.minimum_frames, 1)) {
        attempt.refusal = "only " + std::to_string(readings.size()) +
                          " readings of the face (at least " +
                          std::to_string(options.minimum_frames) + " needed): take it for longer";
        return attempt;
    }
    std::vector<double> mean(labels.size(), 0.0);
    for (const auto& reading : readings) {
        for (std::size_t c = 0; c < labels.size(); ++c)
            mean[c] += reading[c] / static_cast<double>(readings.size());
    }
    for (std::size_t c = 0; c < labels.size(); ++c) {
        if (labels[c] != "neutral" && mean[c] >= options.expression_refusal) {
            attempt.refusal = "the face shows " + labels[c] + " (" + percent(mean[c]) +
                              " on average), not a resting face: take the baseline when the "
                              "person is at rest";
            return attempt;
        }
    }
    attempt.baseline = fitNeutralBaseline(readings, labels, options);
    if (!attempt.baseline) {
        attempt.refusal = "the model has no neutral class: a baseline cannot be taken";
        return attempt;
    }
    attempt.track_id = track_id;
    if (track_id < 0) {
        attempt.track_id =
            std::max_element(frames_of_track.begin(), frames_of_track.end(), [](auto a, auto b) {
                return a.second < b.second;
            })->first;
    }
    const double share = static_cast<double>(frames_with_face) /
                         static_cast<double>(std::max<std::size_t>(frames.size(), 1));
    if (share < options.face_share_warning) {
        attempt.warning =
            "the face was in view in only " + percent(share) + " of the baseline's frames";
    }
    return attempt;
}

std::span<const FrameRecord> framesBetween(std::span<const FrameRecord> frames, double start_ms,
                                           double end_ms) {
    const auto before = [](const FrameRecord& frame, double ms) { return frame.timestamp_ms < ms; };
    const auto first = std::lower_bound(frames.begin(), frames.end(), start_ms, before);
    const auto last = std::lower_bound(first, frames.end(), end_ms, before);
    return {first, last};
}

std::vector<FrameRecord> relativeToRest(std::span<const FrameRecord> frames,
                                        const BaselinesByTrack& baselines) {
    std::vector<FrameRecord> relative(frames.begin(), frames.end());
    if (baselines.empty())
        return relative;
    for (auto& frame : relative) {
        for (auto& face : frame.faces) {
            const auto baseline = baselines.find(face.track_id);
            if (baseline != baselines.end() && !face.probabilities.empty())
                face.probabilities = applyNeutralBaseline(baseline->second, face.probabilities);
        }
    }
    return relative;
}

}  // namespace emotrace
