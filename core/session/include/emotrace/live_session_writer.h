// Keeps a live session in the session store while it runs: every result the pipeline produces
// (faces linked into tracks), the therapist's markers and label. Results are handed over from
// any thread without waiting for the disk; a writer thread of its own commits them in batched
// transactions at least every commit_interval, so a crash, kill -9 or power cut loses at most
// that much, and what was committed stays readable. When the store can no longer be written
// (full disk, removed folder) the session keeps running without it: failure() says why, and
// everything committed until then stays intact.
//
// With a recording, the frames the readings were made from are encoded into a video file beside
// the store (VideoRecorder: owner-only, crash-safe) on the same writer thread and in the same
// order, so recorded frame i is stored reading i and is presented at its timestamp. A recording
// that fails (a full disk, no encoder, a machine too slow to encode) stops on its own: the
// readings go on being kept, and recordingFailure() says why.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "emotrace/analysis_lock.h"
#include "emotrace/face_tracks.h"
#include "emotrace/moments.h"
#include "emotrace/session_store.h"
#include "emotrace/types.h"
#include "emotrace/video_recorder.h"

namespace emotrace {

struct LiveSessionOptions {
    // The most readings a crash can lose (the bar is one second).
    std::chrono::milliseconds commit_interval{250};
    // Readings waiting for the disk beyond this are dropped and counted (a stalled disk must
    // not grow memory without bound): a minute at 30 fps.
    std::size_t max_pending = 1800;
    FaceTrackerOptions tracks;
    // Record the analysed frames into recording_folder (empty: "recordings" beside the store).
    bool record = false;
    std::filesystem::path recording_folder;
    // Frames waiting for the encoder beyond this stop the recording (the readings go on): a
    // machine that cannot encode in real time must not grow memory by a frame every frame.
    // Frames are encoded as they come, so more than a few wait only when encoding falls behind.
    std::size_t max_pending_frames = 90;
};

class LiveSessionWriter {
  public:
    // Opens the store, creates the live session and starts the writer thread. Throws
    // StoreError when the store cannot be opened or written (the caller then runs without
    // keeping readings, and says so).
    LiveSessionWriter(const std::filesystem::path& store, const LiveSessionFacts& facts,
                      const AnalysisSetup& setup, LiveSessionOptions options = {});
    // finish() if it was not called.
    ~LiveSessionWriter();
    LiveSessionWriter(const LiveSessionWriter&) = delete;
    LiveSessionWriter& operator=(const LiveSessionWriter&) = delete;

    std::int64_t sessionId() const { return session_id_; }

    // Keeps a reading (without its image). Any thread; never waits for the disk. Stored frames
    // are numbered in the order they arrive (0, 1, 2, ...): a live source's own indices skip
    // the frames the pipeline dropped. Its timestamp is kept as it is.
    void add(const FrameResult& result);
    // A marker at a session time (a point when end_ms == start_ms), kept with the next batch.
    // Returns its number in this session (0, 1, ...) for setMarkerLabel: the marker is kept the
    // moment it is made, and its label may follow seconds later.
    int addMarker(const Marker& marker);
    void setMarkerLabel(int marker, const std::string& label);
    void setLabel(const std::string& label);
    // A moment found live, with the face at its peak (JPEG), kept with the next batch; the
    // same moment handed again (same track and start) replaces the first (it has ended).
    void keepMoment(const Moment& moment, std::vector<std::byte> thumbnail_jpeg);
    // The person the therapist follows (a track id as this writer links faces; -1: none).
    void setFollowedTrack(int track_id);
    // What the therapist said of a person (a track as this writer links faces): their name,
    // whether they are followed, whether they are left out. A person left out (the therapist's
    // own self-view) has none of their readings kept: those kept already are removed, and
    // later ones are not written, until they are included again.
    void setPerson(const Person& person);
    // A person's resting face (neutral_baseline.h), over a stretch of session time, kept with
    // the next batch; a later one for the same track replaces it.
    void setBaseline(const StoredBaseline& baseline);
    // After finish() these write to the store at once (the label can be typed afterwards);
    // they then throw StoreError when it fails.

    // Commits everything handed over, marks the session complete and stops the writer thread.
    // Further calls do nothing.
    void finish();

    // Why readings are no longer kept, once the store failed; nullopt while all is well.
    std::optional<std::string> failure() const;
    std::int64_t framesKept() const;     // committed to the store
    std::int64_t framesDropped() const;  // not kept: the store failed or fell behind

    // The recording's file; empty without one.
    const std::filesystem::path& recordingPath() const { return recording_path_; }
    // Whether frames are being recorded now (false once the recording failed).
    bool isRecording() const;
    // Why the recording stopped, once it failed; nullopt while all is well or without one.
    std::optional<std::string> recordingFailure() const;
    std::int64_t framesRecorded() const;

  private:
    struct Pending {
        std::vector<FrameResult> results;
        std::vector<Marker> markers;
        std::vector<std::pair<int, std::string>> marker_labels;
        std::optional<std::string> label;
        std::vector<std::pair<Moment, std::vector<std::byte>>> moments;
        std::optional<int> followed_track;
        // What was said of people, each with the number of readings handed over before it.
        std::vector<std::pair<std::size_t, Person>> people;
        std::vector<StoredBaseline> baselines;
    };

    void writeLoop(std::stop_token stop);
    void commit(Pending& pending);
    struct FrameToRecord {
        cv::Mat image;
        double timestamp_ms = 0.0;
    };
    // Encodes the frames (the writer thread), flushing the file with the readings' commit.
    void record(const std::deque<FrameToRecord>& frames, bool flush);
    void finishRecording();
    void failRecording(const std::string& why);  // with mutex_ held
    FrameRecord recordOf(const FrameResult& result);
    void keepPerson(const Person& person);  // the writer thread, or any after finish()

    std::filesystem::path store_path_;
    LiveSessionOptions options_;
    SessionStore store_;  // the writer thread's after construction
    std::int64_t session_id_ = 0;
    // Held while the session runs: a session in progress whose lock is free ended early.
    std::optional<AnalysisLock> running_;
    FaceTracker tracker_;
    std::set<int> excluded_;  // tracks whose readings are not kept; the writer thread's
    std::int64_t next_index_ = 0;
    std::vector<Marker> kept_markers_;  // with the store's ids, by number; the writer thread's
    int markers_made_ = 0;              // under mutex_
    std::filesystem::path recording_path_;
    std::unique_ptr<VideoRecorder> recorder_;  // the writer thread's; opened at the first frame
    bool recording_closed_ = false;            // the writer thread's

    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    Pending pending_;
    bool finishing_ = false;
    bool finished_ = false;  // finish() has returned: the store is the caller's
    std::optional<std::string> failure_;
    std::int64_t kept_ = 0;
    std::int64_t dropped_ = 0;
    bool recording_ = false;
    std::deque<FrameToRecord> frames_to_record_;  // in arrival order, as pending_'s readings
    std::optional<std::string> recording_failure_;
    std::int64_t recorded_ = 0;
    std::jthread writer_;  // last: starts when everything above exists, stops first
};

// Where a live session's recording goes: folder/live-<session id>-<UTC start>.mkv.
std::filesystem::path liveRecordingPath(const std::filesystem::path& folder,
                                        std::int64_t session_id);

// The lock key of a live session: held by its writer while it runs.
std::string liveSessionLockKey(std::int64_t session_id);

// How a stored session stands, for lists: "complete", "failed", "running" (a live session whose
// writer holds its lock), "ended early" (a live session in progress whose writer is gone: the
// process was killed or crashed), "in progress" (a recording's unfinished analysis).
std::string sessionStatus(const SessionInfo& session, const std::filesystem::path& store);

}  // namespace emotrace
