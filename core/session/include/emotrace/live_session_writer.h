// Keeps a live session in the session store while it runs: every result the pipeline produces
// (faces linked into tracks), the therapist's markers and label. Results are handed over from
// any thread without waiting for the disk; a writer thread of its own commits them in batched
// transactions at least every commit_interval, so a crash, kill -9 or power cut loses at most
// that much, and what was committed stays readable. When the store can no longer be written
// (full disk, removed folder) the session keeps running without it: failure() says why, and
// everything committed until then stays intact.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "emotrace/analysis_lock.h"
#include "emotrace/face_tracks.h"
#include "emotrace/session_store.h"
#include "emotrace/types.h"

namespace emotrace {

struct LiveSessionOptions {
    // The most readings a crash can lose (the bar is one second).
    std::chrono::milliseconds commit_interval{250};
    // Readings waiting for the disk beyond this are dropped and counted (a stalled disk must
    // not grow memory without bound): a minute at 30 fps.
    std::size_t max_pending = 1800;
    FaceTrackerOptions tracks;
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
    // A marker at a session time (a point when end_ms == start_ms). Kept with the next batch.
    void addMarker(const Marker& marker);
    void setLabel(const std::string& label);

    // Commits everything handed over, marks the session complete and stops the writer thread.
    // Further calls do nothing.
    void finish();

    // Why readings are no longer kept, once the store failed; nullopt while all is well.
    std::optional<std::string> failure() const;
    std::int64_t framesKept() const;     // committed to the store
    std::int64_t framesDropped() const;  // not kept: the store failed or fell behind

  private:
    struct Pending {
        std::vector<FrameResult> results;
        std::vector<Marker> markers;
        std::optional<std::string> label;
    };

    void writeLoop(std::stop_token stop);
    void commit(Pending& pending);
    FrameRecord recordOf(const FrameResult& result);

    std::filesystem::path store_path_;
    LiveSessionOptions options_;
    SessionStore store_;  // the writer thread's after construction
    std::int64_t session_id_ = 0;
    // Held while the session runs: a session in progress whose lock is free ended early.
    std::optional<AnalysisLock> running_;
    FaceTracker tracker_;
    std::int64_t next_index_ = 0;

    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    Pending pending_;
    bool finishing_ = false;
    std::optional<std::string> failure_;
    std::int64_t kept_ = 0;
    std::int64_t dropped_ = 0;
    std::jthread writer_;  // last: starts when everything above exists, stops first
};

// The lock key of a live session: held by its writer while it runs.
std::string liveSessionLockKey(std::int64_t session_id);

// How a stored session stands, for lists: "complete", "failed", "running" (a live session whose
// writer holds its lock), "ended early" (a live session in progress whose writer is gone: the
// process was killed or crashed), "in progress" (a recording's unfinished analysis).
std::string sessionStatus(const SessionInfo& session, const std::filesystem::path& store);

}  // namespace emotrace
