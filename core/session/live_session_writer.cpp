#include "emotrace/live_session_writer.h"

#include <sys/resource.h>
#include <unistd.h>

#include <ctime>
#include <exception>
#include <map>
#include <utility>

namespace emotrace {
namespace {

constexpr int kWriterNice = 10;

}  // namespace

std::filesystem::path liveRecordingPath(const std::filesystem::path& folder,
                                        std::int64_t session_id) {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char stamp[32] = {};
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
    return folder / ("live-" + std::to_string(session_id) + "-" + stamp + ".mkv");
}

std::string liveSessionLockKey(std::int64_t session_id) {
    return "live-session-" + std::to_string(session_id);
}

std::string sessionStatus(const SessionInfo& session, const std::filesystem::path& store) {
    switch (session.state) {
        case AnalysisState::Complete:
            return "complete";
        case AnalysisState::Failed:
            return "failed";
        case AnalysisState::InProgress:
            break;
    }
    if (session.kind != SessionKind::Live)
        return "in progress";
    // The writer holds the lock for as long as its process runs; the kernel frees it when the
    // process dies, however it dies.
    return AnalysisLock::tryAcquire(store, liveSessionLockKey(session.id)) ? "ended early"
                                                                           : "running";
}

LiveSessionWriter::LiveSessionWriter(const std::filesystem::path& store,
                                     const LiveSessionFacts& facts, const AnalysisSetup& setup,
                                     LiveSessionOptions options)
    : store_path_(store),
      options_(options),
      store_(store),
      session_id_(store_.createLiveSession(facts, setup)),
      running_(AnalysisLock::tryAcquire(store, liveSessionLockKey(session_id_))),
      tracker_(options.tracks) {
    // A live session cannot be played again: a commit must survive a power cut too. One fsync
    // per commit, four a second, on the writer thread.
    store_.makeCommitsDurable();
    if (options_.record) {
        // Beside the store, as private as the store: the folder is the owner's alone.
        const auto folder = options_.recording_folder.empty() ? store.parent_path() / "recordings"
                                                              : options_.recording_folder;
        try {
            if (std::filesystem::create_directories(folder) || options_.recording_folder.empty()) {
                std::filesystem::permissions(folder, std::filesystem::perms::owner_all,
                                             std::filesystem::perm_options::replace);
            }
            recording_path_ = liveRecordingPath(folder, session_id_);
            store_.relocateRecording(session_id_, recording_path_.string());
            recording_ = true;
        } catch (const std::exception& e) {
            recording_path_.clear();
            recording_failure_ = "the session is not recorded: " + std::string(e.what()) +
                                 ". The readings are still kept";
        }
    }
    writer_ = std::jthread([this](std::stop_token stop) { writeLoop(stop); });
}

LiveSessionWriter::~LiveSessionWriter() {
    finish();
}

void LiveSessionWriter::add(const FrameResult& result) {
    std::lock_guard lock(mutex_);
    if (finishing_)
        return;
    if (failure_ || pending_.results.size() >= options_.max_pending) {
        ++dropped_;
        return;
    }
    if (recording_ && frames_to_record_.size() >= options_.max_pending_frames) {
        failRecording(
            "the recording stopped: this machine could not encode the frames as fast "
            "as they came");
    }
    const bool record_frame = recording_ && !result.image.empty();
    if (record_frame)
        frames_to_record_.push_back({result.image, result.timestamp_ms});
    FrameResult kept = result;
    kept.image = cv::Mat();  // the readings are kept, not the pixels
    pending_.results.push_back(std::move(kept));
    if (record_frame)
        wake_.notify_one();  // each frame is encoded as it comes: no burst every commit
}

int LiveSessionWriter::addMarker(const Marker& marker) {
    {
        std::lock_guard lock(mutex_);
        if (!finished_) {
            pending_.markers.push_back(marker);
            return markers_made_++;
        }
    }
    // The writer thread is gone: the store is the caller's.
    auto kept = marker;
    kept.id = store_.addMarker(session_id_, marker);
    kept_markers_.push_back(kept);
    std::lock_guard lock(mutex_);
    return markers_made_++;
}

void LiveSessionWriter::setMarkerLabel(int marker, const std::string& label) {
    {
        std::lock_guard lock(mutex_);
        if (marker < 0 || marker >= markers_made_)
            return;
        if (!finished_) {
            pending_.marker_labels.emplace_back(marker, label);
            return;
        }
    }
    if (static_cast<std::size_t>(marker) >= kept_markers_.size())
        return;  // lost with a store that failed
    auto& kept = kept_markers_[static_cast<std::size_t>(marker)];
    kept.label = label;
    store_.updateMarker(kept);
}

void LiveSessionWriter::setLabel(const std::string& label) {
    {
        std::lock_guard lock(mutex_);
        if (!finished_) {
            pending_.label = label;
            return;
        }
    }
    store_.setLabel(session_id_, label);
}

void LiveSessionWriter::keepMoment(const Moment& moment, std::vector<std::byte> thumbnail_jpeg) {
    {
        std::lock_guard lock(mutex_);
        if (!finished_) {
            pending_.moments.emplace_back(moment, std::move(thumbnail_jpeg));
            return;
        }
    }
    store_.keepLiveMoment(session_id_, moment, thumbnail_jpeg);
}

void LiveSessionWriter::setFollowedTrack(int track_id) {
    {
        std::lock_guard lock(mutex_);
        if (!finished_) {
            pending_.followed_track = track_id;
            return;
        }
    }
    store_.setFollowedTrack(session_id_, track_id);
}

void LiveSessionWriter::setPerson(const Person& person) {
    {
        std::lock_guard lock(mutex_);
        if (!finished_) {
            pending_.people.emplace_back(pending_.results.size(), person);
            return;
        }
    }
    keepPerson(person);
}

void LiveSessionWriter::setBaseline(const StoredBaseline& baseline) {
    {
        std::lock_guard lock(mutex_);
        if (!finished_) {
            pending_.baselines.push_back(baseline);
            return;
        }
    }
    store_.setBaseline(session_id_, baseline);
}

void LiveSessionWriter::keepPerson(const Person& person) {
    store_.setPerson(session_id_, person);
    if (person.excluded) {
        excluded_.insert(person.track_id);
        store_.forgetTrack(session_id_, person.track_id);
    } else {
        excluded_.erase(person.track_id);
    }
}

void LiveSessionWriter::finish() {
    {
        std::lock_guard lock(mutex_);
        if (finishing_)
            return;
        finishing_ = true;
    }
    wake_.notify_all();
    if (writer_.joinable())
        writer_.join();  // the writer commits what is pending before it ends
    if (!failure()) {
        try {
            store_.setState(session_id_, AnalysisState::Complete);
        } catch (const std::exception& e) {
            std::lock_guard lock(mutex_);
            failure_ = std::string("the session could not be closed: ") + e.what();
        }
    }
    running_.reset();
    std::lock_guard lock(mutex_);
    finished_ = true;
}

std::optional<std::string> LiveSessionWriter::failure() const {
    std::lock_guard lock(mutex_);
    return failure_;
}

std::int64_t LiveSessionWriter::framesKept() const {
    std::lock_guard lock(mutex_);
    return kept_;
}

std::int64_t LiveSessionWriter::framesDropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
}

bool LiveSessionWriter::isRecording() const {
    std::lock_guard lock(mutex_);
    return recording_;
}

std::optional<std::string> LiveSessionWriter::recordingFailure() const {
    std::lock_guard lock(mutex_);
    if (!recording_failure_ || recording_path_.empty())
        return recording_failure_;
    return *recording_failure_ +
           (recorded_ == 0 ? std::string("; nothing was recorded")
                           : "; the " + std::to_string(recorded_) + " frames recorded stay in " +
                                 recording_path_.string()) +
           ". The readings are still kept";
}

std::int64_t LiveSessionWriter::framesRecorded() const {
    std::lock_guard lock(mutex_);
    return recorded_;
}

void LiveSessionWriter::failRecording(const std::string& why) {
    recording_ = false;
    if (!recording_failure_)
        recording_failure_ = why;
}

void LiveSessionWriter::writeLoop(std::stop_token stop) {
    // Keeping is background work: on a 2-core laptop the encoder's bursts must wait for the
    // inference that the therapist is watching, not the other way round. Nice 10 on this
    // thread only (Linux applies setpriority to a thread id); it still gets the CPU the live
    // view leaves, which is plenty at 30 fps.
    ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kWriterNice);
    auto next_commit = std::chrono::steady_clock::now() + options_.commit_interval;
    for (;;) {
        Pending batch;
        std::deque<FrameToRecord> frames;
        bool commit_due = false;
        bool last = false;
        {
            std::unique_lock lock(mutex_);
            wake_.wait_until(lock, stop, next_commit,
                             [this] { return finishing_ || !frames_to_record_.empty(); });
            frames.swap(frames_to_record_);
            last = finishing_ || stop.stop_requested();
            commit_due = last || std::chrono::steady_clock::now() >= next_commit;
            if (commit_due)
                batch = std::exchange(pending_, Pending{});
        }
        record(frames, commit_due);
        if (commit_due) {
            commit(batch);
            next_commit = std::chrono::steady_clock::now() + options_.commit_interval;
        }
        if (last) {
            finishRecording();
            return;
        }
    }
}

void LiveSessionWriter::record(const std::deque<FrameToRecord>& frames, bool flush) {
    if (recording_closed_ || recording_path_.empty())
        return;
    try {
        for (const auto& frame : frames) {
            if (!recorder_)
                recorder_ = std::make_unique<VideoRecorder>(recording_path_, frame.image.size());
            recorder_->write(frame.image, frame.timestamp_ms);
            std::lock_guard lock(mutex_);
            ++recorded_;
        }
        if (flush && recorder_)
            recorder_->flush();  // the picture is as safe from a kill as the readings
        // Stopped (the encoder fell behind), the file is closed once the frames queued before
        // the stop are in it: none arrives after it.
        bool stopped = false;
        {
            std::lock_guard lock(mutex_);
            stopped = !recording_ && frames_to_record_.empty();
        }
        if (stopped)
            finishRecording();
    } catch (const std::exception& e) {  // OutputError: a full disk, no encoder, ...
        {
            std::lock_guard lock(mutex_);
            failRecording("the recording stopped: " + std::string(e.what()));
        }
        finishRecording();
    }
}

void LiveSessionWriter::finishRecording() {
    if (recording_closed_ || recording_path_.empty())
        return;
    recording_closed_ = true;
    if (auto recorder = std::move(recorder_)) {
        try {
            recorder->finish();
        } catch (const std::exception& e) {
            std::lock_guard lock(mutex_);
            failRecording("the recording could not be closed: " + std::string(e.what()));
        }
    }
    std::int64_t recorded = 0;
    {
        std::lock_guard lock(mutex_);
        recording_ = false;
        recorded = recorded_;
    }
    if (recorded == 0 && !recording_path_.empty()) {
        // Nothing was recorded (the encoder or the file failed at once): the session is one
        // without a recording, and the review says so rather than looking for a file.
        std::error_code ignored;
        std::filesystem::remove(recording_path_, ignored);
        try {
            store_.relocateRecording(session_id_, "");
        } catch (const std::exception&) {  // the store's own failure is reported by commit()
        }
    }
}

FrameRecord LiveSessionWriter::recordOf(const FrameResult& result) {
    FrameRecord record;
    record.frame_index = next_index_++;
    record.timestamp_ms = result.timestamp_ms;
    const auto tracks = trackIdsOf(tracker_, result);
    for (std::size_t i = 0; i < result.faces.size(); ++i) {
        const auto& face = result.faces[i];
        record.faces.push_back({tracks[i], face.box, face.detection_confidence, true,
                                face.probabilities, face.quality});
    }
    return record;
}

void LiveSessionWriter::commit(Pending& batch) {
    if (batch.results.empty() && batch.markers.empty() && batch.marker_labels.empty() &&
        !batch.label && batch.moments.empty() && !batch.followed_track && batch.people.empty() &&
        batch.baselines.empty())
        return;
    {
        std::lock_guard lock(mutex_);
        if (failure_) {
            dropped_ += static_cast<std::int64_t>(batch.results.size());
            return;
        }
    }
    try {
        // What was said of people applies from where it was said; a person left out in this
        // batch has none of their readings of the batch before it written either.
        std::map<int, std::size_t> left_out_at;
        for (const auto& [at, person] : batch.people) {
            if (person.excluded)
                left_out_at[person.track_id] = at;
        }
        std::vector<FrameRecord> records;
        records.reserve(batch.results.size());
        std::size_t said = 0;
        for (std::size_t i = 0; i < batch.results.size(); ++i) {
            for (; said < batch.people.size() && batch.people[said].first <= i; ++said)
                keepPerson(batch.people[said].second);
            auto record = recordOf(batch.results[i]);
            std::erase_if(record.faces, [&](const TrackedFace& face) {
                const auto later = left_out_at.find(face.track_id);
                return excluded_.contains(face.track_id) ||
                       (later != left_out_at.end() && later->second > i);
            });
            records.push_back(std::move(record));
        }
        for (; said < batch.people.size(); ++said)
            keepPerson(batch.people[said].second);
        if (!records.empty())
            store_.appendFrames(session_id_, records);
        for (const auto& marker : batch.markers) {
            auto kept = marker;
            kept.id = store_.addMarker(session_id_, marker);
            kept_markers_.push_back(kept);
        }
        for (const auto& [number, label] : batch.marker_labels) {
            if (static_cast<std::size_t>(number) >= kept_markers_.size())
                continue;  // lost with a store that failed
            auto& kept = kept_markers_[static_cast<std::size_t>(number)];
            kept.label = label;
            store_.updateMarker(kept);
        }
        if (batch.label)
            store_.setLabel(session_id_, *batch.label);
        for (const auto& [moment, thumbnail] : batch.moments)
            store_.keepLiveMoment(session_id_, moment, thumbnail);
        if (batch.followed_track)
            store_.setFollowedTrack(session_id_, *batch.followed_track);
        for (const auto& baseline : batch.baselines)
            store_.setBaseline(session_id_, baseline);
        std::lock_guard lock(mutex_);
        kept_ += static_cast<std::int64_t>(records.size());
    } catch (const std::exception& e) {  // StoreError: a full disk, a removed folder, ...
        std::lock_guard lock(mutex_);
        failure_ = "readings are no longer kept in " + store_path_.string() + ": " + e.what() +
                   "; the " + std::to_string(kept_) + " kept until then stay in the store";
        dropped_ += static_cast<std::int64_t>(batch.results.size());
    }
}

}  // namespace emotrace
