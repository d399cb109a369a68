#include "emotrace/live_session_writer.h"

#include <exception>
#include <utility>

namespace emotrace {

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
    FrameResult kept = result;
    kept.image = cv::Mat();  // the readings are kept, not the pixels (see the recording)
    pending_.results.push_back(std::move(kept));
}

void LiveSessionWriter::addMarker(const Marker& marker) {
    std::lock_guard lock(mutex_);
    pending_.markers.push_back(marker);
}

void LiveSessionWriter::setLabel(const std::string& label) {
    std::lock_guard lock(mutex_);
    pending_.label = label;
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

void LiveSessionWriter::writeLoop(std::stop_token stop) {
    for (;;) {
        Pending batch;
        bool last = false;
        {
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, stop, options_.commit_interval, [this] { return finishing_; });
            batch = std::exchange(pending_, Pending{});
            last = finishing_ || stop.stop_requested();
        }
        commit(batch);
        if (last)
            return;
    }
}

FrameRecord LiveSessionWriter::recordOf(const FrameResult& result) {
    FrameRecord record;
    record.frame_index = next_index_++;
    record.timestamp_ms = result.timestamp_ms;
    std::vector<Detection> detections;
    for (const auto& face : result.faces)
        detections.push_back({face.box, face.detection_confidence});
    const auto assigned = tracker_.assign(detections, result.timestamp_ms);
    for (std::size_t i = 0; i < result.faces.size(); ++i) {
        const auto& face = result.faces[i];
        record.faces.push_back(
            {assigned[i].track_id, face.box, face.detection_confidence, true, face.probabilities});
    }
    return record;
}

void LiveSessionWriter::commit(Pending& batch) {
    if (batch.results.empty() && batch.markers.empty() && !batch.label)
        return;
    {
        std::lock_guard lock(mutex_);
        if (failure_) {
            dropped_ += static_cast<std::int64_t>(batch.results.size());
            return;
        }
    }
    try {
        std::vector<FrameRecord> records;
        records.reserve(batch.results.size());
        for (const auto& result : batch.results)
            records.push_back(recordOf(result));
        if (!records.empty())
            store_.appendFrames(session_id_, records);
        for (const auto& marker : batch.markers)
            store_.addMarker(session_id_, marker);
        if (batch.label)
            store_.setLabel(session_id_, *batch.label);
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
