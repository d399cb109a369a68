// Per-frame results as CSV, OpenFace-style: a stable contract that downstream tools (R, pandas,
// spreadsheets) rely on, documented in docs/csv-schema.md. Every frame of the input gets at least
// one row, so a row count equals the frame count and gaps mean "no face", not "lost data".
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "emotrace/types.h"

namespace emotrace {

// "frame,timestamp_ms,face,x,y,width,height,detection_confidence" then p_<label> per label,
// with characters other than letters, digits and '_' in a label replaced by '_'. No newline.
std::string csvHeader(std::span<const std::string> labels);

// The rows of one frame, each ending in '\n': one per face, or a single face = -1 row with
// empty box, confidence and probability cells when the frame has no face. Faces without
// probabilities (no model loaded) get empty probability cells. Numbers use '.' whatever the
// locale. Throws std::invalid_argument when a face has a probability count other than
// label_count (and other than zero).
std::string csvRows(const FrameResult& result, std::size_t label_count);

// Writes the header on construction and the rows of each frame as it comes. Each frame is
// flushed, so the rows written before a crash or a broken video are on disk and complete.
class ResultCsvWriter {
  public:
    // Creates or truncates the file. Throws OutputError naming the file when it cannot be
    // opened or the header cannot be written.
    ResultCsvWriter(std::filesystem::path path, std::vector<std::string> labels);
    ResultCsvWriter(const ResultCsvWriter&) = delete;
    ResultCsvWriter& operator=(const ResultCsvWriter&) = delete;

    // Throws OutputError naming the file when the rows cannot be written (full disk, ...).
    void write(const FrameResult& result);
    // Flushes and closes; throws OutputError on failure. The destructor closes silently.
    void close();

    const std::filesystem::path& path() const { return path_; }
    std::int64_t rowsWritten() const { return rows_written_; }

  private:
    void writeChecked(const std::string& text, std::int64_t rows);

    std::filesystem::path path_;
    std::size_t label_count_;
    std::ofstream out_;
    std::int64_t rows_written_ = 0;
};

}  // namespace emotrace
