#include "session_database.h"

#include <sys/stat.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "emotrace/session_store.h"

namespace emotrace {
namespace {

// Version 3: the moments found live, with the face at each one's peak (a small JPEG), the
// reviewer's decisions on moments (accepted as a marker, dismissed), and the person followed
// live (sessions.followed_track). Review recomputes moments
// from the readings; these tables keep what cannot be recomputed.
constexpr const char* kMomentTables = R"sql(
CREATE TABLE IF NOT EXISTS live_moments(
    session_id INTEGER NOT NULL, track_id INTEGER NOT NULL, label INTEGER NOT NULL,
    start_ms REAL NOT NULL, end_ms REAL NOT NULL, peak_ms REAL NOT NULL,
    peak_frame INTEGER NOT NULL, peak_probability REAL NOT NULL, reported_ms REAL NOT NULL,
    thumbnail BLOB NOT NULL,
    PRIMARY KEY (session_id, track_id, start_ms)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS moment_decisions(
    session_id INTEGER NOT NULL, track_id INTEGER NOT NULL, label INTEGER NOT NULL,
    start_ms REAL NOT NULL, end_ms REAL NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('accepted', 'dismissed')),
    PRIMARY KEY (session_id, track_id, label, start_ms)) WITHOUT ROWID;
)sql";

// Version 4: the people of a session, as the therapist told them apart live: a short name per
// track ("client", "therapist"), whether the timeline followed them, and whether they were left
// out (the therapist's own self-view). Tracks without a row are unnamed, followed by no one,
// kept.
constexpr const char* kPeopleTable = R"sql(
CREATE TABLE IF NOT EXISTS session_people(
    session_id INTEGER NOT NULL, track_id INTEGER NOT NULL, name TEXT NOT NULL DEFAULT '',
    followed INTEGER NOT NULL DEFAULT 0, excluded INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, track_id)) WITHOUT ROWID;
)sql";

// Version 5: each face's reading quality (face_quality.h): the quality, the head pose (NULL
// without landmarks), sharpness, exposure and what limits it. Faces stored before have NULL
// quality: "not measured", never "bad".
constexpr const char* kQualityColumns = R"sql(
ALTER TABLE faces ADD COLUMN quality REAL;
ALTER TABLE faces ADD COLUMN head_roll REAL;
ALTER TABLE faces ADD COLUMN head_yaw REAL;
ALTER TABLE faces ADD COLUMN head_pitch REAL;
ALTER TABLE faces ADD COLUMN sharpness REAL;
ALTER TABLE faces ADD COLUMN brightness REAL;
ALTER TABLE faces ADD COLUMN clipped_share REAL;
ALTER TABLE faces ADD COLUMN quality_limited_by TEXT;
)sql";

// Also version 5: each person's neutral baseline (neutral_baseline.h), one per track: the
// stretch it was taken over and its log-probability offsets (little-endian float32, in the
// session's label order).
constexpr const char* kBaselineTable = R"sql(
CREATE TABLE IF NOT EXISTS session_baselines(
    session_id INTEGER NOT NULL, track_id INTEGER NOT NULL, start_ms REAL NOT NULL,
    end_ms REAL NOT NULL, frames INTEGER NOT NULL, log_offsets BLOB NOT NULL,
    PRIMARY KEY (session_id, track_id)) WITHOUT ROWID;
)sql";

// Frames and faces are keyed by (session, frame[, face]) WITHOUT ROWID, so one session's rows lie
// together in primary-key order: reading a whole session is one sequential range scan per table.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recording_path TEXT NOT NULL, content_hash TEXT NOT NULL, size_bytes INTEGER NOT NULL,
    fps REAL NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,
    frame_count INTEGER NOT NULL,
    model_path TEXT NOT NULL, model_architecture TEXT NOT NULL, model_hash TEXT NOT NULL,
    model_description TEXT NOT NULL, labels TEXT NOT NULL, detector TEXT NOT NULL,
    detector_version TEXT NOT NULL, detect_every INTEGER NOT NULL,
    emotrace_version TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('in_progress', 'complete', 'failed')),
    error TEXT NOT NULL DEFAULT '', frames_stored INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '', created_utc TEXT NOT NULL, updated_utc TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'recording' CHECK (kind IN ('recording', 'live')),
    label TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '',
    started_utc TEXT NOT NULL DEFAULT '', followed_track INTEGER NOT NULL DEFAULT -1);
CREATE INDEX IF NOT EXISTS sessions_by_content ON sessions(content_hash, model_hash);
CREATE TABLE IF NOT EXISTS frames(
    session_id INTEGER NOT NULL, frame_index INTEGER NOT NULL, timestamp_ms REAL NOT NULL,
    PRIMARY KEY (session_id, frame_index)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS faces(
    session_id INTEGER NOT NULL, frame_index INTEGER NOT NULL, face_index INTEGER NOT NULL,
    track_id INTEGER NOT NULL, x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL,
    h REAL NOT NULL, confidence REAL NOT NULL, detected INTEGER NOT NULL,
    probabilities BLOB NOT NULL,
    PRIMARY KEY (session_id, frame_index, face_index)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS markers(
    id INTEGER PRIMARY KEY AUTOINCREMENT, session_id INTEGER NOT NULL,
    start_ms REAL NOT NULL, end_ms REAL NOT NULL, label TEXT NOT NULL, note TEXT NOT NULL,
    exclude INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS markers_by_session ON markers(session_id, start_ms);
)sql";

// umask is process-wide: held only while files are being created, so another thread's files
// are affected for milliseconds at most.
class OwnerOnlyCreation {
  public:
    OwnerOnlyCreation() : previous_(::umask(077)) {}
    ~OwnerOnlyCreation() { ::umask(previous_); }
    OwnerOnlyCreation(const OwnerOnlyCreation&) = delete;
    OwnerOnlyCreation& operator=(const OwnerOnlyCreation&) = delete;

  private:
    mode_t previous_;
};

void createFolder(const std::filesystem::path& folder) {
    if (folder.empty() || std::filesystem::exists(folder))
        return;
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (!error) {
        std::filesystem::permissions(folder, std::filesystem::perms::owner_all,
                                     std::filesystem::perm_options::replace, error);
    }
    if (error) {
        throw StoreError("cannot create the folder " + folder.string() +
                         " for the session database: " + error.message());
    }
}

// SQLite would report a file that is not SQLite only at the first query, with a generic message.
void requireSqliteHeader(const std::filesystem::path& file) {
    std::error_code error;
    if (!std::filesystem::exists(file, error) || std::filesystem::file_size(file, error) == 0)
        return;
    static constexpr std::string_view kMagic{"SQLite format 3\0", 16};
    std::array<char, 16> header{};
    std::ifstream in(file, std::ios::binary);
    in.read(header.data(), header.size());
    if (!in || std::string_view(header.data(), header.size()) != kMagic)
        throw StoreError(damagedDatabaseMessage(file, "it is not an SQLite file"));
}

void restrictToOwner(const std::filesystem::path& file) {
    const auto owner_rw = std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
    std::error_code error;
    std::filesystem::permissions(file, owner_rw, std::filesystem::perm_options::replace, error);
    if (error) {
        throw StoreError("cannot make the session database " + file.string() +
                         " private to you: " + error.message());
    }
    // SQLite gives its journal files the database's mode; these may predate this build.
    for (const char* suffix : {"-wal", "-shm"}) {
        auto journal = file;
        journal += suffix;
        if (std::filesystem::exists(journal, error))
            std::filesystem::permissions(journal, owner_rw, std::filesystem::perm_options::replace,
                                         error);
    }
}

void requireIntact(SqliteConnection& database) {
    // quick_check reads every page but skips index-content checks: O(size), fast enough to run
    // on every open.
    SqliteStatement check(database, "PRAGMA quick_check");
    if (!check.step())
        throw StoreError(
            damagedDatabaseMessage(database.file(), "the integrity check said nothing"));
    const std::string verdict = check.text(0);
    if (verdict != "ok")
        throw StoreError(damagedDatabaseMessage(database.file(), verdict));
}

std::string countTables(SqliteConnection& database, const std::string& condition) {
    return database
        .queryText("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND " + condition)
        .value_or("0");
}

// Version 2 added live sessions: what kind a session is, the therapist's label, the source as
// chosen and the wall-clock start. Older sessions are recordings; their start is their creation.
void upgradeFromVersion1(SqliteConnection& database) {
    database.execute(
        "ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'recording' "
        "CHECK (kind IN ('recording', 'live'));"
        "ALTER TABLE sessions ADD COLUMN label TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE sessions ADD COLUMN source TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE sessions ADD COLUMN started_utc TEXT NOT NULL DEFAULT '';"
        "UPDATE sessions SET started_utc = created_utc;"
        "UPDATE meta SET value = '2' WHERE key = 'schema_version';");
}

void upgradeFromVersion2(SqliteConnection& database) {
    database.execute(kMomentTables);
    database.execute(
        "ALTER TABLE sessions ADD COLUMN followed_track INTEGER NOT NULL DEFAULT -1;"
        "UPDATE meta SET value = '3' WHERE key = 'schema_version';");
}

void upgradeFromVersion3(SqliteConnection& database) {
    database.execute(kPeopleTable);
    database.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version';");
}

void upgradeFromVersion4(SqliteConnection& database) {
    database.execute(kQualityColumns);
    database.execute(kBaselineTable);
    database.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version';");
}

// The store's schema version, checked: a number this build can read.
int schemaVersion(SqliteConnection& database) {
    const auto text =
        database.queryText("SELECT value FROM meta WHERE key = 'schema_version'").value_or("");
    int version = 0;
    try {
        version = std::stoi(text);
    } catch (const std::exception&) {
        throw StoreError(
            damagedDatabaseMessage(database.file(), "schema version '" + text + "' is no number"));
    }
    if (version > SessionStore::kSchemaVersion) {
        throw StoreError("database " + database.file().string() +
                         " was written by a newer emotrace (schema " + std::to_string(version) +
                         ", this build reads up to " +
                         std::to_string(SessionStore::kSchemaVersion) +
                         "): update emotrace or choose another database");
    }
    return version;
}

// Another emotrace program may be creating or upgrading the same store at this moment (the
// dashboard and emotrace-analyze started together), so each change is decided again under the
// write lock (BEGIN IMMEDIATE waits for the other): only one of them creates or upgrades it,
// and the other finds it done.
void createOrCheckSchema(SqliteConnection& database) {
    if (countTables(database, "name = 'meta'") == "0") {
        SqliteTransaction transaction(database);
        if (countTables(database, "name = 'meta'") == "0") {
            if (countTables(database, "name NOT LIKE 'sqlite_%'") != "0") {
                throw StoreError("database " + database.file().string() +
                                 " is an SQLite file of another program, not an emotrace "
                                 "database; choose another file");
            }
            database.execute(kSchema);
            database.execute(kMomentTables);
            database.execute(kPeopleTable);
            database.execute(kQualityColumns);
            database.execute(kBaselineTable);
            database.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', '" +
                             std::to_string(SessionStore::kSchemaVersion) + "')");
        }
        transaction.commit();
    }
    if (schemaVersion(database) == SessionStore::kSchemaVersion)
        return;
    SqliteTransaction transaction(database);
    const int version = schemaVersion(database);
    if (version == 1)
        upgradeFromVersion1(database);
    if (version <= 2)
        upgradeFromVersion2(database);
    if (version <= 3)
        upgradeFromVersion3(database);
    if (version <= 4)
        upgradeFromVersion4(database);
    transaction.commit();
}

std::unique_ptr<SqliteConnection> connectAndSetUp(const std::filesystem::path& file) {
    std::unique_ptr<SqliteConnection> database;
    {
        OwnerOnlyCreation owner_only;
        database = std::make_unique<SqliteConnection>(file);
        // The first statement creates the file; WAL mode then creates -wal and -shm.
        database->queryText("PRAGMA journal_mode = WAL");
    }
    restrictToOwner(file);
    requireIntact(*database);
    // With WAL, NORMAL loses at most the last commits on power loss, never consistency.
    database->execute("PRAGMA synchronous = NORMAL");
    createOrCheckSchema(*database);
    return database;
}

}  // namespace

std::unique_ptr<SqliteConnection> openSessionDatabase(const std::filesystem::path& file) {
    if (std::error_code error; std::filesystem::is_directory(file, error)) {
        throw StoreError("the session store " + file.string() +
                         " is a folder; the store is a database file, e.g. " +
                         (file / "sessions.sqlite").string());
    }
    createFolder(file.parent_path());
    requireSqliteHeader(file);
    // Two programs opening a new store at once (the dashboard and emotrace-analyze): while one
    // switches the new file to WAL, SQLite tells the other "busy" at once, without its busy
    // timeout, so that one connects again for a few seconds before it gives up.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
        try {
            return connectAndSetUp(file);
        } catch (const SqliteFailure& failure) {
            if (!failure.busy() || std::chrono::steady_clock::now() > give_up)
                throw;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

std::filesystem::path defaultStorePath() {
    const char* data_home = std::getenv("XDG_DATA_HOME");
    std::filesystem::path base;
    // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    if (data_home != nullptr && std::filesystem::path(data_home).is_absolute()) {
        base = data_home;
    } else {
        const char* home = std::getenv("HOME");
        if (home == nullptr || *home == '\0') {
            throw StoreError(
                "cannot find the data directory: neither XDG_DATA_HOME nor HOME is set");
        }
        base = std::filesystem::path(home) / ".local" / "share";
    }
    return base / "emotrace" / "sessions.sqlite";
}

}  // namespace emotrace
