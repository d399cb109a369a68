// A stored session for the review tests: a short generated video, a store in a temp folder and
// per-frame results written by hand, so every figure the workspace shows is known in advance.
#pragma once

#include <algorithm>
#include <filesystem>
#include <vector>

#include <QCoreApplication>
#include <QMouseEvent>
#include <QWidget>

#include "emotrace/model_info.h"
#include "emotrace/session_store.h"
#include "generated_video.h"

namespace emotrace::test {

inline constexpr int kReviewFrames = 60;
inline constexpr double kReviewFps = 10.0;
inline constexpr int kAbsentFrom = 20;  // track 1 is absent in frames [20, 30)
inline constexpr int kAbsentTo = 30;
inline constexpr int kLowQualityFrom = 40;  // track 1's readings are of low quality in [40, 50)
inline constexpr int kLowQualityTo = 50;

// Track 1 is "happy" with probability 0.9 before the gap and "sad" with 0.9 after it; track 2
// (a second face) is present in every tenth frame only, so track 1 is the most present. Track
// 1's readings have a good quality (0.9) except in frames [40, 50) (0.3, "blurred").
inline std::vector<FrameRecord> reviewFrames(std::size_t label_count) {
    const auto& labels = paperLabels();
    const auto index_of = [&](const char* name) {
        return static_cast<std::size_t>(std::find(labels.begin(), labels.end(), name) -
                                        labels.begin());
    };
    std::vector<FrameRecord> frames;
    for (int i = 0; i < kReviewFrames; ++i) {
        FrameRecord frame;
        frame.frame_index = i;
        frame.timestamp_ms = i * 1000.0 / kReviewFps;
        if (i < kAbsentFrom || i >= kAbsentTo) {
            TrackedFace face;
            face.track_id = 1;
            face.box = cv::Rect2f(8, 8, 24, 24);
            face.detection_confidence = 0.9f;
            face.probabilities.assign(label_count, 0.1f / static_cast<float>(label_count - 1));
            // Happy flickers between 0.9 and 0.5 frame by frame: smoothing has something to do.
            const float top = i < kAbsentFrom && i % 2 == 1 ? 0.5f : 0.9f;
            face.probabilities[index_of(i < kAbsentFrom ? "happy" : "sad")] = top;
            face.quality = ReadingQuality{};
            const bool low = i >= kLowQualityFrom && i < kLowQualityTo;
            face.quality->quality = low ? 0.3 : 0.9;
            face.quality->limited_by = low ? "blurred" : "";
            frame.faces.push_back(face);
        }
        if (i % 10 == 0) {
            TrackedFace other;
            other.track_id = 2;
            other.box = cv::Rect2f(40, 8, 16, 16);
            other.probabilities.assign(label_count, 1.0f / static_cast<float>(label_count));
            frame.faces.push_back(other);
        }
        frames.push_back(frame);
    }
    return frames;
}

inline void sendMouse(QWidget* widget, QEvent::Type type, QPointF at, Qt::MouseButton button,
                      Qt::MouseButtons held) {
    QMouseEvent event(type, at, widget->mapToGlobal(at), button, held, Qt::NoModifier);
    QCoreApplication::sendEvent(widget, &event);
}

inline void click(QWidget* widget, QPointF at) {
    sendMouse(widget, QEvent::MouseButtonPress, at, Qt::LeftButton, Qt::LeftButton);
    sendMouse(widget, QEvent::MouseButtonRelease, at, Qt::LeftButton, Qt::NoButton);
}

inline void drag(QWidget* widget, QPointF from, QPointF to) {
    sendMouse(widget, QEvent::MouseButtonPress, from, Qt::LeftButton, Qt::LeftButton);
    for (int step = 1; step <= 4; ++step) {
        sendMouse(widget, QEvent::MouseMove, from + (to - from) * step / 4.0, Qt::NoButton,
                  Qt::LeftButton);
    }
    sendMouse(widget, QEvent::MouseButtonRelease, to, Qt::LeftButton, Qt::NoButton);
}

struct StoredReviewSession {
    std::filesystem::path video;
    std::filesystem::path store;
    std::int64_t id = 0;
};

// Writes the video and a Complete session of it (model "test-model", the paper's 8 labels).
inline StoredReviewSession storeReviewSession(const std::filesystem::path& folder) {
    StoredReviewSession stored;
    stored.video = folder / "session.avi";
    stored.store = folder / "sessions.sqlite";
    writeTestVideo(stored.video, kReviewFrames, kReviewFps, {64, 48});
    SessionStore store(stored.store);
    RecordingFacts facts;
    facts.path = stored.video.string();
    facts.content_hash = recordingFingerprint(stored.video);
    facts.size_bytes = static_cast<std::int64_t>(std::filesystem::file_size(stored.video));
    facts.fps = kReviewFps;
    facts.width = 64;
    facts.height = 48;
    facts.frame_count = kReviewFrames;
    AnalysisSetup setup;
    setup.model_path = "/models/test-model.pt";
    setup.model_architecture = "mycnn_v1";
    setup.model_hash = "test-model";
    setup.model_description = "seeded test network";
    setup.labels = paperLabels();
    setup.detector = "yunet2023";
    setup.detector_version = "face_detection_yunet_2023mar.onnx";
    setup.emotrace_version = "test";
    stored.id = store.createSession(facts, setup);
    const auto frames = reviewFrames(setup.labels.size());
    store.appendFrames(stored.id, frames);
    store.setState(stored.id, AnalysisState::Complete);
    return stored;
}

}  // namespace emotrace::test
