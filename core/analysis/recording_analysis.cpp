// Offline analysis: a decode thread fills a bounded queue; this thread detects on keyframes,
// interpolates the frames between them, classifies faces in batches and commits to the store.
// Commits end just before a keyframe, so a resumed analysis starts on the same keyframe grid and
// gives the same results as an uninterrupted one.
#include "emotrace/recording_analysis.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include "emotrace/error.h"
#include "emotrace/face_appearance.h"
#include "emotrace/face_quality.h"
#include "emotrace/face_tracks.h"
#include "emotrace/preprocess.h"
#include "emotrace/video_reader.h"
#include "recording_decoder.h"

namespace emotrace {

namespace {

using Seconds = std::chrono::duration<double>;

struct Keyframe {
    std::int64_t index = -1;
    std::vector<TrackedDetection> faces;
};

std::set<int> idsOf(const std::vector<TrackedDetection>& faces) {
    std::set<int> ids;
    for (const auto& face : faces)
        ids.insert(face.track_id);
    return ids;
}

std::vector<TrackedFace> detectedFaces(const std::vector<TrackedDetection>& assigned) {
    std::vector<TrackedFace> faces;
    for (const auto& face : assigned) {
        TrackedFace tracked;
        tracked.track_id = face.track_id;
        tracked.box = face.detection.box;
        tracked.detection_confidence = face.detection.score;
        tracked.landmarks = face.detection.landmarks;
        faces.push_back(std::move(tracked));
    }
    return faces;
}

// One more than the largest track id stored, read in slices so a long session needs little
// memory: ids of tracks that ended long ago must not come back after a resume.
int nextTrackId(const SessionStore& store, std::int64_t session, std::int64_t frames_stored) {
    constexpr std::int64_t kSlice = 20000;
    int next = 0;
    for (std::int64_t first = 0; first < frames_stored; first += kSlice) {
        for (const auto& frame : store.frames(session, first, kSlice)) {
            for (const auto& face : frame.faces)
                next = std::max(next, face.track_id + 1);
        }
    }
    return next;
}

std::string mediaTime(double milliseconds) {
    const auto total = static_cast<std::int64_t>(milliseconds / 1000.0);
    char text[32];
    std::snprintf(text, sizeof text, "%02lld:%02lld", static_cast<long long>(total / 60),
                  static_cast<long long>(total % 60));
    return text;
}

// Frames whose boxes are known wait here for their faces' probabilities, then for the commit.
class ResultBatcher {
  public:
    ResultBatcher(SessionStore& store, std::int64_t session, EmotionClassifier* classifier,
                  const RecordingAnalysisOptions& options, const AnalysisCallbacks& callbacks,
                  std::int64_t frame_count)
        : store_(store),
          session_(session),
          classifier_(classifier),
          options_(options),
          callbacks_(callbacks),
          frame_count_(frame_count),
          started_(SteadyClock::now()) {
        if (classifier_) {
            crop_.size = {classifier_->info().input_width, classifier_->info().input_height};
            crop_.level_tilted_fully = classifier_->readsTiltedFacesApart();
        }
    }

    void add(const DecodedFrame& frame, std::vector<TrackedFace> faces) {
        FrameRecord record;
        record.frame_index = frame.index;
        record.timestamp_ms = frame.timestamp_ms;
        for (auto& face : faces) {
            FaceCrop crop{cropFace(frame.image, face.box, crop_, face.landmarks),
                          beyondLevellingBand(face.landmarks, crop_)};
            if (crop.pixels.empty())
                continue;  // entirely outside the frame, as the live path drops it too
            face.quality = assessReading(frame.image, face.box, face.landmarks);
            face.landmarks.clear();  // measured; only the quality is kept
            if (classifier_) {
                crops_.push_back(std::move(crop));
                targets_.push_back({pending_.size(), record.faces.size()});
            }
            record.faces.push_back(std::move(face));
        }
        pending_.push_back(std::move(record));
        while (crops_.size() >= static_cast<std::size_t>(options_.classify_batch))
            classifyBatch();
    }

    // Commits the classified frames before `limit` once there are commit_every of them.
    void commitIfDue(std::int64_t limit) {
        if (committable(limit) >= static_cast<std::size_t>(options_.commit_every))
            commit(limit);
    }

    // Classifies what is left and commits every frame before `limit`.
    void commit(std::int64_t limit) {
        while (!crops_.empty())
            classifyBatch();
        const std::size_t count = committable(limit);
        if (count == 0)
            return;
        const std::span<const FrameRecord> batch(pending_.data(), count);
        store_.appendFrames(session_, batch);
        frames_stored_ = batch.back().frame_index + 1;
        frames_this_run_ += static_cast<std::int64_t>(count);
        if (callbacks_.on_frames)
            callbacks_.on_frames(batch);
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(count));
        for (auto& target : targets_)
            target.record -= count;
        reportProgress();
    }

    std::int64_t framesStored() const { return frames_stored_; }
    void setFramesStored(std::int64_t frames) { frames_stored_ = frames; }

  private:
    struct Target {
        std::size_t record = 0;
        std::size_t face = 0;
    };

    void classifyBatch() {
        const std::size_t count =
            std::min(crops_.size(), static_cast<std::size_t>(options_.classify_batch));
        auto probabilities =
            classifyFaces(*classifier_, std::span<const FaceCrop>(crops_.data(), count));
        for (std::size_t i = 0; i < count; ++i) {
            pending_[targets_[i].record].faces[targets_[i].face].probabilities =
                std::move(probabilities[i]);
        }
        crops_.erase(crops_.begin(), crops_.begin() + static_cast<std::ptrdiff_t>(count));
        targets_.erase(targets_.begin(), targets_.begin() + static_cast<std::ptrdiff_t>(count));
    }

    // Leading frames that are classified and lie before `limit`.
    std::size_t committable(std::int64_t limit) const {
        const std::size_t classified = targets_.empty() ? pending_.size() : targets_.front().record;
        std::size_t count = 0;
        while (count < classified && pending_[count].frame_index < limit)
            ++count;
        return count;
    }

    void reportProgress() const {
        if (!callbacks_.on_progress)
            return;
        AnalysisProgress progress;
        progress.frames_done = frames_stored_;
        progress.frame_count = frame_count_;
        const double seconds = Seconds(SteadyClock::now() - started_).count();
        progress.frames_per_second =
            seconds > 0.0 ? static_cast<double>(frames_this_run_) / seconds : 0.0;
        const auto left = std::max<std::int64_t>(0, frame_count_ - frames_stored_);
        progress.eta_seconds = progress.frames_per_second > 0.0
                                   ? static_cast<double>(left) / progress.frames_per_second
                                   : 0.0;
        callbacks_.on_progress(progress);
    }

    SessionStore& store_;
    std::int64_t session_;
    EmotionClassifier* classifier_;
    const RecordingAnalysisOptions& options_;
    const AnalysisCallbacks& callbacks_;
    std::int64_t frame_count_;
    SteadyClock::time_point started_;
    CropOptions crop_;
    std::vector<FrameRecord> pending_;
    std::vector<FaceCrop> crops_;
    std::vector<Target> targets_;  // where each crop's probabilities go
    std::int64_t frames_stored_ = 0;
    std::int64_t frames_this_run_ = 0;
};

// Keyframe detection with interpolation in between; falls back to detecting every frame of a
// stretch whose two keyframes disagree on which tracks are present, so a face that appears or
// vanishes is found on the same frames as by per-frame detection.
class KeyframeTracker {
  public:
    KeyframeTracker(FaceDetector& detector, const RecordingAnalysisOptions& options,
                    ResultBatcher& results)
        : detector_(detector),
          tracker_(FaceTrackerOptions{.max_track_gap_ms = options.max_track_gap_ms}),
          results_(results) {}

    void seed(std::span<const TrackedFace> faces, double timestamp_ms, int next_id) {
        tracker_.seed(faces, timestamp_ms, next_id);
    }

    // The first frame of the run, or a keyframe: everything buffered since the last one is
    // resolved and handed on, this frame last.
    void keyframe(DecodedFrame frame) {
        const FaceTracker before = tracker_;
        const auto detections = detect(frame.image);
        auto assigned = tracker_.assign(detections, frame.timestamp_ms);
        if (!between_.empty() && idsOf(assigned) != idsOf(last_.faces)) {
            tracker_ = before;
            for (auto& skipped : between_) {
                const auto found = tracker_.assign(detect(skipped.image), skipped.timestamp_ms);
                results_.add(skipped, detectedFaces(found));
            }
            assigned = tracker_.assign(detections, frame.timestamp_ms);
        } else {
            for (auto& skipped : between_) {
                results_.add(skipped, interpolateFaces(last_.faces, last_.index, assigned,
                                                       frame.index, skipped.index));
            }
        }
        between_.clear();
        results_.add(frame, detectedFaces(assigned));
        last_ = {frame.index, std::move(assigned)};
    }

    void between(DecodedFrame frame) { between_.push_back(std::move(frame)); }

    // At the end of the stream the last frame read closes the open stretch as a keyframe.
    void finish() {
        if (between_.empty())
            return;
        DecodedFrame last = std::move(between_.back());
        between_.pop_back();
        keyframe(std::move(last));
    }

    std::int64_t lastKeyframe() const { return last_.index; }

  private:
    // Each face with its look, so people who change places keep their tracks.
    std::vector<Detection> detect(const cv::Mat& image) {
        auto detections = detector_.detect(image);
        for (auto& detection : detections)
            detection.appearance = faceAppearance(image, detection.box);
        return detections;
    }

    FaceDetector& detector_;
    FaceTracker tracker_;
    ResultBatcher& results_;
    Keyframe last_;
    std::vector<DecodedFrame> between_;
};

void seedFromStore(KeyframeTracker& tracker, const SessionStore& store, std::int64_t session,
                   std::int64_t frames_stored) {
    if (frames_stored == 0)
        return;
    const auto last = store.frames(session, frames_stored - 1, 1);
    if (last.empty())
        return;
    tracker.seed(last.front().faces, last.front().timestamp_ms,
                 nextTrackId(store, session, frames_stored));
}

void checkOptions(const RecordingAnalysisOptions& options) {
    if (options.detect_every < 1 || options.classify_batch < 1 || options.commit_every < 1) {
        throw Error("analysis options must be positive: detect_every " +
                    std::to_string(options.detect_every) + ", classify_batch " +
                    std::to_string(options.classify_batch) + ", commit_every " +
                    std::to_string(options.commit_every));
    }
}

}  // namespace

RecordingFacts recordingFacts(const std::filesystem::path& recording) {
    const VideoFacts video = probeVideo(recording);
    RecordingFacts facts;
    facts.path = std::filesystem::absolute(recording).lexically_normal().string();
    facts.content_hash = recordingFingerprint(recording);
    facts.size_bytes = static_cast<std::int64_t>(std::filesystem::file_size(recording));
    facts.fps = video.fps;
    facts.width = video.width;
    facts.height = video.height;
    facts.frame_count = video.frame_count;
    return facts;
}

AnalysisResult analyzeRecording(SessionStore& store, std::int64_t session_id,
                                FaceDetector& detector, EmotionClassifier* classifier,
                                const RecordingAnalysisOptions& options, std::stop_token stop,
                                const AnalysisCallbacks& callbacks) {
    checkOptions(options);
    const SessionInfo session = store.session(session_id);
    const std::int64_t start = session.frames_stored;
    std::optional<ResumeAfter> resume;
    if (start > 0) {
        const auto last = store.frames(session_id, start - 1, 1);
        if (!last.empty())
            resume = ResumeAfter{last.front().frame_index, last.front().timestamp_ms};
    }
    RecordingDecoder decoder(session.recording.path, resume);
    const std::int64_t frame_count = decoder.frameCount();

    ResultBatcher results(store, session_id, classifier, options, callbacks, frame_count);
    results.setFramesStored(start);
    KeyframeTracker tracker(detector, options, results);
    seedFromStore(tracker, store, session_id, start);

    while (!stop.stop_requested()) {
        auto frame = decoder.next(stop);
        if (!frame)
            break;
        if ((frame->index - start) % options.detect_every == 0) {
            tracker.keyframe(std::move(*frame));
            results.commitIfDue(tracker.lastKeyframe());
        } else {
            tracker.between(std::move(*frame));
        }
    }

    AnalysisResult result;
    if (stop.stop_requested()) {
        // Frames after the last keyframe are dropped: the resumed run starts on that keyframe.
        results.commit(tracker.lastKeyframe());
        result.outcome = AnalysisOutcome::Cancelled;
        result.frames_stored = results.framesStored();
        return result;
    }
    tracker.finish();
    results.commit(INT64_MAX);
    result.frames_stored = results.framesStored();
    if (const auto broken = decoder.failure()) {
        result.outcome = AnalysisOutcome::Broken;
        result.error = "the recording broke at frame " + std::to_string(broken->frame_index) +
                       " (" + mediaTime(broken->timestamp_ms) + "): " + broken->message;
        store.setState(session_id, AnalysisState::Failed, result.error);
        return result;
    }
    store.setState(session_id, AnalysisState::Complete);
    return result;
}

}  // namespace emotrace
