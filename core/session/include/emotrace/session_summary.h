// What one analysis run found, in numbers a report can quote: how often a face was visible, the
// mean of each emotion's probability and how often each emotion was the top one. The
// aggregator sees each FrameResult once and keeps only running sums, so a long recording costs
// no memory; the summary is written as JSON beside the per-frame CSV.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "emotrace/atomic_file.h"
#include "emotrace/frame_source.h"
#include "emotrace/moments.h"
#include "emotrace/types.h"

namespace emotrace {

// Per-class figures use the first face of a frame: detectors return the best face first, and in
// a session recording that is the client. Frames with no face count only towards
// frames_analysed.
class SessionAggregator {
  public:
    explicit SessionAggregator(std::vector<std::string> labels);

    // Throws std::invalid_argument when the first face has a probability count other than the
    // number of labels (and other than zero). `tracked`: the frame's faces with their track ids,
    // when the caller has them (a stored session), for the moments; without them the first face
    // is track 0, as for the other figures.
    void add(const FrameResult& result, std::span<const TrackedFace> tracked = {});
    // The moments found so far (emotrace/moments.h, default sensitivity), in time order; those
    // still open end at the last frame seen. Empty without labels.
    std::vector<Moment> moments() const;
    const MomentOptions& momentRule() const { return moment_rule_; }

    const std::vector<std::string>& labels() const { return labels_; }
    std::int64_t framesAnalysed() const { return frames_analysed_; }
    std::int64_t framesWithFace() const { return frames_with_face_; }
    // frames_with_face / frames_analysed; 0 before the first frame.
    double facePresentShare() const;
    // Per label, over the frames whose first face has probabilities; nullopt when there were
    // none (no model, or no face at all).
    std::optional<std::vector<double>> meanProbabilities() const;
    // Per label: frames whose first face had that label as its top class.
    const std::vector<std::int64_t>& dominantCounts() const { return dominant_counts_; }

  private:
    std::vector<std::string> labels_;
    std::int64_t frames_analysed_ = 0;
    std::int64_t frames_with_face_ = 0;
    std::int64_t frames_classified_ = 0;
    std::vector<double> probability_sums_;
    std::vector<std::int64_t> dominant_counts_;
    MomentOptions moment_rule_;
    std::optional<MomentDetector> moment_detector_;  // only with labels
    std::vector<Moment> moments_;                    // closed so far
};

struct ModelDescription {
    std::string path;
    std::string architecture;
};

struct SessionSummary {
    std::string input_path;
    SourceInfo source;
    std::optional<ModelDescription> model;  // nullopt: run without a model
    std::string detector;
    std::string csv_path;
    double processing_seconds = 0.0;
    // Frames analysed in processing_seconds; -1: all frames_analysed. A resumed or reused
    // stored session analysed only some of its frames (or none) in this run.
    std::int64_t frames_processed = -1;
    std::string emotrace_version;
    int exit_status = 0;
    std::string error;  // why the run ended early; empty when it ran to the end
};

// The summary as a JSON document (pretty-printed, '\n'-terminated). Field names are part of the
// contract in docs/csv-schema.md.
std::string toJson(const SessionSummary& summary, const SessionAggregator& aggregate);

// Writes the JSON to path; throws OutputError naming the file when it cannot be written.
void writeSummaryJson(const std::filesystem::path& path, const SessionSummary& summary,
                      const SessionAggregator& aggregate, unsigned mode = kOwnerOnlyFileMode);

}  // namespace emotrace
