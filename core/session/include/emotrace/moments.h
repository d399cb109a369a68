// Moments: the stretches in which a person's expression departs clearly from that person's own
// recent baseline, found causally so the dashboard can list them live and the review workspace
// can list them for any stored session with the same rule (docs/moments.md has the rule, its
// parameters and how they were chosen).
//
// Per face track, every frame with probabilities:
//   smoothed  p^ = exponential average of the readings, time constant `smoothing_seconds`
//   baseline  b  = the person's own average of p^ (a running mean over the first frames, then
//                  an exponential average with time constant `baseline_seconds`), and s_c, the
//                  spread of p^_c around it (the same weights); a departure's frames are held
//                  aside and join them only if it never became a moment, so an expression
//                  never becomes its own baseline while the person's slight ones do
//   rise      r_c = p^_c - b_c for every emotion c other than neutral (every label when the
//                  model has no neutral class: a change from the person's usual distribution)
//   threshold t_c = max(`rise`, `spread_factor` * max(s_c, `spread_floor`)): clearly beyond what
//                  this person's reading of c usually does
// A moment of emotion c starts when r_c >= t_c and p^_c >= `min_probability` and has held for
// `min_duration_seconds` (it is reported then: the delay of a live moment); it goes on while
// r_c >= t_c * `end_fraction`, and ends at the last frame that held or when the track is absent
// for more than `max_gap_seconds`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "emotrace/types.h"

namespace emotrace {

enum class MomentSensitivity { Low, Default, High };

struct MomentOptions {
    double rise = 0.35;
    double min_probability = 0.5;
    double min_duration_seconds = 0.6;
    double end_fraction = 0.5;
    double smoothing_seconds = 0.15;
    double baseline_seconds = 30.0;
    double max_gap_seconds = 1.0;
    // How far beyond the person's usual spread a departure must go (0: the spread is ignored),
    // and the least spread assumed (a face read very steadily still has model noise).
    double spread_factor = 3.0;
    double spread_floor = 0.05;

    // Low: only strong, held expressions; High: slighter and briefer ones too.
    static MomentOptions forSensitivity(MomentSensitivity sensitivity);
};
// "low", "default", "high"; throws std::invalid_argument naming the accepted words.
MomentSensitivity momentSensitivityFromName(const std::string& name);
std::string momentSensitivityName(MomentSensitivity sensitivity);

struct Moment {
    int track_id = 0;
    int label = -1;  // index into the labels
    double start_ms = 0.0;
    double end_ms = 0.0;
    double peak_ms = 0.0;
    std::int64_t peak_frame = 0;    // the frame to take the thumbnail from
    double peak_probability = 0.0;  // of the smoothed reading
    double reported_ms = 0.0;       // when the rule knew it (start + the hold): the live delay
};

// Feeds frames in time order; reports each moment when it is known (opened) and when it ends
// (closed). Uses no frame later than the one it is given.
class MomentDetector {
  public:
    // Throws std::invalid_argument for options out of range.
    explicit MomentDetector(std::vector<std::string> labels, MomentOptions options = {});

    struct Update {
        std::vector<Moment> opened;  // start, label and the peak so far
        std::vector<Moment> closed;  // complete
        // Tracks whose departure (held or a moment) reached a new peak at this frame: the
        // live view cuts the face's thumbnail then.
        std::vector<int> peaked;
    };
    // Faces without probabilities are ignored; a track missing from a frame counts as absent.
    // Throws std::invalid_argument when a face's probabilities do not match the labels.
    Update add(std::int64_t frame_index, double timestamp_ms, std::span<const TrackedFace> faces);
    // Ends the moments still open (the session's end).
    std::vector<Moment> finish();

    const std::vector<std::string>& labels() const { return labels_; }
    const MomentOptions& options() const { return options_; }

  private:
    struct Track {
        double last_ms = 0.0;
        std::vector<double> smoothed;
        std::vector<double> baseline;
        std::vector<double> variance;  // of the smoothed reading around the baseline
        std::int64_t baseline_frames = 0;
        // The frames of a departure still being held: they join the baseline if it never
        // becomes a moment (the person's own slight expressions are part of their spread).
        struct Held {
            std::vector<double> smoothed;
            double step_ms = 0.0;
        };
        std::vector<Held> held_frames;
        double held_ms = 0.0;
        int candidate = -1;  // emotion whose rise is being held, -1: none
        double candidate_start_ms = 0.0;
        std::optional<Moment> open;
        Moment peak_of_candidate;
    };
    void closeAbsent(Track& track, double timestamp_ms, Update& update);
    void updateBaseline(Track& track, const std::vector<double>& smoothed, double step_ms) const;
    void foldHeldFrames(Track& track) const;
    double threshold(const Track& track, int emotion) const;
    void step(int track_id, Track& track, std::int64_t frame_index, double timestamp_ms,
              const std::vector<float>& probabilities, Update& update);

    std::vector<std::string> labels_;
    MomentOptions options_;
    std::vector<int> emotions_;  // labels that can make a moment
    std::map<int, Track> tracks_;
};

// Every moment of stored frames, with the live rule: review and live agree.
std::vector<Moment> findMoments(std::span<const FrameRecord> frames,
                                const std::vector<std::string>& labels,
                                const MomentOptions& options = {});

}  // namespace emotrace
