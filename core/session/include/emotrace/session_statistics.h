// What a clinician reads off a reviewed session: face-present share, the emotion distribution,
// the dominant emotion over time and a valence trend, all with excluded ranges left out; plus the
// smoothing the review timeline offers. Pure functions over stored frames: no I/O.
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "emotrace/moments.h"
#include "emotrace/session_store.h"

namespace emotrace {

// Probabilities of one track over time, as the timeline plots them. A frame where the track is
// absent has an empty probabilities vector (a gap, not zero).
struct TrackSeries {
    std::vector<double> time_ms;
    std::vector<std::vector<float>> probabilities;  // [frame][label]
};
TrackSeries trackSeries(std::span<const FrameRecord> frames, int track_id);
// Track ids present in the frames, ordered by how many frames each appears in (most first).
std::vector<int> tracksByPresence(std::span<const FrameRecord> frames);

enum class SmoothingKind { None, MovingAverage, Exponential };
struct Smoothing {
    SmoothingKind kind = SmoothingKind::None;
    // Moving average: the window's length. Exponential: the time constant tau; a step reaches
    // 63% after tau seconds. Gaps restart the filter.
    double seconds = 1.0;
};
TrackSeries smooth(const TrackSeries& series, const Smoothing& smoothing);

// Valence per frame: sum over labels of weight * probability. The weights are documented in
// docs/review.md: happy +1; angry, contempt, disgust, fear, sad -1; neutral and surprise 0
// (surprise is positive or negative by context). Labels not in the table weigh 0.
double valenceWeight(const std::string& label);

struct Window {
    double start_ms = 0.0;
    double end_ms = 0.0;
    int dominant = -1;     // label index with the highest mean probability; -1: no face
    double valence = 0.0;  // mean valence over the window's frames with the track
    double face_share = 0.0;
};

struct SessionStatistics {
    std::vector<std::string> labels;
    std::int64_t frames_counted = 0;  // frames outside excluded ranges
    double face_present_share = 0.0;
    std::vector<double> mean_probabilities;  // per label, over frames with the track
    std::vector<double> dominant_share;      // per label: share of frames where it was top
    std::vector<Window> windows;             // consecutive windows of window_seconds
    // Moments of every track (emotrace/moments.h), in time order; those that start inside an
    // excluded range are left out, as the frames there are.
    std::vector<Moment> moments;
    MomentOptions moment_options;
    // Of the counted frames with the track's face, the share whose reading was of low quality
    // (below kLowQuality); faces stored before quality was measured count as not low.
    double low_quality_share = 0.0;
    bool low_quality_left_out = false;  // whether those readings were left out of the figures
};

// Whether readings of low quality (ReadingQuality below kLowQuality) count in the emotion
// figures. Left out, such a frame still counts as one with the face present.
enum class LowQualityReadings { Counted, LeftOut };

// Statistics of one track, leaving out frames inside markers with exclude set (and, when asked,
// low-quality readings); moments of all.
SessionStatistics sessionStatistics(std::span<const FrameRecord> frames,
                                    const std::vector<std::string>& labels, int track_id,
                                    std::span<const Marker> markers, double window_seconds = 60.0,
                                    const MomentOptions& moment_options = {},
                                    LowQualityReadings low_quality = LowQualityReadings::Counted);

// Whether a face's reading was measured and found below kLowQuality.
bool isLowQuality(const TrackedFace& face);

// The stretches of session time where the track's readings are of low quality, as [start, end)
// in ms: from the first low frame of a run to the frame after its last one (or the run's last
// frame when the session ends there). Frames without the track end a run.
std::vector<std::pair<double, double>> lowQualityStretches(std::span<const FrameRecord> frames,
                                                           int track_id);

}  // namespace emotrace
