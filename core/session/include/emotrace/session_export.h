// Exports of a stored session for sharing and archiving: the per-frame CSV (the schema of
// docs/csv-schema.md plus a last `track` column) and a session JSON with the recording, the
// analysis setup, markers and the summary statistics. Files are written atomically (AtomicFile),
// so an existing export is replaced only by a complete new one, and owner-only unless `mode`
// says otherwise.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "emotrace/atomic_file.h"
#include "emotrace/neutral_baseline.h"
#include "emotrace/session_statistics.h"
#include "emotrace/session_store.h"
#include "emotrace/types.h"

namespace emotrace {

// A stored frame as the live pipeline's FrameResult (no image, no latency), for the writers
// shared with emotrace-analyze's per-frame CSV and summary.
FrameResult asFrameResult(const FrameRecord& frame);

// csvHeader(labels) with the track column, then relative_p_<label> per label: the reading
// relative to the person's resting face (neutral_baseline.h). No newline.
std::string sessionCsvHeader(std::span<const std::string> labels);
// csvRows() of the frame with the track column (empty on a face = -1 row), each row ending in
// the face's probabilities relative to its track's baseline: empty cells when the track has no
// baseline or the face no reading. Throws std::invalid_argument as csvRows().
std::string sessionCsvRows(const FrameRecord& frame, std::size_t label_count,
                           const BaselinesByTrack& baselines = {});

// Header and every frame's rows. Throws OutputError naming the file when it cannot be written
// (missing folder, no permission, full disk); the file is then left as it was.
void writeSessionCsv(const std::filesystem::path& file, const std::vector<std::string>& labels,
                     std::span<const FrameRecord> frames, unsigned mode = kOwnerOnlyFileMode,
                     const BaselinesByTrack& baselines = {});

// What the session JSON says of resting faces: each person's baseline as stored, and the
// statistics of the exported track with its readings relative to its baseline (none when the
// track has no baseline).
struct RestingFacesExport {
    std::vector<StoredBaseline> baselines;
    std::optional<SessionStatistics> relative_statistics;
};

// The session JSON (fields in docs/review.md), indented. `statistics` describe `track_id`;
// `people` are those the therapist named, followed or left out live.
std::string sessionJson(const SessionInfo& session, std::span<const Marker> markers,
                        const SessionStatistics& statistics, int track_id,
                        std::span<const Person> people = {},
                        const RestingFacesExport& resting_faces = {});
// Throws OutputError as writeSessionCsv().
void writeSessionJson(const std::filesystem::path& file, const SessionInfo& session,
                      std::span<const Marker> markers, const SessionStatistics& statistics,
                      int track_id, unsigned mode = kOwnerOnlyFileMode,
                      std::span<const Person> people = {},
                      const RestingFacesExport& resting_faces = {});

}  // namespace emotrace
