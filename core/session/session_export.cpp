#include "emotrace/session_export.h"

#include "moments_json.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "emotrace/atomic_file.h"
#include "emotrace/error.h"
#include "emotrace/result_csv.h"

namespace emotrace {
namespace {

constexpr const char* kDisclaimer =
    "Decision support, not a diagnosis: the emotions are a model's estimates from facial "
    "expressions, to be interpreted by a clinician in the context of the session.";

nlohmann::ordered_json perLabel(const std::vector<std::string>& labels,
                                const std::vector<double>& values) {
    if (values.empty())
        return nullptr;  // no face with probabilities was counted
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < labels.size() && i < values.size(); ++i)
        object[labels[i]] = values[i];
    return object;
}

nlohmann::ordered_json setupJson(const AnalysisSetup& setup) {
    nlohmann::ordered_json model = nullptr;
    if (!setup.model_path.empty()) {
        model = {{"path", setup.model_path},
                 {"architecture", setup.model_architecture},
                 {"hash", setup.model_hash},
                 {"description", setup.model_description},
                 {"labels", setup.labels}};
    }
    return {{"model", model},
            {"detector", setup.detector},
            {"detector_version", setup.detector_version},
            {"detect_every", setup.detect_every},
            {"emotrace_version", setup.emotrace_version}};
}

nlohmann::ordered_json statisticsJson(const SessionStatistics& statistics) {
    const auto& labels = statistics.labels;
    nlohmann::ordered_json windows = nlohmann::ordered_json::array();
    for (const auto& window : statistics.windows) {
        const bool known =
            window.dominant >= 0 && static_cast<std::size_t>(window.dominant) < labels.size();
        windows.push_back(
            {{"start_ms", window.start_ms},
             {"end_ms", window.end_ms},
             {"dominant",
              known ? nlohmann::ordered_json(labels[static_cast<std::size_t>(window.dominant)])
                    : nlohmann::ordered_json(nullptr)},
             {"valence", window.valence},
             {"face_share", window.face_share}});
    }
    nlohmann::ordered_json weights = nlohmann::ordered_json::object();
    for (const auto& label : labels)
        weights[label] = valenceWeight(label);
    return {{"labels", labels},
            {"frames_counted", statistics.frames_counted},
            {"face_present_share", statistics.face_present_share},
            {"mean_probability", perLabel(labels, statistics.mean_probabilities)},
            {"dominant_share", perLabel(labels, statistics.dominant_share)},
            {"valence_weights", weights},
            {"windows", windows},
            {"low_quality_share", statistics.low_quality_share},
            {"low_quality_readings", statistics.low_quality_left_out ? "left out" : "counted"}};
}

}  // namespace

FrameResult asFrameResult(const FrameRecord& frame) {
    FrameResult result;
    result.frame_index = frame.frame_index;
    result.timestamp_ms = frame.timestamp_ms;
    for (const auto& face : frame.faces)
        result.faces.push_back({face.box,
                                face.detection_confidence,
                                face.probabilities,
                                face.track_id,
                                {},
                                face.quality});
    return result;
}

std::string sessionCsvHeader(std::span<const std::string> labels) {
    std::string header = csvHeader(labels, CsvTrackColumn::Included);
    for (const auto& label : labels)
        header += ",relative_" + probabilityColumnName(label);
    return header;
}

std::string sessionCsvRows(const FrameRecord& frame, std::size_t label_count,
                           const BaselinesByTrack& baselines) {
    const std::string rows = csvRows(asFrameResult(frame), label_count, CsvTrackColumn::Included);
    // csvRows writes one row per face, in order, or one row for a frame without a face.
    std::string out;
    out.reserve(rows.size() + 12 * label_count);
    std::size_t face = 0;
    std::size_t begin = 0;
    while (begin < rows.size()) {
        const std::size_t end = rows.find('\n', begin);
        out.append(rows, begin, end - begin);
        const TrackedFace* tracked = face < frame.faces.size() ? &frame.faces[face] : nullptr;
        const auto baseline = tracked ? baselines.find(tracked->track_id) : baselines.end();
        if (baseline != baselines.end() && tracked->probabilities.size() == label_count) {
            for (const float value :
                 applyNeutralBaseline(baseline->second, tracked->probabilities)) {
                char cell[24];
                std::snprintf(cell, sizeof cell, ",%.6f", static_cast<double>(value));
                out += cell;
            }
        } else {
            out.append(label_count, ',');
        }
        out += '\n';
        ++face;
        begin = end + 1;
    }
    return out;
}

void writeSessionCsv(const std::filesystem::path& file, const std::vector<std::string>& labels,
                     std::span<const FrameRecord> frames, unsigned mode,
                     const BaselinesByTrack& baselines) {
    AtomicFile out(file, mode);
    out.write(sessionCsvHeader(labels) + '\n');
    // A few hundred KiB per write: few system calls, bounded memory for a 2-hour session.
    std::string chunk;
    for (const auto& frame : frames) {
        chunk += sessionCsvRows(frame, labels.size(), baselines);
        if (chunk.size() > (1u << 18)) {
            out.write(chunk);
            chunk.clear();
        }
    }
    out.write(chunk);
    out.commit();
}

namespace {

nlohmann::ordered_json peopleJson(std::span<const Person> people) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& person : people) {
        list.push_back({{"track", person.track_id},
                        {"name", person.name},
                        {"followed", person.followed},
                        {"left_out", person.excluded}});
    }
    return list;
}

nlohmann::ordered_json restingFacesJson(const std::vector<std::string>& labels,
                                        const std::vector<StoredBaseline>& baselines) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& kept : baselines) {
        nlohmann::ordered_json offsets = nlohmann::ordered_json::object();
        for (std::size_t i = 0; i < labels.size() && i < kept.baseline.log_offsets.size(); ++i)
            offsets[labels[i]] = kept.baseline.log_offsets[i];
        list.push_back({{"track", kept.track_id},
                        {"start_ms", kept.start_ms},
                        {"end_ms", kept.end_ms},
                        {"readings", kept.baseline.frames},
                        {"log_offsets", offsets}});
    }
    return list;
}

}  // namespace

std::string sessionJson(const SessionInfo& session, std::span<const Marker> markers,
                        const SessionStatistics& statistics, int track_id,
                        std::span<const Person> people, const RestingFacesExport& resting_faces) {
    const auto& recording = session.recording;
    nlohmann::ordered_json marker_list = nlohmann::ordered_json::array();
    for (const auto& marker : markers) {
        marker_list.push_back({{"id", marker.id},
                               {"start_ms", marker.start_ms},
                               {"end_ms", marker.end_ms},
                               {"label", marker.label},
                               {"note", marker.note},
                               {"exclude", marker.exclude}});
    }
    const nlohmann::ordered_json document = {
        {"disclaimer", kDisclaimer},
        {"exported_by", std::string("emotrace ") + EMOTRACE_VERSION},
        {"session",
         {{"id", session.id},
          {"kind", toString(session.kind)},
          {"label", session.label},
          {"source", session.source},
          {"started_utc", session.started_utc},
          {"state", toString(session.state)},
          {"error", session.error.empty() ? nlohmann::ordered_json(nullptr)
                                          : nlohmann::ordered_json(session.error)},
          {"frames_stored", session.frames_stored},
          {"note", session.note},
          {"created_utc", session.created_utc},
          {"updated_utc", session.updated_utc}}},
        {"recording",
         {{"path", recording.path},
          {"content_hash", recording.content_hash},
          {"size_bytes", recording.size_bytes},
          {"fps", recording.fps},
          {"width", recording.width},
          {"height", recording.height},
          {"frame_count", recording.frame_count}}},
        {"setup", setupJson(session.setup)},
        {"track", track_id},
        {"markers", marker_list},
        {"statistics", statisticsJson(statistics)},
        {"moments", momentsJson(statistics.labels, statistics.moments, statistics.moment_options)},
        {"people", peopleJson(people)},
        {"resting_faces", restingFacesJson(statistics.labels, resting_faces.baselines)},
        {"statistics_relative_to_rest", resting_faces.relative_statistics
                                            ? statisticsJson(*resting_faces.relative_statistics)
                                            : nlohmann::ordered_json(nullptr)},
    };
    return document.dump(2) + '\n';
}

void writeSessionJson(const std::filesystem::path& file, const SessionInfo& session,
                      std::span<const Marker> markers, const SessionStatistics& statistics,
                      int track_id, unsigned mode, std::span<const Person> people,
                      const RestingFacesExport& resting_faces) {
    const std::string text =
        sessionJson(session, markers, statistics, track_id, people, resting_faces);
    AtomicFile out(file, mode);
    out.write(text);
    out.commit();
}

}  // namespace emotrace
