// Resting faces in a live session (issue 21, part 3; docs/baseline.md): taking one over the
// next seconds or a session's first seconds, keeping it with the session, and showing readings
// relative to it.
#include <stdexcept>

#include "session_controller.h"

namespace emotrace::ui {

bool SessionController::takeRestingFace(std::optional<int> track, double seconds) {
    if (!pipeline_ || !classifier_ || !(seconds > 0.0))
        return false;
    taking_rest_ = RestingFaceTaking{track, std::nullopt, seconds, {}};
    emit restingFaceStarted(seconds);
    return true;
}

void SessionController::setRestingFaceFromFirstSeconds(double seconds) {
    if (seconds < 0.0)
        throw std::invalid_argument("the resting face's first seconds cannot be negative");
    rest_from_first_seconds_ = seconds;
}

std::vector<int> SessionController::tracksWithRestingFace() const {
    std::vector<int> tracks;
    for (const auto& [track, baseline] : resting_faces_)
        tracks.push_back(track);
    return tracks;
}

void SessionController::collectRestingFace(const FrameResult& result) {
    if (!taking_rest_)
        return;
    auto& taking = *taking_rest_;
    if (!taking.start_ms)
        taking.start_ms = result.timestamp_ms;
    if (result.timestamp_ms >= *taking.start_ms + 1000.0 * taking.seconds) {
        finishRestingFace();
        return;
    }
    FrameRecord record{result.frame_index, result.timestamp_ms, {}};
    for (const auto& face : result.faces) {
        if (face.track_id >= 0 && isTrackExcluded(face.track_id))
            continue;  // the therapist's self-view is nobody's resting face
        record.faces.push_back({face.track_id, face.box, face.detection_confidence, true,
                                face.probabilities, face.quality});
    }
    taking.frames.push_back(std::move(record));
}

void SessionController::finishRestingFace() {
    const auto taking = std::move(*taking_rest_);
    taking_rest_.reset();
    const auto attempt = takeNeutralBaseline(taking.frames, taking.track.value_or(-1), labels());
    if (!attempt.baseline) {
        emit restingFaceRefused(QString::fromStdString(attempt.refusal));
        return;
    }
    resting_faces_[attempt.track_id] = *attempt.baseline;
    const double start_ms = taking.start_ms.value_or(0.0);
    if (writer_) {
        try {
            writer_->setBaseline({attempt.track_id, start_ms, start_ms + 1000.0 * taking.seconds,
                                  *attempt.baseline});
        } catch (const std::exception&) {  // the store's failure is said by checkWriter()
        }
    }
    emit restingFaceTaken(attempt.track_id, QString::fromStdString(attempt.warning));
}

void SessionController::showRelativeToRest(FrameResult& result) const {
    if (!relative_to_rest_ || resting_faces_.empty())
        return;
    for (auto& face : result.faces) {
        const auto baseline = resting_faces_.find(face.track_id);
        if (baseline != resting_faces_.end() && !face.probabilities.empty())
            face.probabilities = applyNeutralBaseline(baseline->second, face.probabilities);
    }
}

}  // namespace emotrace::ui
