#include "emotrace/session_summary.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "emotrace/emotion_classifier.h"
#include "emotrace/atomic_file.h"
#include "emotrace/error.h"
#include "moments_json.h"

namespace emotrace {

SessionAggregator::SessionAggregator(std::vector<std::string> labels)
    : labels_(std::move(labels)),
      probability_sums_(labels_.size(), 0.0),
      dominant_counts_(labels_.size(), 0) {
    if (!labels_.empty())
        moment_detector_.emplace(labels_, moment_rule_);
}

void SessionAggregator::add(const FrameResult& result, std::span<const TrackedFace> tracked) {
    ++frames_analysed_;
    if (moment_detector_) {
        std::vector<TrackedFace> first;
        if (tracked.empty() && !result.faces.empty()) {
            const auto& face = result.faces.front();
            if (face.probabilities.size() == labels_.size())
                first.push_back({0, face.box, face.detection_confidence, true, face.probabilities});
            tracked = first;
        }
        auto update = moment_detector_->add(result.frame_index, result.timestamp_ms, tracked);
        moments_.insert(moments_.end(), update.closed.begin(), update.closed.end());
    }
    if (result.faces.empty())
        return;
    ++frames_with_face_;
    const auto& probabilities = result.faces.front().probabilities;
    if (probabilities.empty())
        return;
    if (probabilities.size() != labels_.size()) {
        throw std::invalid_argument("frame " + std::to_string(result.frame_index) + " has " +
                                    std::to_string(probabilities.size()) +
                                    " probabilities, the session has " +
                                    std::to_string(labels_.size()) + " classes");
    }
    ++frames_classified_;
    for (std::size_t i = 0; i < probabilities.size(); ++i)
        probability_sums_[i] += probabilities[i];
    const int top = topClass(probabilities);
    if (top >= 0)
        ++dominant_counts_[static_cast<std::size_t>(top)];
}

std::vector<Moment> SessionAggregator::moments() const {
    auto all = moments_;
    if (moment_detector_) {
        auto detector = *moment_detector_;  // finishing a copy leaves this one running
        const auto open = detector.finish();
        all.insert(all.end(), open.begin(), open.end());
    }
    std::stable_sort(all.begin(), all.end(),
                     [](const Moment& a, const Moment& b) { return a.start_ms < b.start_ms; });
    return all;
}

double SessionAggregator::facePresentShare() const {
    if (frames_analysed_ == 0)
        return 0.0;
    return static_cast<double>(frames_with_face_) / static_cast<double>(frames_analysed_);
}

std::optional<std::vector<double>> SessionAggregator::meanProbabilities() const {
    if (frames_classified_ == 0)
        return std::nullopt;
    std::vector<double> means(probability_sums_.size());
    for (std::size_t i = 0; i < means.size(); ++i) {
        means[i] = probability_sums_[i] / static_cast<double>(frames_classified_);
    }
    return means;
}

namespace {

// ordered_json keeps the fields in the order a person reads them, and labels in model order.
using Json = nlohmann::ordered_json;

Json sourceJson(const SessionSummary& summary) {
    return Json{{"path", summary.input_path},
                {"fps", summary.source.fps},
                {"width", summary.source.width},
                {"height", summary.source.height},
                {"frame_count", summary.source.frame_count}};
}

Json modelJson(const SessionSummary& summary, const SessionAggregator& aggregate) {
    if (!summary.model)
        return nullptr;
    return Json{{"path", summary.model->path},
                {"architecture", summary.model->architecture},
                {"labels", aggregate.labels()}};
}

Json perLabel(const std::vector<std::string>& labels, const auto& values) {
    Json object = Json::object();
    for (std::size_t i = 0; i < labels.size(); ++i)
        object[labels[i]] = values[i];
    return object;
}

}  // namespace

std::string toJson(const SessionSummary& summary, const SessionAggregator& aggregate) {
    const auto means = aggregate.meanProbabilities();
    const double fps =
        summary.processing_seconds > 0.0
            ? static_cast<double>(summary.frames_processed >= 0 ? summary.frames_processed
                                                                : aggregate.framesAnalysed()) /
                  summary.processing_seconds
            : 0.0;
    Json json{
        {"emotrace_version", summary.emotrace_version},
        {"input", sourceJson(summary)},
        {"model", modelJson(summary, aggregate)},
        {"detector", summary.detector},
        {"csv", summary.csv_path},
        {"frames_analysed", aggregate.framesAnalysed()},
        {"frames_with_face", aggregate.framesWithFace()},
        {"face_present_share", aggregate.facePresentShare()},
        {"mean_probability", means ? perLabel(aggregate.labels(), *means) : Json(nullptr)},
        {"dominant_emotion_counts", perLabel(aggregate.labels(), aggregate.dominantCounts())},
        {"processing_seconds", summary.processing_seconds},
        {"frames_per_second", fps},
        {"exit_status", summary.exit_status},
        {"error", summary.error.empty() ? Json(nullptr) : Json(summary.error)},
        {"moments",
         aggregate.labels().empty()
             ? Json(nullptr)
             : momentsJson(aggregate.labels(), aggregate.moments(), aggregate.momentRule())},
    };
    // A path need not be valid UTF-8; replacing bad bytes beats failing after a long run.
    return json.dump(2, ' ', false, Json::error_handler_t::replace) + '\n';
}

void writeSummaryJson(const std::filesystem::path& path, const SessionSummary& summary,
                      const SessionAggregator& aggregate, unsigned mode) {
    try {
        AtomicFile out(path, mode);
        out.write(toJson(summary, aggregate));
        out.commit();
    } catch (const OutputError& e) {
        throw OutputError(std::string("the summary file: ") + e.what());
    }
}

}  // namespace emotrace
