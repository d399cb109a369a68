#include "emotrace/session_store.h"

#include <algorithm>

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <mutex>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "emotrace/emotion_classifier.h"
#include "session_database.h"
#include "sha256.h"
#include "sqlite_connection.h"

namespace emotrace {
namespace {

// Probabilities are stored as raw float32; a big-endian build would need byte swapping.
static_assert(std::endian::native == std::endian::little, "the store writes little-endian floats");

constexpr std::int64_t kFingerprintChunk = 1 << 20;

std::string stateKey(AnalysisState state) {
    return toString(state);
}

AnalysisState stateFromKey(const std::string& key, const std::filesystem::path& file) {
    for (auto state : {AnalysisState::InProgress, AnalysisState::Complete, AnalysisState::Failed}) {
        if (toString(state) == key)
            return state;
    }
    throw StoreError(damagedDatabaseMessage(file, "unknown session state '" + key + "'"));
}

std::string labelsToText(const std::vector<std::string>& labels) {
    return nlohmann::json(labels).dump();
}

std::vector<std::string> labelsFromText(const std::string& text,
                                        const std::filesystem::path& file) {
    const auto json = nlohmann::json::parse(text, nullptr, false);
    if (json.is_discarded() || !json.is_array())
        throw StoreError(damagedDatabaseMessage(file, "a session's labels are not a JSON list"));
    return json.get<std::vector<std::string>>();
}

std::span<const std::byte> probabilityBytes(const std::vector<float>& probabilities) {
    return std::as_bytes(std::span(probabilities));
}

std::vector<float> probabilitiesFromBytes(std::span<const std::byte> bytes) {
    std::vector<float> probabilities(bytes.size() / sizeof(float));
    if (probabilities.empty())
        return probabilities;  // memcpy must not see the null pointers of empty buffers
    std::memcpy(probabilities.data(), bytes.data(), probabilities.size() * sizeof(float));
    return probabilities;
}

std::string unknownSession(std::int64_t id, const std::filesystem::path& file) {
    return "there is no session " + std::to_string(id) + " in database " + file.string() +
           " (was it removed?)";
}

std::string unknownMarker(std::int64_t id, const std::filesystem::path& file) {
    return "there is no marker " + std::to_string(id) + " in database " + file.string() +
           " (was it removed?)";
}

// Inside the caller's transaction: a row for an unknown session would be orphaned.
void requireSession(SqliteConnection& database, std::int64_t session) {
    SqliteStatement exists(database, "SELECT 1 FROM sessions WHERE id = ?1");
    if (!exists.bind(1, session).step())
        throw StoreError(unknownSession(session, database.file()));
}

constexpr const char* kSessionColumns =
    "id, recording_path, content_hash, size_bytes, fps, width, height, frame_count, model_path, "
    "model_architecture, model_hash, model_description, labels, detector, detector_version, "
    "detect_every, emotrace_version, state, error, frames_stored, note, created_utc, updated_utc, "
    "(SELECT timestamp_ms FROM frames WHERE frames.session_id = sessions.id "
    "ORDER BY frame_index DESC LIMIT 1), kind, label, source, started_utc, followed_track";

SessionInfo readSession(const SqliteStatement& row, const std::filesystem::path& file) {
    SessionInfo info;
    info.id = row.integer(0);
    info.recording = {row.text(1),
                      row.text(2),
                      row.integer(3),
                      row.real(4),
                      static_cast<int>(row.integer(5)),
                      static_cast<int>(row.integer(6)),
                      row.integer(7)};
    auto& setup = info.setup;
    setup.model_path = row.text(8);
    setup.model_architecture = row.text(9);
    setup.model_hash = row.text(10);
    setup.model_description = row.text(11);
    setup.labels = labelsFromText(row.text(12), file);
    setup.detector = row.text(13);
    setup.detector_version = row.text(14);
    setup.detect_every = static_cast<int>(row.integer(15));
    setup.emotrace_version = row.text(16);
    info.state = stateFromKey(row.text(17), file);
    info.error = row.text(18);
    info.frames_stored = row.integer(19);
    info.note = row.text(20);
    info.created_utc = row.text(21);
    info.updated_utc = row.text(22);
    info.last_timestamp_ms = row.real(23);  // NULL (no frame) reads as 0
    info.kind = row.text(24) == "live" ? SessionKind::Live : SessionKind::Recording;
    info.label = row.text(25);
    info.source = row.text(26);
    info.started_utc = row.text(27);
    info.followed_track = static_cast<int>(row.integer(28));
    return info;
}

// Columns 12..19 of the face insert.
void bindQuality(SqliteStatement& insert, const std::optional<ReadingQuality>& quality) {
    if (!quality)
        return;
    insert.bind(12, quality->quality);
    if (quality->pose) {
        insert.bind(13, quality->pose->roll).bind(14, quality->pose->yaw);
        insert.bind(15, quality->pose->pitch);
    }
    insert.bind(16, quality->sharpness).bind(17, quality->brightness);
    insert.bind(18, quality->clipped).bind(19, std::string_view(quality->limited_by));
}

// Columns 9..16 of the face select; none for a face stored before quality was measured.
std::optional<ReadingQuality> qualityFromRow(const SqliteStatement& row, const cv::Rect2f& box) {
    if (row.isNull(9))
        return std::nullopt;
    ReadingQuality quality;
    quality.quality = row.real(9);
    if (!row.isNull(10))
        quality.pose = HeadPose{row.real(10), row.real(11), row.real(12)};
    quality.face_size_px = std::min(box.width, box.height);
    quality.sharpness = row.real(13);
    quality.brightness = row.real(14);
    quality.clipped = row.real(15);
    quality.limited_by = row.text(16);
    return quality;
}

// Frames must continue the stored ones exactly, so a resumed analysis can neither leave a gap
// nor store a frame twice.
void validateBatch(std::span<const FrameRecord> frames, std::int64_t frames_stored,
                   std::size_t label_count, std::int64_t id) {
    for (std::size_t i = 0; i < frames.size(); ++i) {
        const auto& frame = frames[i];
        const std::int64_t expected = frames_stored + static_cast<std::int64_t>(i);
        if (frame.frame_index != expected) {
            throw std::invalid_argument(
                "session " + std::to_string(id) + ": expected frame " + std::to_string(expected) +
                " next (frames 0.." + std::to_string(frames_stored - 1) +
                " are stored), got frame " + std::to_string(frame.frame_index) +
                "; nothing of this batch was stored");
        }
        for (std::size_t f = 0; f < frame.faces.size(); ++f) {
            const auto count = frame.faces[f].probabilities.size();
            if (count != 0 && count != label_count) {
                throw std::invalid_argument(
                    "session " + std::to_string(id) + ", frame " +
                    std::to_string(frame.frame_index) + ", face " + std::to_string(f) + ": " +
                    std::to_string(count) + " probabilities, the session has " +
                    std::to_string(label_count) + " labels; nothing of this batch was stored");
            }
        }
    }
}

void validateMarker(const Marker& marker) {
    if (!std::isfinite(marker.start_ms) || !std::isfinite(marker.end_ms) ||
        marker.end_ms < marker.start_ms) {
        throw std::invalid_argument("a marker must end at or after its start, got " +
                                    std::to_string(marker.start_ms) + " ms to " +
                                    std::to_string(marker.end_ms) + " ms");
    }
}

}  // namespace

std::string toString(SessionKind kind) {
    return kind == SessionKind::Live ? "live" : "recording";
}

std::string toString(AnalysisState state) {
    switch (state) {
        case AnalysisState::InProgress:
            return "in_progress";
        case AnalysisState::Complete:
            return "complete";
        case AnalysisState::Failed:
            return "failed";
    }
    return "unknown";
}

double sessionDurationSeconds(const SessionInfo& session) {
    if (session.frames_stored == 0)
        return 0.0;
    const double fps = session.recording.fps > 0.0 ? session.recording.fps : 30.0;
    return session.last_timestamp_ms / 1000.0 + 1.0 / fps;
}

std::string recordingFingerprint(const std::filesystem::path& file) {
    std::error_code error;
    const auto size = std::filesystem::file_size(file, error);
    std::ifstream in(file, std::ios::binary);
    if (error || !in)
        throw SourceError("cannot read " + file.string() + " to fingerprint it");
    const auto total = static_cast<std::int64_t>(size);
    // Small files are hashed whole; larger ones by three samples that cannot overlap.
    std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
    if (total <= 3 * kFingerprintChunk) {
        ranges = {{0, total}};
    } else {
        ranges = {{0, kFingerprintChunk},
                  {total / 2 - kFingerprintChunk / 2, kFingerprintChunk},
                  {total - kFingerprintChunk, kFingerprintChunk}};
    }
    Sha256 hash;
    std::vector<char> buffer;
    for (const auto& [offset, length] : ranges) {
        buffer.resize(static_cast<std::size_t>(length));
        in.seekg(offset);
        in.read(buffer.data(), length);
        if (!in)
            throw SourceError("cannot read " + file.string() + " to fingerprint it");
        hash.update(std::as_bytes(std::span(buffer)));
    }
    return std::to_string(total) + "-" + hash.finishHex();
}

std::string modelFingerprint(const std::filesystem::path& model) {
    auto fingerprint = recordingFingerprint(model);
    const auto companion = tiltedModelPath(model);
    std::error_code missing;
    if (std::filesystem::is_regular_file(companion, missing))
        fingerprint += "+tilted-" + recordingFingerprint(companion);
    return fingerprint;
}

struct SessionStore::Impl {
    explicit Impl(const std::filesystem::path& file)
        : database(openSessionDatabase(file)),
          select_for_append(*database, "SELECT frames_stored, labels FROM sessions WHERE id = ?1"),
          insert_frame(*database,
                       "INSERT INTO frames(session_id, frame_index, timestamp_ms) "
                       "VALUES (?1, ?2, ?3)"),
          insert_face(*database,
                      "INSERT INTO faces(session_id, frame_index, face_index, track_id, x, y, w, "
                      "h, confidence, detected, probabilities, quality, head_roll, head_yaw, "
                      "head_pitch, sharpness, brightness, clipped_share, quality_limited_by) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
                      "?16, ?17, ?18, ?19)"),
          update_frames_stored(*database,
                               "UPDATE sessions SET frames_stored = ?2, updated_utc = "
                               "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1"),
          select_frames(*database,
                        "SELECT frame_index, timestamp_ms FROM frames WHERE session_id = ?1 AND "
                        "frame_index >= ?2 AND frame_index < ?3 ORDER BY frame_index"),
          select_faces(*database,
                       "SELECT frame_index, track_id, x, y, w, h, confidence, detected, "
                       "probabilities, quality, head_roll, head_yaw, head_pitch, sharpness, "
                       "brightness, clipped_share, quality_limited_by FROM faces "
                       "WHERE session_id = ?1 AND frame_index >= ?2 "
                       "AND frame_index < ?3 ORDER BY frame_index, face_index") {}

    const std::filesystem::path& file() const { return database->file(); }

    void appendUnlocked(std::int64_t id, std::span<const FrameRecord> frames);
    std::vector<FrameRecord> framesUnlocked(std::int64_t id, std::int64_t first, std::int64_t end);
    void updateSession(std::int64_t id, std::string_view assignment, std::string_view value);

    // One connection used by every thread that shares this store, one at a time.
    std::mutex mutex;
    std::unique_ptr<SqliteConnection> database;
    // Reused by every batch: preparing costs more than inserting a frame.
    SqliteStatement select_for_append;
    SqliteStatement insert_frame;
    SqliteStatement insert_face;
    SqliteStatement update_frames_stored;
    SqliteStatement select_frames;
    SqliteStatement select_faces;
};

void SessionStore::Impl::appendUnlocked(std::int64_t id, std::span<const FrameRecord> frames) {
    SqliteTransaction transaction(*database);
    // Read inside the write transaction: another process cannot append between check and write.
    select_for_append.reset().bind(1, id);
    if (!select_for_append.step())
        throw StoreError(unknownSession(id, file()));
    const std::int64_t frames_stored = select_for_append.integer(0);
    const auto label_count = labelsFromText(select_for_append.text(1), file()).size();
    select_for_append.reset();
    validateBatch(frames, frames_stored, label_count, id);
    try {
        for (const auto& frame : frames) {
            insert_frame.reset().bind(1, id).bind(2, frame.frame_index).bind(3, frame.timestamp_ms);
            insert_frame.run();
            for (std::size_t f = 0; f < frame.faces.size(); ++f) {
                const auto& face = frame.faces[f];
                insert_face.reset()
                    .bind(1, id)
                    .bind(2, frame.frame_index)
                    .bind(3, static_cast<std::int64_t>(f))
                    .bind(4, face.track_id)
                    .bind(5, double{face.box.x})
                    .bind(6, double{face.box.y})
                    .bind(7, double{face.box.width})
                    .bind(8, double{face.box.height})
                    .bind(9, double{face.detection_confidence})
                    .bind(10, face.detected ? 1 : 0)
                    .bindBlob(11, probabilityBytes(face.probabilities));
                bindQuality(insert_face, face.quality);  // unbound: NULL, not measured
                insert_face.run();
            }
        }
        const auto stored = frames_stored + static_cast<std::int64_t>(frames.size());
        update_frames_stored.reset().bind(1, id).bind(2, stored);
        update_frames_stored.run();
        transaction.commit();
    } catch (const SqliteFailure& failure) {
        if (!failure.writeFailed())
            throw;
        // The transaction rolls back as the exception leaves this function: earlier batches
        // stay, this one is gone as a whole.
        const std::string kept =
            frames_stored == 0
                ? "no frame had been stored yet"
                : "results up to frame " + std::to_string(frames_stored - 1) + " are kept";
        if (failure.diskFull())
            throw StoreError("disk full while saving results to " + file().string() + ": " + kept);
        throw StoreError("cannot write results to " + file().string() + " (" + failure.what() +
                         "; is the disk full or failing?): " + kept);
    }
}

std::vector<FrameRecord> SessionStore::Impl::framesUnlocked(std::int64_t id, std::int64_t first,
                                                            std::int64_t end) {
    std::vector<FrameRecord> frames;
    select_frames.reset().bind(1, id).bind(2, first).bind(3, end);
    while (select_frames.step())
        frames.push_back({select_frames.integer(0), select_frames.real(1), {}});
    select_frames.reset();

    // Both queries walk the same primary-key order, so the faces merge in one pass.
    select_faces.reset().bind(1, id).bind(2, first).bind(3, end);
    std::size_t position = 0;
    while (select_faces.step()) {
        const std::int64_t frame_index = select_faces.integer(0);
        while (position < frames.size() && frames[position].frame_index < frame_index)
            ++position;
        if (position == frames.size() || frames[position].frame_index != frame_index)
            continue;  // a face without its frame cannot be written by this store
        TrackedFace face;
        face.track_id = static_cast<int>(select_faces.integer(1));
        face.box = cv::Rect2f(
            static_cast<float>(select_faces.real(2)), static_cast<float>(select_faces.real(3)),
            static_cast<float>(select_faces.real(4)), static_cast<float>(select_faces.real(5)));
        face.detection_confidence = static_cast<float>(select_faces.real(6));
        face.detected = select_faces.integer(7) != 0;
        face.probabilities = probabilitiesFromBytes(select_faces.blob(8));
        face.quality = qualityFromRow(select_faces, face.box);
        frames[position].faces.push_back(std::move(face));
    }
    select_faces.reset();
    return frames;
}

void SessionStore::Impl::updateSession(std::int64_t id, std::string_view assignment,
                                       std::string_view value) {
    SqliteStatement update(*database, "UPDATE sessions SET " + std::string(assignment) +
                                          " = ?2, updated_utc = "
                                          "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1");
    update.bind(1, id).bind(2, value).run();
    if (database->changes() == 0)
        throw StoreError(unknownSession(id, file()));
}

SessionStore::SessionStore(const std::filesystem::path& database)
    : impl_(std::make_unique<Impl>(database)) {}

SessionStore::~SessionStore() = default;

const std::filesystem::path& SessionStore::path() const {
    return impl_->file();
}

std::int64_t SessionStore::createSession(const RecordingFacts& recording,
                                         const AnalysisSetup& setup) {
    return insertSession(recording, setup, SessionKind::Recording, "", "");
}

std::int64_t SessionStore::createLiveSession(const LiveSessionFacts& facts,
                                             const AnalysisSetup& setup) {
    RecordingFacts recording;
    recording.path = facts.recording_path;
    recording.fps = facts.fps;
    recording.width = facts.width;
    recording.height = facts.height;
    recording.frame_count = -1;  // open-ended
    return insertSession(recording, setup, SessionKind::Live, facts.label, facts.source);
}

std::int64_t SessionStore::insertSession(const RecordingFacts& recording,
                                         const AnalysisSetup& setup, SessionKind kind,
                                         const std::string& label, const std::string& source) {
    std::lock_guard lock(impl_->mutex);
    SqliteStatement insert(
        *impl_->database,
        "INSERT INTO sessions(recording_path, content_hash, size_bytes, fps, width, height, "
        "frame_count, model_path, model_architecture, model_hash, model_description, labels, "
        "detector, detector_version, detect_every, emotrace_version, state, created_utc, "
        "updated_utc, kind, label, source, started_utc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
        "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), "
        "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?18, ?19, ?20, "
        "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))");
    insert.bind(1, recording.path)
        .bind(2, recording.content_hash)
        .bind(3, recording.size_bytes)
        .bind(4, recording.fps)
        .bind(5, recording.width)
        .bind(6, recording.height)
        .bind(7, recording.frame_count)
        .bind(8, setup.model_path)
        .bind(9, setup.model_architecture)
        .bind(10, setup.model_hash)
        .bind(11, setup.model_description)
        .bind(12, labelsToText(setup.labels))
        .bind(13, setup.detector)
        .bind(14, setup.detector_version)
        .bind(15, setup.detect_every)
        .bind(16, setup.emotrace_version)
        .bind(17, stateKey(AnalysisState::InProgress))
        .bind(18, toString(kind))
        .bind(19, label)
        .bind(20, source)
        .run();
    return impl_->database->lastInsertId();
}

std::optional<SessionInfo> SessionStore::findSession(const std::string& content_hash,
                                                     const std::string& model_hash) const {
    std::lock_guard lock(impl_->mutex);
    SqliteStatement select(*impl_->database,
                           std::string("SELECT ") + kSessionColumns +
                               " FROM sessions WHERE content_hash = ?1 AND model_hash = ?2 "
                               "ORDER BY id DESC LIMIT 1");
    select.bind(1, content_hash).bind(2, model_hash);
    if (!select.step())
        return std::nullopt;
    return readSession(select, impl_->file());
}

SessionInfo SessionStore::session(std::int64_t id) const {
    std::lock_guard lock(impl_->mutex);
    SqliteStatement select(*impl_->database, std::string("SELECT ") + kSessionColumns +
                                                 " FROM sessions WHERE id = ?1");
    select.bind(1, id);
    if (!select.step())
        throw StoreError(unknownSession(id, impl_->file()));
    return readSession(select, impl_->file());
}

std::vector<SessionInfo> SessionStore::sessions() const {
    std::lock_guard lock(impl_->mutex);
    SqliteStatement select(*impl_->database, std::string("SELECT ") + kSessionColumns +
                                                 " FROM sessions ORDER BY id DESC");
    std::vector<SessionInfo> all;
    while (select.step())
        all.push_back(readSession(select, impl_->file()));
    return all;
}

void SessionStore::removeSession(std::int64_t id) {
    std::lock_guard lock(impl_->mutex);
    auto& database = *impl_->database;
    SqliteTransaction transaction(database);
    for (const char* table : {"faces", "frames", "markers", "live_moments", "moment_decisions",
                              "session_people", "session_baselines"}) {
        SqliteStatement remove(database,
                               std::string("DELETE FROM ") + table + " WHERE session_id = ?1");
        remove.bind(1, id).run();
    }
    SqliteStatement remove(database, "DELETE FROM sessions WHERE id = ?1");
    remove.bind(1, id).run();
    if (database.changes() == 0)
        throw StoreError(unknownSession(id, impl_->file()));
    transaction.commit();
}

void SessionStore::appendFrames(std::int64_t id, std::span<const FrameRecord> frames) {
    std::lock_guard lock(impl_->mutex);
    impl_->appendUnlocked(id, frames);
}

std::vector<FrameRecord> SessionStore::frames(std::int64_t id, std::int64_t first,
                                              std::int64_t count) const {
    if (first < 0 || count < 0) {
        throw std::invalid_argument("frames: first and count must not be negative, got " +
                                    std::to_string(first) + " and " + std::to_string(count));
    }
    const std::int64_t end = count > INT64_MAX - first ? INT64_MAX : first + count;
    std::lock_guard lock(impl_->mutex);
    return impl_->framesUnlocked(id, first, end);
}

void SessionStore::setState(std::int64_t id, AnalysisState state, const std::string& error) {
    std::lock_guard lock(impl_->mutex);
    SqliteTransaction transaction(*impl_->database);
    impl_->updateSession(id, "state", stateKey(state));
    impl_->updateSession(id, "error", error);
    transaction.commit();
}

void SessionStore::makeCommitsDurable() {
    std::lock_guard lock(impl_->mutex);
    impl_->database->execute("PRAGMA synchronous = FULL");
}

void SessionStore::relocateRecording(std::int64_t id, const std::string& new_path) {
    std::lock_guard lock(impl_->mutex);
    impl_->updateSession(id, "recording_path", new_path);
}

void SessionStore::setNote(std::int64_t id, const std::string& note) {
    std::lock_guard lock(impl_->mutex);
    impl_->updateSession(id, "note", note);
}

void SessionStore::setFollowedTrack(std::int64_t id, int track_id) {
    std::lock_guard lock(impl_->mutex);
    impl_->updateSession(id, "followed_track", std::to_string(track_id));  // INTEGER affinity
}

void SessionStore::setPerson(std::int64_t session, const Person& person) {
    std::lock_guard lock(impl_->mutex);
    SqliteStatement insert(*impl_->database,
                           "INSERT OR REPLACE INTO session_people(session_id, track_id, name, "
                           "followed, excluded) VALUES (?1, ?2, ?3, ?4, ?5)");
    insert.bind(1, session)
        .bind(2, static_cast<std::int64_t>(person.track_id))
        .bind(3, person.name)
        .bind(4, static_cast<std::int64_t>(person.followed ? 1 : 0))
        .bind(5, static_cast<std::int64_t>(person.excluded ? 1 : 0))
        .run();
}

void SessionStore::forgetTrack(std::int64_t session, int track_id) {
    std::lock_guard lock(impl_->mutex);
    SqliteStatement remove(*impl_->database,
                           "DELETE FROM faces WHERE session_id = ?1 AND track_id = ?2");
    remove.bind(1, session).bind(2, static_cast<std::int64_t>(track_id)).run();
}

std::vector<Person> SessionStore::people(std::int64_t session) const {
    std::lock_guard lock(impl_->mutex);
    SqliteStatement select(*impl_->database,
                           "SELECT track_id, name, followed, excluded FROM session_people "
                           "WHERE session_id = ?1 ORDER BY track_id");
    select.bind(1, session);
    std::vector<Person> all;
    while (select.step()) {
        all.push_back({.track_id = static_cast<int>(select.integer(0)),
                       .name = select.text(1),
                       .followed = select.integer(2) != 0,
                       .excluded = select.integer(3) != 0});
    }
    return all;
}

void SessionStore::setBaseline(std::int64_t session, const StoredBaseline& stored) {
    std::vector<float> offsets(stored.baseline.log_offsets.begin(),
                               stored.baseline.log_offsets.end());
    std::lock_guard lock(impl_->mutex);
    auto& database = *impl_->database;
    SqliteTransaction transaction(database);
    requireSession(database, session);
    SqliteStatement insert(
        database,
        "INSERT OR REPLACE INTO session_baselines(session_id, track_id, "
        "start_ms, end_ms, frames, log_offsets) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    insert.bind(1, session)
        .bind(2, static_cast<std::int64_t>(stored.track_id))
        .bind(3, stored.start_ms)
        .bind(4, stored.end_ms)
        .bind(5, static_cast<std::int64_t>(stored.baseline.frames))
        .bindBlob(6, probabilityBytes(offsets))
        .run();
    transaction.commit();
}

BaselinesByTrack baselinesByTrack(const std::vector<StoredBaseline>& stored) {
    BaselinesByTrack by_track;
    for (const auto& kept : stored)
        by_track[kept.track_id] = kept.baseline;
    return by_track;
}

const StoredBaseline* baselineOf(const std::vector<StoredBaseline>& stored, int track_id) {
    const auto found = std::find_if(stored.begin(), stored.end(), [track_id](const auto& kept) {
        return kept.track_id == track_id;
    });
    return found == stored.end() ? nullptr : &*found;
}

std::vector<StoredBaseline> SessionStore::baselines(std::int64_t session) const {
    std::lock_guard lock(impl_->mutex);
    SqliteStatement select(*impl_->database,
                           "SELECT track_id, start_ms, end_ms, frames, log_offsets FROM "
                           "session_baselines WHERE session_id = ?1 ORDER BY track_id");
    select.bind(1, session);
    std::vector<StoredBaseline> all;
    while (select.step()) {
        StoredBaseline stored;
        stored.track_id = static_cast<int>(select.integer(0));
        stored.start_ms = select.real(1);
        stored.end_ms = select.real(2);
        stored.baseline.frames = static_cast<std::size_t>(select.integer(3));
        const auto offsets = probabilitiesFromBytes(select.blob(4));
        stored.baseline.log_offsets.assign(offsets.begin(), offsets.end());
        all.push_back(std::move(stored));
    }
    return all;
}

void SessionStore::setLabel(std::int64_t id, const std::string& label) {
    std::lock_guard lock(impl_->mutex);
    impl_->updateSession(id, "label", label);
}

std::int64_t SessionStore::addMarker(std::int64_t session, const Marker& marker) {
    validateMarker(marker);
    std::lock_guard lock(impl_->mutex);
    auto& database = *impl_->database;
    SqliteTransaction transaction(database);
    requireSession(database, session);
    SqliteStatement insert(
        database,
        "INSERT INTO markers(session_id, start_ms, end_ms, label, note, exclude) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    insert.bind(1, session)
        .bind(2, marker.start_ms)
        .bind(3, marker.end_ms)
        .bind(4, marker.label)
        .bind(5, marker.note)
        .bind(6, marker.exclude ? 1 : 0)
        .run();
    const std::int64_t id = database.lastInsertId();
    transaction.commit();
    return id;
}

void SessionStore::updateMarker(const Marker& marker) {
    validateMarker(marker);
    std::lock_guard lock(impl_->mutex);
    SqliteStatement update(*impl_->database,
                           "UPDATE markers SET start_ms = ?2, end_ms = ?3, label = ?4, note = ?5, "
                           "exclude = ?6 WHERE id = ?1");
    update.bind(1, marker.id)
        .bind(2, marker.start_ms)
        .bind(3, marker.end_ms)
        .bind(4, marker.label)
        .bind(5, marker.note)
        .bind(6, marker.exclude ? 1 : 0)
        .run();
    if (impl_->database->changes() == 0)
        throw StoreError(unknownMarker(marker.id, impl_->file()));
}

void SessionStore::removeMarker(std::int64_t marker_id) {
    std::lock_guard lock(impl_->mutex);
    SqliteStatement remove(*impl_->database, "DELETE FROM markers WHERE id = ?1");
    remove.bind(1, marker_id).run();
    if (impl_->database->changes() == 0)
        throw StoreError(unknownMarker(marker_id, impl_->file()));
}

std::vector<Marker> SessionStore::markers(std::int64_t session) const {
    std::lock_guard lock(impl_->mutex);
    SqliteStatement select(*impl_->database,
                           "SELECT id, start_ms, end_ms, label, note, exclude FROM markers "
                           "WHERE session_id = ?1 ORDER BY start_ms, id");
    select.bind(1, session);
    std::vector<Marker> all;
    while (select.step()) {
        all.push_back({select.integer(0), select.real(1), select.real(2), select.text(3),
                       select.text(4), select.integer(5) != 0});
    }
    return all;
}

bool isSameMoment(const Moment& a, const Moment& b) {
    return a.track_id == b.track_id && a.label == b.label && a.start_ms <= b.end_ms &&
           b.start_ms <= a.end_ms;
}

void SessionStore::keepLiveMoment(std::int64_t session, const Moment& moment,
                                  std::span<const std::byte> thumbnail_jpeg) {
    std::lock_guard lock(impl_->mutex);
    SqliteStatement insert(
        *impl_->database,
        "INSERT OR REPLACE INTO live_moments(session_id, track_id, label, start_ms, end_ms, "
        "peak_ms, peak_frame, peak_probability, reported_ms, thumbnail) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    insert.bind(1, session)
        .bind(2, static_cast<std::int64_t>(moment.track_id))
        .bind(3, static_cast<std::int64_t>(moment.label))
        .bind(4, moment.start_ms)
        .bind(5, moment.end_ms)
        .bind(6, moment.peak_ms)
        .bind(7, moment.peak_frame)
        .bind(8, moment.peak_probability)
        .bind(9, moment.reported_ms)
        .bindBlob(10, thumbnail_jpeg)
        .run();
}

std::vector<KeptMoment> SessionStore::liveMoments(std::int64_t session) const {
    std::lock_guard lock(impl_->mutex);
    SqliteStatement select(*impl_->database,
                           "SELECT track_id, label, start_ms, end_ms, peak_ms, peak_frame, "
                           "peak_probability, reported_ms, thumbnail FROM live_moments "
                           "WHERE session_id = ?1 ORDER BY start_ms, track_id");
    select.bind(1, session);
    std::vector<KeptMoment> all;
    while (select.step()) {
        KeptMoment kept;
        kept.moment = Moment{.track_id = static_cast<int>(select.integer(0)),
                             .label = static_cast<int>(select.integer(1)),
                             .start_ms = select.real(2),
                             .end_ms = select.real(3),
                             .peak_ms = select.real(4),
                             .peak_frame = select.integer(5),
                             .peak_probability = select.real(6),
                             .reported_ms = select.real(7)};
        const auto bytes = select.blob(8);
        kept.thumbnail_jpeg.assign(bytes.begin(), bytes.end());
        all.push_back(std::move(kept));
    }
    return all;
}

void SessionStore::decideMoment(std::int64_t session, const Moment& moment,
                                MomentDecision decision) {
    std::lock_guard lock(impl_->mutex);
    auto& database = *impl_->database;
    SqliteTransaction transaction(database);
    requireSession(database, session);
    SqliteStatement insert(
        database,
        "INSERT OR REPLACE INTO moment_decisions(session_id, track_id, label, start_ms, end_ms, "
        "decision) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    insert.bind(1, session)
        .bind(2, static_cast<std::int64_t>(moment.track_id))
        .bind(3, static_cast<std::int64_t>(moment.label))
        .bind(4, moment.start_ms)
        .bind(5, moment.end_ms)
        .bind(6, std::string(decision == MomentDecision::Accepted ? "accepted" : "dismissed"))
        .run();
    transaction.commit();
}

void SessionStore::forgetMomentDecision(std::int64_t session, const Moment& moment) {
    std::lock_guard lock(impl_->mutex);
    SqliteStatement remove(*impl_->database,
                           "DELETE FROM moment_decisions WHERE session_id = ?1 AND track_id = ?2 "
                           "AND label = ?3 AND start_ms <= ?5 AND end_ms >= ?4");
    remove.bind(1, session)
        .bind(2, static_cast<std::int64_t>(moment.track_id))
        .bind(3, static_cast<std::int64_t>(moment.label))
        .bind(4, moment.start_ms)
        .bind(5, moment.end_ms)
        .run();
}

std::vector<DecidedMoment> SessionStore::momentDecisions(std::int64_t session) const {
    std::lock_guard lock(impl_->mutex);
    SqliteStatement select(*impl_->database,
                           "SELECT track_id, label, start_ms, end_ms, decision FROM "
                           "moment_decisions WHERE session_id = ?1 ORDER BY start_ms, track_id");
    select.bind(1, session);
    std::vector<DecidedMoment> all;
    while (select.step()) {
        DecidedMoment decided;
        decided.moment = Moment{.track_id = static_cast<int>(select.integer(0)),
                                .label = static_cast<int>(select.integer(1)),
                                .start_ms = select.real(2),
                                .end_ms = select.real(3)};
        decided.decision =
            select.text(4) == "accepted" ? MomentDecision::Accepted : MomentDecision::Dismissed;
        all.push_back(decided);
    }
    return all;
}

}  // namespace emotrace
