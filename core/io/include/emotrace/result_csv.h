// Per-frame results as CSV, OpenFace-style: a stable contract that downstream tools (R, pandas,
// spreadsheets) rely on, documented in docs/csv-schema.md. Every frame of the input gets at least
// one row, so a row count equals the frame count and gaps mean "no face", not "lost data".
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "emotrace/atomic_file.h"
#include "emotrace/types.h"

namespace emotrace {

// The session CSV (session_export.h) has the face's track after the probabilities.
enum class CsvTrackColumn { Omitted, Included };

// A probability's column: p_<label>, with characters other than letters, digits and '_' in the
// label replaced by '_'.
std::string probabilityColumnName(const std::string& label);

// "frame,timestamp_ms,face,x,y,width,height,detection_confidence" then p_<label> per label,
// with characters other than letters, digits and '_' in a label replaced by '_', then `track`
// when included, then the reading quality: "quality,head_roll,head_yaw,head_pitch,face_size_px,
// sharpness,brightness,clipped_share,quality_limited_by". No newline.
std::string csvHeader(std::span<const std::string> labels,
                      CsvTrackColumn track = CsvTrackColumn::Omitted);

// The rows of one frame, each ending in '\n': one per face, or a single face = -1 row with
// empty box, confidence, probability, track and quality cells when the frame has no face. Faces
// without probabilities (no model loaded) get empty probability cells; faces without a measured
// quality, empty quality cells; faces without landmarks, empty head-pose cells. Numbers use '.'
// whatever the locale. Throws std::invalid_argument when a face has a probability count other
// than label_count (and other than zero).
std::string csvRows(const FrameResult& result, std::size_t label_count,
                    CsvTrackColumn track = CsvTrackColumn::Omitted);

// Writes the header and the rows of each frame as it comes into a temporary file beside the
// target (AtomicFile, owner-only unless `mode` says otherwise); close() publishes it under its
// name. A run that is killed or fails before close() leaves an earlier file of that name intact.
class ResultCsvWriter {
  public:
    // Throws OutputError naming the file when its folder is missing or not writable.
    ResultCsvWriter(std::filesystem::path path, std::vector<std::string> labels,
                    unsigned mode = kOwnerOnlyFileMode);
    ResultCsvWriter(const ResultCsvWriter&) = delete;
    ResultCsvWriter& operator=(const ResultCsvWriter&) = delete;

    // Throws OutputError naming the file when the rows cannot be written (full disk, ...).
    void write(const FrameResult& result);
    // Writes what is pending, syncs and renames the file into place; throws OutputError on
    // failure. Destroyed without close(), the writer discards the rows.
    void close();

    const std::filesystem::path& path() const { return path_; }
    std::int64_t rowsWritten() const { return rows_written_; }

  private:
    void writePending();

    std::filesystem::path path_;
    std::size_t label_count_;
    std::optional<AtomicFile> out_;
    std::string pending_;
    std::int64_t rows_written_ = 0;
};

}  // namespace emotrace
