// A person's resting face is their own (issue 21, part 3): many read as a little sad, angry or
// contemptuous at rest, and the model says so every second of a session. A neutral baseline,
// fitted on frames the therapist marks as the person's resting face, takes that away: a
// reading is then shown relative to how this person looks at rest.
//
// The method (docs/baseline.md): over the baseline frames, the mean log-probability of each
// class is compared with neutral's. Where a class stands above `margin` below neutral (the
// resting face "reads" it), the excess is subtracted from that class's log-probability in every
// later reading, and the probabilities are normalised again. Classes the resting face does not
// show are left as they are, so a documented expression that the resting face does not carry
// reads as before; neutral itself is never changed. On the baseline frames' geometric mean,
// every class then stands at most `margin` below neutral.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "emotrace/types.h"

namespace emotrace {

struct NeutralBaseline {
    // Added to each class's log-probability (in the model's label order); 0 or negative.
    std::vector<double> log_offsets;
    std::size_t frames = 0;  // the readings it was fitted on
};

struct BaselineOptions {
    // How far below neutral (in log-probability) a class may stand on the resting face before
    // it is taken down: ln 7, so that with eight classes a resting face that read every other
    // class equally would come out neutral at one half.
    double margin = 1.945910149055313;  // std::log(7.0)
    std::size_t minimum_frames = 5;     // fewer: no baseline (a blink, a face lost)
    // A resting face does not read one expression clearly: a non-neutral class with a mean
    // probability at or above this over the baseline frames refuses it (a smile, a frown held).
    double expression_refusal = 0.6;
    // Below this share of the frames with the person's face, the baseline is taken with a
    // warning (the person looked away, the face was lost).
    double face_share_warning = 0.8;
};

// Taking a baseline over a stretch of a session: the baseline, or why not.
struct BaselineAttempt {
    std::optional<NeutralBaseline> baseline;
    // Whose it is: the track asked for, or with -1 the one person in view (the track seen in
    // most of the frames, when the tracker lost and found the face again); -1 when refused.
    int track_id = -1;
    std::string refusal;  // why there is no baseline; empty when there is one
    std::string warning;  // taken, but with this to say; may be empty
};

// The baseline of track `track_id` over `frames` (the stretch the therapist marked, or the
// session's first seconds). track_id -1 means "the person in view", which is only accepted
// when every frame with a face shows one face: with two people the caller must say whose.
// Refused, with the reason, when no frame shows the person, when two people are in view and
// no track is named, when fewer than minimum_frames readings are there, and when the readings
// show a clear expression instead of a resting face. Warned when the face is missing from
// more than 1 - face_share_warning of the frames.
BaselineAttempt takeNeutralBaseline(std::span<const FrameRecord> frames, int track_id,
                                    const std::vector<std::string>& labels,
                                    const BaselineOptions& options = {});

// The baseline of these readings (each a probability per label, in `labels` order); nullopt
// when the labels have no "neutral", or there are fewer than options.minimum_frames readings of
// the right length. Readings with another length are ignored.
std::optional<NeutralBaseline> fitNeutralBaseline(std::span<const std::vector<float>> readings,
                                                  const std::vector<std::string>& labels,
                                                  const BaselineOptions& options = {});

// A reading relative to the baseline: probabilities in the same order, summing to 1. A reading
// whose length differs from the baseline's is returned as it is.
std::vector<float> applyNeutralBaseline(const NeutralBaseline& baseline,
                                        std::span<const float> probabilities);

// The frames of [start_ms, end_ms) of frames in time order: the stretch a baseline is taken over.
std::span<const FrameRecord> framesBetween(std::span<const FrameRecord> frames, double start_ms,
                                           double end_ms);

// Each person's baseline, by track id.
using BaselinesByTrack = std::map<int, NeutralBaseline>;

// The frames with every reading of a person who has a baseline made relative to it; the faces
// of people without one, and faces without probabilities, are copied as they are.
std::vector<FrameRecord> relativeToRest(std::span<const FrameRecord> frames,
                                        const BaselinesByTrack& baselines);

}  // namespace emotrace
