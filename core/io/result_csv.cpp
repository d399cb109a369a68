#include "emotrace/result_csv.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <stdexcept>

#include "emotrace/error.h"

namespace emotrace {
namespace {

constexpr int kTimestampDecimals = 3;
constexpr int kBoxDecimals = 1;
constexpr int kProbabilityDecimals = 6;
constexpr int kQualityDecimals = 3;
constexpr int kAngleDecimals = 1;

// After the probabilities (and after `track` in the session CSV): added last, as the contract in
// docs/csv-schema.md allows.
constexpr const char* kQualityColumns =
    ",quality,head_roll,head_yaw,head_pitch,face_size_px,sharpness,brightness,clipped_share,"
    "quality_limited_by";
constexpr std::size_t kQualityCellCount = 9;

// std::to_chars ignores the global and the C locale, unlike streams and printf.
void appendFixed(std::string& out, double value, int decimals) {
    std::array<char, 64> buffer{};
    auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                      std::chars_format::fixed, decimals);
    if (error != std::errc{})
        throw std::invalid_argument("number too large for the CSV");
    std::string_view text(buffer.data(), static_cast<std::size_t>(end - buffer.data()));
    // "-0.0" would read as a different value than "0.0" to a diff; a value that rounds to zero
    // is written as zero.
    if (text.starts_with('-') && text.find_first_not_of("-0.") == std::string_view::npos) {
        text.remove_prefix(1);
    }
    out += text;
}

std::string columnName(const std::string& label) {
    std::string name = "p_";
    for (char c : label) {
        const bool plain = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
        name += plain ? c : '_';
    }
    return name;
}

void appendFrameStart(std::string& out, const FrameResult& result) {
    out += std::to_string(result.frame_index);
    out += ',';
    appendFixed(out, result.timestamp_ms, kTimestampDecimals);
    out += ',';
}

void appendEmptyCells(std::string& out, std::size_t count) {
    out.append(count, ',');
}

void appendFace(std::string& out, const FaceResult& face, std::size_t label_count) {
    appendFixed(out, face.box.x, kBoxDecimals);
    out += ',';
    appendFixed(out, face.box.y, kBoxDecimals);
    out += ',';
    appendFixed(out, face.box.width, kBoxDecimals);
    out += ',';
    appendFixed(out, face.box.height, kBoxDecimals);
    out += ',';
    appendFixed(out, face.detection_confidence, kProbabilityDecimals);
    if (face.probabilities.empty()) {
        appendEmptyCells(out, label_count);
        return;
    }
    for (float probability : face.probabilities) {
        out += ',';
        appendFixed(out, probability, kProbabilityDecimals);
    }
}

void appendOptional(std::string& out, const std::optional<double>& value, int decimals) {
    out += ',';
    if (value)
        appendFixed(out, *value, decimals);
}

void appendQuality(std::string& out, const std::optional<ReadingQuality>& quality) {
    if (!quality) {
        appendEmptyCells(out, kQualityCellCount);
        return;
    }
    appendOptional(out, quality->quality, kQualityDecimals);
    const auto& pose = quality->pose;
    appendOptional(out, pose ? std::optional(pose->roll) : std::nullopt, kAngleDecimals);
    appendOptional(out, pose ? std::optional(pose->yaw) : std::nullopt, kAngleDecimals);
    appendOptional(out, pose ? std::optional(pose->pitch) : std::nullopt, kAngleDecimals);
    appendOptional(out, quality->face_size_px, kBoxDecimals);
    appendOptional(out, quality->sharpness, kAngleDecimals);
    appendOptional(out, quality->brightness, kAngleDecimals);
    appendOptional(out, quality->clipped, kQualityDecimals);
    out += ',';
    // Fixed words without commas or quotes ("small face"): safe in an unquoted cell.
    out += quality->limited_by;
}

void appendTrack(std::string& out, const FaceResult* face, CsvTrackColumn track) {
    if (track == CsvTrackColumn::Omitted)
        return;
    out += ',';
    if (face != nullptr)
        out += std::to_string(face->track_id);
}

}  // namespace

std::string probabilityColumnName(const std::string& label) {
    return columnName(label);
}

std::string csvHeader(std::span<const std::string> labels, CsvTrackColumn track) {
    std::string header = "frame,timestamp_ms,face,x,y,width,height,detection_confidence";
    for (const auto& label : labels)
        header += ',' + columnName(label);
    if (track == CsvTrackColumn::Included)
        header += ",track";
    return header + kQualityColumns;
}

std::string csvRows(const FrameResult& result, std::size_t label_count, CsvTrackColumn track) {
    std::string rows;
    if (result.faces.empty()) {
        appendFrameStart(rows, result);
        rows += "-1";
        // x, y, width, height, confidence, then one cell per label: each preceded by a comma.
        appendEmptyCells(rows, 5 + label_count);
        appendTrack(rows, nullptr, track);
        appendQuality(rows, std::nullopt);
        rows += '\n';
        return rows;
    }
    for (std::size_t i = 0; i < result.faces.size(); ++i) {
        const auto& face = result.faces[i];
        if (!face.probabilities.empty() && face.probabilities.size() != label_count) {
            throw std::invalid_argument(
                "frame " + std::to_string(result.frame_index) + ": face " + std::to_string(i) +
                " has " + std::to_string(face.probabilities.size()) +
                " probabilities, the CSV has " + std::to_string(label_count) + " classes");
        }
        appendFrameStart(rows, result);
        rows += std::to_string(i);
        rows += ',';
        appendFace(rows, face, label_count);
        appendTrack(rows, &face, track);
        appendQuality(rows, face.quality);
        rows += '\n';
    }
    return rows;
}

ResultCsvWriter::ResultCsvWriter(std::filesystem::path path, std::vector<std::string> labels,
                                 unsigned mode)
    : path_(std::move(path)), label_count_(labels.size()) {
    try {
        out_.emplace(path_, mode);
    } catch (const OutputError& e) {
        throw OutputError(std::string("the CSV file: ") + e.what());
    }
    pending_ = csvHeader(labels) + '\n';
}

void ResultCsvWriter::write(const FrameResult& result) {
    if (!out_ || out_->committed())
        throw OutputError("the CSV file " + path_.string() + " is closed");
    const auto rows = std::max<std::size_t>(result.faces.size(), 1);
    pending_ += csvRows(result, label_count_);
    rows_written_ += static_cast<std::int64_t>(rows);
    // A few hundred KiB per write: few system calls, bounded memory for a long recording.
    if (pending_.size() > (1u << 18))
        writePending();
}

void ResultCsvWriter::writePending() {
    out_->write(pending_);
    pending_.clear();
}

void ResultCsvWriter::close() {
    if (!out_ || out_->committed())
        return;
    writePending();
    out_->commit();
}

}  // namespace emotrace
