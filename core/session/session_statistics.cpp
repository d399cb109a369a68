#include "emotrace/session_statistics.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>

#include "emotrace/label_map.h"

namespace emotrace {
namespace {

const TrackedFace* faceOfTrack(const FrameRecord& frame, int track_id) {
    for (const auto& face : frame.faces) {
        if (face.track_id == track_id)
            return &face;
    }
    return nullptr;
}

int topLabel(std::span<const double> values) {
    if (values.empty())
        return -1;
    // max_element keeps the first of equal values: ties go to the earlier label, as in the CSV.
    return static_cast<int>(std::max_element(values.begin(), values.end()) - values.begin());
}

class ExclusionRanges {
  public:
    explicit ExclusionRanges(std::span<const Marker> markers) {
        for (const auto& marker : markers) {
            if (marker.exclude)
                ranges_.emplace_back(marker.start_ms, marker.end_ms);
        }
    }
    // Both ends count as inside: a range drawn from one frame to another leaves both out.
    bool contains(double time_ms) const {
        return std::any_of(ranges_.begin(), ranges_.end(), [time_ms](const auto& range) {
            return time_ms >= range.first && time_ms <= range.second;
        });
    }

  private:
    std::vector<std::pair<double, double>> ranges_;
};

// Running sums of one group of frames (the whole session, or one window).
struct Tally {
    explicit Tally(std::size_t label_count)
        : probability_sums(label_count, 0.0), top_counts(label_count, 0) {}

    void add(const TrackedFace* face, std::span<const double> weights,
             LowQualityReadings low_quality) {
        ++counted;
        if (face == nullptr)
            return;
        ++present;
        const bool low = isLowQuality(*face);
        if (low)
            ++low_quality_count;
        if (face->probabilities.empty() || (low && low_quality == LowQualityReadings::LeftOut))
            return;
        ++classified;
        std::vector<double> probabilities(face->probabilities.begin(), face->probabilities.end());
        double valence = 0.0;
        for (std::size_t i = 0; i < probabilities.size(); ++i) {
            probability_sums[i] += probabilities[i];
            valence += weights[i] * probabilities[i];
        }
        valence_sum += valence;
        ++top_counts[static_cast<std::size_t>(topLabel(probabilities))];
    }

    double faceShare() const {
        return counted == 0 ? 0.0 : static_cast<double>(present) / static_cast<double>(counted);
    }
    std::vector<double> meanProbabilities() const {
        if (classified == 0)
            return {};
        std::vector<double> means;
        for (double sum : probability_sums)
            means.push_back(sum / static_cast<double>(classified));
        return means;
    }
    std::vector<double> dominantShare() const {
        if (classified == 0)
            return {};
        std::vector<double> shares;
        for (auto count : top_counts)
            shares.push_back(static_cast<double>(count) / static_cast<double>(classified));
        return shares;
    }
    double meanValence() const {
        return classified == 0 ? 0.0 : valence_sum / static_cast<double>(classified);
    }

    std::int64_t counted = 0;
    std::int64_t present = 0;
    std::int64_t classified = 0;
    std::int64_t low_quality_count = 0;
    std::vector<double> probability_sums;
    std::vector<std::int64_t> top_counts;
    double valence_sum = 0.0;
};

void requireLabelCount(const FrameRecord& frame, const TrackedFace* face, std::size_t count) {
    if (face == nullptr || face->probabilities.empty() || face->probabilities.size() == count)
        return;
    throw std::invalid_argument(
        "frame " + std::to_string(frame.frame_index) + ": track " + std::to_string(face->track_id) +
        " has " + std::to_string(face->probabilities.size()) + " probabilities, the session has " +
        std::to_string(count) + " labels");
}

Window closeWindow(double start_ms, double length_ms, const Tally& tally) {
    const auto means = tally.meanProbabilities();
    return {start_ms, start_ms + length_ms, topLabel(means), tally.meanValence(),
            tally.faceShare()};
}

// Each run of frames with probabilities is filtered on its own: a gap restarts the filter.
template <typename FilterRun>
TrackSeries smoothRuns(const TrackSeries& series, FilterRun filter_run) {
    TrackSeries smoothed = series;
    const std::size_t size = series.probabilities.size();
    std::size_t begin = 0;
    while (begin < size) {
        if (series.probabilities[begin].empty()) {
            ++begin;
            continue;
        }
        std::size_t end = begin;
        while (end < size && !series.probabilities[end].empty())
            ++end;
        filter_run(begin, end, smoothed);
        begin = end;
    }
    return smoothed;
}

// Centred, so the smoothed curve does not lag behind the video it is reviewed against.
void movingAverage(const TrackSeries& series, double window_ms, std::size_t begin, std::size_t end,
                   TrackSeries& out) {
    const std::size_t labels = series.probabilities[begin].size();
    std::vector<double> sums(labels, 0.0);
    std::size_t low = begin;
    std::size_t high = begin;  // the window is [low, high)
    for (std::size_t i = begin; i < end; ++i) {
        const double t = series.time_ms[i];
        while (high < end && series.time_ms[high] <= t + window_ms / 2) {
            for (std::size_t l = 0; l < labels; ++l)
                sums[l] += series.probabilities[high][l];
            ++high;
        }
        while (series.time_ms[low] < t - window_ms / 2) {
            for (std::size_t l = 0; l < labels; ++l)
                sums[l] -= series.probabilities[low][l];
            ++low;
        }
        const double count = static_cast<double>(high - low);
        for (std::size_t l = 0; l < labels; ++l)
            out.probabilities[i][l] = static_cast<float>(sums[l] / count);
    }
}

// The weight follows the real time step, so a variable frame rate keeps the stated tau.
void exponential(const TrackSeries& series, double tau_ms, std::size_t begin, std::size_t end,
                 TrackSeries& out) {
    for (std::size_t i = begin + 1; i < end; ++i) {
        const double step_ms = series.time_ms[i] - series.time_ms[i - 1];
        const double alpha = 1.0 - std::exp(-step_ms / tau_ms);
        for (std::size_t l = 0; l < out.probabilities[i].size(); ++l) {
            const double previous = out.probabilities[i - 1][l];
            out.probabilities[i][l] =
                static_cast<float>(previous + alpha * (series.probabilities[i][l] - previous));
        }
    }
}

}  // namespace

TrackSeries trackSeries(std::span<const FrameRecord> frames, int track_id) {
    TrackSeries series;
    series.time_ms.reserve(frames.size());
    series.probabilities.reserve(frames.size());
    for (const auto& frame : frames) {
        const auto* face = faceOfTrack(frame, track_id);
        series.time_ms.push_back(frame.timestamp_ms);
        series.probabilities.push_back(face ? face->probabilities : std::vector<float>{});
    }
    return series;
}

std::vector<int> tracksByPresence(std::span<const FrameRecord> frames) {
    std::map<int, std::int64_t> frames_per_track;
    for (const auto& frame : frames) {
        for (const auto& face : frame.faces)
            ++frames_per_track[face.track_id];
    }
    std::vector<std::pair<int, std::int64_t>> counts(frames_per_track.begin(),
                                                     frames_per_track.end());
    // stable_sort keeps equal counts in id order.
    std::stable_sort(counts.begin(), counts.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    std::vector<int> tracks;
    for (const auto& [track, count] : counts)
        tracks.push_back(track);
    return tracks;
}

TrackSeries smooth(const TrackSeries& series, const Smoothing& smoothing) {
    if (!(smoothing.seconds >= 0.0)) {
        throw std::invalid_argument("smoothing strength must be 0 or more seconds, got " +
                                    std::to_string(smoothing.seconds));
    }
    if (smoothing.kind == SmoothingKind::None || smoothing.seconds == 0.0)
        return series;
    const double length_ms = smoothing.seconds * 1000.0;
    if (smoothing.kind == SmoothingKind::MovingAverage) {
        return smoothRuns(series, [&](std::size_t begin, std::size_t end, TrackSeries& out) {
            movingAverage(series, length_ms, begin, end, out);
        });
    }
    return smoothRuns(series, [&](std::size_t begin, std::size_t end, TrackSeries& out) {
        exponential(series, length_ms, begin, end, out);
    });
}

double valenceWeight(const std::string& label) {
    if (!isKnownLabel(label))
        return 0.0;
    const std::string canonical = canonicalLabel(label);
    if (canonical == "happy")
        return 1.0;
    if (canonical == "angry" || canonical == "contempt" || canonical == "disgust" ||
        canonical == "fear" || canonical == "sad")
        return -1.0;
    return 0.0;  // neutral; surprise, which is positive or negative by context
}

bool isLowQuality(const TrackedFace& face) {
    return face.quality && face.quality->quality < kLowQuality;
}

std::vector<std::pair<double, double>> lowQualityStretches(std::span<const FrameRecord> frames,
                                                           int track_id) {
    std::vector<std::pair<double, double>> stretches;
    bool in_run = false;
    double start_ms = 0.0;
    double last_low_ms = 0.0;
    for (const auto& frame : frames) {
        const auto* face = faceOfTrack(frame, track_id);
        const bool low = face != nullptr && isLowQuality(*face);
        if (low) {
            if (!in_run)
                start_ms = frame.timestamp_ms;
            in_run = true;
            last_low_ms = frame.timestamp_ms;
        } else if (in_run) {
            stretches.emplace_back(start_ms, frame.timestamp_ms);
            in_run = false;
        }
    }
    if (in_run)
        stretches.emplace_back(start_ms, last_low_ms);
    return stretches;
}

SessionStatistics sessionStatistics(std::span<const FrameRecord> frames,
                                    const std::vector<std::string>& labels, int track_id,
                                    std::span<const Marker> markers, double window_seconds,
                                    const MomentOptions& moment_options,
                                    LowQualityReadings low_quality) {
    if (!(window_seconds > 0.0)) {
        throw std::invalid_argument("the statistics window must be longer than 0 s, got " +
                                    std::to_string(window_seconds));
    }
    std::vector<double> weights;
    for (const auto& label : labels)
        weights.push_back(valenceWeight(label));
    const ExclusionRanges excluded(markers);
    const double window_ms = window_seconds * 1000.0;

    SessionStatistics statistics;
    statistics.labels = labels;
    Tally session(labels.size());
    Tally window(labels.size());
    std::optional<std::int64_t> window_index;
    for (const auto& frame : frames) {
        const auto* face = faceOfTrack(frame, track_id);
        requireLabelCount(frame, face, labels.size());
        // Windows sit on the recording's clock (minute 0-1, 1-2, ...), also those that hold
        // only excluded frames, so the timeline below them has no holes.
        const auto index = static_cast<std::int64_t>(std::floor(frame.timestamp_ms / window_ms));
        if (!window_index)
            window_index = index;
        for (; *window_index < index; ++*window_index) {
            statistics.windows.push_back(closeWindow(*window_index * window_ms, window_ms, window));
            window = Tally(labels.size());
        }
        if (excluded.contains(frame.timestamp_ms))
            continue;
        session.add(face, weights, low_quality);
        window.add(face, weights, low_quality);
    }
    if (window_index)
        statistics.windows.push_back(closeWindow(*window_index * window_ms, window_ms, window));

    statistics.frames_counted = session.counted;
    statistics.face_present_share = session.faceShare();
    statistics.mean_probabilities = session.meanProbabilities();
    statistics.dominant_share = session.dominantShare();
    statistics.moment_options = moment_options;
    statistics.low_quality_share =
        session.present == 0
            ? 0.0
            : static_cast<double>(session.low_quality_count) / static_cast<double>(session.present);
    statistics.low_quality_left_out = low_quality == LowQualityReadings::LeftOut;
    if (!labels.empty()) {
        statistics.moments = findMoments(frames, labels, moment_options);
        std::erase_if(statistics.moments,
                      [&](const Moment& m) { return excluded.contains(m.start_ms); });
    }
    return statistics;
}

}  // namespace emotrace
