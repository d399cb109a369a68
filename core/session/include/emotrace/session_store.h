// The session store: one local SQLite database (no server) that keeps every analysed recording
// with its per-frame results, the model and detector that produced them, and the clinician's
// markers and notes. It holds health data, so it lives in the user's data directory with
// owner-only permissions and nothing in it ever leaves the machine.
//
// Results are appended in batches, each in one transaction, and must continue exactly where the
// stored frames end: an analysis killed midway resumes with no frame missing or duplicated.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "emotrace/error.h"
#include "emotrace/moments.h"
#include "emotrace/neutral_baseline.h"
#include "emotrace/types.h"

namespace emotrace {

// The database cannot be opened or used: locked by another process, corrupt, written by a newer
// emotrace, or on a full disk. The message names the file and what to do.
class StoreError : public Error {
  public:
    using Error::Error;
};

// What identifies a recording independently of where it lies on disk.
struct RecordingFacts {
    std::string path;          // absolute path when it was analysed (may move later)
    std::string content_hash;  // see recordingFingerprint()
    std::int64_t size_bytes = 0;
    double fps = 0.0;
    int width = 0;
    int height = 0;
    std::int64_t frame_count = 0;  // as the container reports it; analysis may find fewer
};

// Which model and detector produced the results, so a reopened session says what it shows.
struct AnalysisSetup {
    std::string model_path;  // empty: analysed without an emotion model (boxes only)
    std::string model_architecture;
    std::string model_hash;  // fingerprint of the model file
    std::string model_description;
    std::vector<std::string> labels;  // the probability order of every stored face
    std::string detector;             // "yunet2023", ...
    std::string detector_version;     // e.g. the detector model's file name
    int detect_every = 1;             // detector run on every n-th frame, tracked in between
    std::string emotrace_version;
};

enum class AnalysisState { InProgress, Complete, Failed };
std::string toString(AnalysisState state);

// A recording analysed after the fact, or a live session kept while it ran (the dashboard).
enum class SessionKind { Recording, Live };
std::string toString(SessionKind kind);  // "recording", "live"

// What is known of a live session when it starts.
struct LiveSessionFacts {
    std::string source;  // as the user chose it: "camera:0", "screen:0,0,1280,720", a file
    std::string label;   // the therapist's label (a pseudonymous client code and a note)
    double fps = 0.0;    // the source's nominal rate; 0 when unknown
    int width = 0;
    int height = 0;
    std::string recording_path;  // the video recorded beside the store; empty: none
};

// A point marker has end_ms == start_ms. An exclusion marks a range left out of the statistics.
struct Marker {
    std::int64_t id = 0;  // assigned by the store
    double start_ms = 0.0;
    double end_ms = 0.0;
    std::string label;
    std::string note;
    bool exclude = false;
};

struct KeptMoment {
    Moment moment;
    std::vector<std::byte> thumbnail_jpeg;
};

enum class MomentDecision { Accepted, Dismissed };
struct DecidedMoment {
    Moment moment;  // track, label, start and end
    MomentDecision decision = MomentDecision::Accepted;
};
// Whether a decision is about this moment: same track and emotion, and their times overlap
// (a moment found again at another sensitivity starts a little earlier or later).
bool isSameMoment(const Moment& a, const Moment& b);

// A person of a session as the therapist told them apart: a face's track with a short name,
// whether the timeline followed them and whether they were left out (the self-view).
struct Person {
    int track_id = 0;
    std::string name{};  // empty: unnamed
    bool followed = false;
    bool excluded = false;
    bool operator==(const Person&) const = default;
};

// A person's neutral baseline (neutral_baseline.h) as taken in a session: over which stretch,
// and the offsets it fitted.
struct StoredBaseline {
    int track_id = 0;
    double start_ms = 0.0;
    double end_ms = 0.0;
    NeutralBaseline baseline{};
};

// The stored baselines as applyNeutralBaseline wants them: each track's offsets.
BaselinesByTrack baselinesByTrack(const std::vector<StoredBaseline>& stored);
// The one kept for this track; null when it has none.
const StoredBaseline* baselineOf(const std::vector<StoredBaseline>& stored, int track_id);

struct SessionInfo {
    std::int64_t id = 0;
    RecordingFacts recording;
    AnalysisSetup setup;
    AnalysisState state = AnalysisState::InProgress;
    std::string error;               // why analysis stopped early (Failed), else empty
    std::int64_t frames_stored = 0;  // frames 0 .. frames_stored-1 are in the store
    std::string note;                // the clinician's free-text note on the whole session
    std::string created_utc;         // ISO 8601
    std::string updated_utc;
    double last_timestamp_ms = 0.0;  // media time of the last stored frame (0 when none)
    SessionKind kind = SessionKind::Recording;
    std::string label;        // the therapist's label; empty when none was given
    std::string source;       // live: the source as chosen; recordings: empty
    std::string started_utc;  // wall-clock start (ISO 8601): live, when it began; else created
    int followed_track = -1;  // the person the therapist chose to follow live; -1: none chosen
};

// From the first stored frame to the end of the last one (shown for one nominal frame
// interval): media time, so a variable-frame-rate recording gets its real length.
double sessionDurationSeconds(const SessionInfo& session);

// A cheap, stable fingerprint of a (possibly multi-GB) file: size plus SHA-256 over its first,
// middle and last MiB, as hex. Throws SourceError when the file cannot be read.
std::string recordingFingerprint(const std::filesystem::path& file);
// An emotion model's fingerprint as the app loads it: the file's, joined by its companion for
// tilted faces' (tiltedModelPath) when one lies beside it, so that a session read with the pair
// is not taken for one read by the model alone. Throws SourceError as recordingFingerprint.
std::string modelFingerprint(const std::filesystem::path& model);

// $XDG_DATA_HOME/emotrace/sessions.sqlite, else ~/.local/share/emotrace/sessions.sqlite.
std::filesystem::path defaultStorePath();

class SessionStore {
  public:
    // Opens or creates the database (and its folder, mode 0700; the file and its journal 0600).
    // Throws StoreError when it is locked for longer than a few seconds, is not an emotrace
    // database or is corrupt (integrity check), or has a newer schema version than this build.
    explicit SessionStore(const std::filesystem::path& database);
    ~SessionStore();
    SessionStore(const SessionStore&) = delete;
    SessionStore& operator=(const SessionStore&) = delete;

    const std::filesystem::path& path() const;

    // Every commit of this connection reaches the disk before it returns (SQLite's synchronous
    // = FULL), so a power cut loses nothing committed. The default (NORMAL, with WAL) may lose
    // the commits since the last checkpoint on a power cut, never consistency: right for an
    // analysis that resumes, not for a live session that cannot be played again.
    void makeCommitsDurable();

    std::int64_t createSession(const RecordingFacts& recording, const AnalysisSetup& setup);
    // A live session, in progress from now; its frames are appended as they are analysed.
    std::int64_t createLiveSession(const LiveSessionFacts& facts, const AnalysisSetup& setup);
    // The newest session of this recording content analysed with this model hash, if any.
    std::optional<SessionInfo> findSession(const std::string& content_hash,
                                           const std::string& model_hash) const;
    SessionInfo session(std::int64_t id) const;  // throws StoreError for an unknown id
    std::vector<SessionInfo> sessions() const;   // newest first
    void removeSession(std::int64_t id);

    // Appends frames in one transaction. They must be consecutive and start at frames_stored,
    // and their faces must have 0 or labels.size() probabilities; otherwise throws
    // std::invalid_argument and stores nothing.
    void appendFrames(std::int64_t id, std::span<const FrameRecord> frames);
    // Frames [first, first + count) that are stored, in order.
    std::vector<FrameRecord> frames(std::int64_t id, std::int64_t first = 0,
                                    std::int64_t count = INT64_MAX) const;

    void setState(std::int64_t id, AnalysisState state, const std::string& error = {});
    void relocateRecording(std::int64_t id, const std::string& new_path);
    void setNote(std::int64_t id, const std::string& note);
    void setLabel(std::int64_t id, const std::string& label);
    // The person followed (a track id; -1: none): the review and exports follow them too.
    void setFollowedTrack(std::int64_t id, int track_id);
    // What is known of one person of the session; replaces what was kept for the track before.
    void setPerson(std::int64_t session, const Person& person);
    std::vector<Person> people(std::int64_t session) const;  // by track id
    // The person's resting-face baseline; replaces the one kept for the track before.
    void setBaseline(std::int64_t session, const StoredBaseline& baseline);
    std::vector<StoredBaseline> baselines(std::int64_t session) const;  // by track id
    // Removes every reading of one track (a person left out after the fact); the frames stay.
    void forgetTrack(std::int64_t session, int track_id);

    std::int64_t addMarker(std::int64_t session, const Marker& marker);  // returns its id
    void updateMarker(const Marker& marker);
    void removeMarker(std::int64_t marker_id);
    std::vector<Marker> markers(std::int64_t session) const;  // by start time

    // A moment found live, with the face at its peak (JPEG bytes; empty when none was cut). A
    // moment with the same track and start replaces the one kept before (its end and peak
    // grow while it lasts).
    void keepLiveMoment(std::int64_t session, const Moment& moment,
                        std::span<const std::byte> thumbnail_jpeg);
    std::vector<KeptMoment> liveMoments(std::int64_t session) const;  // by start time
    // The reviewer's decision on a moment (found by track, emotion and start); a second
    // decision on the same moment replaces the first.
    void decideMoment(std::int64_t session, const Moment& moment, MomentDecision decision);
    void forgetMomentDecision(std::int64_t session, const Moment& moment);
    std::vector<DecidedMoment> momentDecisions(std::int64_t session) const;

    // The schema version this build writes; a database with a higher one is refused.
    static constexpr int kSchemaVersion = 5;

  private:
    std::int64_t insertSession(const RecordingFacts& recording, const AnalysisSetup& setup,
                               SessionKind kind, const std::string& label,
                               const std::string& source);

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace emotrace
