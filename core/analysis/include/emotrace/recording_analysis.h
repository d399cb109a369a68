// Offline analysis of a recording into the session store, much faster than real time: the
// detector runs on every n-th frame and boxes in between are interpolated between the two
// detections that enclose them (the whole recording is available, so the tracker may look
// ahead); every frame still gets classified, in batches. Faces are linked into tracks with
// stable ids across the session. Work is committed in batches, so a killed analysis resumes at
// the first frame not stored.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>

#include "emotrace/emotion_classifier.h"
#include "emotrace/face_detector.h"
#include "emotrace/session_store.h"

namespace emotrace {

struct RecordingAnalysisOptions {
    int detect_every = 5;     // detector on frames 0, n, 2n, ... (1: every frame)
    int classify_batch = 32;  // faces per classifier call
    int commit_every = 300;   // frames per store transaction
    // A track survives this long without a matching detection (a hand over the face, a turn).
    double max_track_gap_ms = 1500.0;
};

struct AnalysisProgress {
    std::int64_t frames_done = 0;    // stored, including frames of earlier runs
    std::int64_t frame_count = 0;    // the container's count (an estimate)
    double frames_per_second = 0.0;  // of this run
    double eta_seconds = 0.0;
};

struct AnalysisCallbacks {
    // After each committed batch, from the analysing thread.
    std::function<void(const AnalysisProgress&)> on_progress;
    std::function<void(std::span<const FrameRecord>)> on_frames;
};

enum class AnalysisOutcome { Complete, Cancelled, Broken };

struct AnalysisResult {
    AnalysisOutcome outcome = AnalysisOutcome::Complete;
    std::int64_t frames_stored = 0;
    std::string error;  // Broken: where the recording broke ("decoding failed at frame N, t=...")
};

// What the store keeps to recognise a recording: its fingerprint and the facts of its video
// stream as displayed (rotation applied). Throws SourceError naming why the file is no
// readable video (see probeVideo).
RecordingFacts recordingFacts(const std::filesystem::path& recording);

// Analyses session `session_id` of `store` from its frames_stored onward and marks it Complete
// or Failed (Broken). Cancel through `stop`: what was committed stays. The classifier may be
// null (boxes and tracks only). Throws SourceError when the recording cannot be opened at all,
// StoreError/OutputError when results cannot be stored (a full disk): committed work stays.
AnalysisResult analyzeRecording(SessionStore& store, std::int64_t session_id,
                                FaceDetector& detector, EmotionClassifier* classifier,
                                const RecordingAnalysisOptions& options, std::stop_token stop,
                                const AnalysisCallbacks& callbacks = {});

}  // namespace emotrace
