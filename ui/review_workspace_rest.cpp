// Resting faces in the review workspace (issue 21, part 3; docs/baseline.md): taking one over a
// stretch of the session, and the switch between readings as read and relative to it.
#include <algorithm>

#include <QCheckBox>
#include <QHBoxLayout>
#include <QPushButton>
#include <QStatusBar>

#include "emotrace/neutral_baseline.h"
#include "review_player.h"
#include "review_timeline.h"
#include "review_video_view.h"
#include "review_workspace.h"

namespace emotrace::ui {

QWidget* ReviewWorkspace::buildRestingFaceControls() {
    take_resting_face_ = new QPushButton(tr("Resting face here"));
    take_resting_face_->setToolTip(
        tr("B: the chosen face's 3 seconds from the playhead are this person's resting face. "
           "Readings can then be shown relative to it."));
    connect(take_resting_face_, &QPushButton::clicked, this,
            [this] { takeRestingFace(player_->currentSeconds()); });
    relative_to_rest_check_ = new QCheckBox(tr("Relative to resting face"));
    relative_to_rest_check_->setToolTip(
        tr("Show each person's readings relative to their resting face (people without one "
           "stay as read). Exports of the frames and the session carry both."));
    connect(relative_to_rest_check_, &QCheckBox::toggled, this,
            [this](bool on) { setRelativeToRest(on); });
    auto* controls = new QWidget;
    auto* layout = new QHBoxLayout(controls);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(take_resting_face_);
    layout->addWidget(relative_to_rest_check_);
    refreshRestingFaceControls();
    return controls;
}

void ReviewWorkspace::loadRestingFaces() {
    baselines_ =
        session_ && store_ ? store_->baselines(session_->id) : std::vector<StoredBaseline>{};
    relative_frames_.clear();
    relative_frames_of_ = 0;
    // A resting face was taken to see readings relative to it: a session with one opens so.
    relative_to_rest_ = !baselines_.empty();
}

void ReviewWorkspace::refreshRestingFaceControls() {
    if (!relative_to_rest_check_)
        return;
    const bool has_model = session_ && !session_->setup.labels.empty();
    take_resting_face_->setEnabled(has_model && !frames_.empty());
    const StoredBaseline* own = baselineOf(baselines_, track_);
    relative_to_rest_check_->setEnabled(!baselines_.empty());
    relative_to_rest_check_->setText(!own ? tr("Relative to resting face")
                                          : tr("Relative to resting face (%1-%2 s)")
                                                .arg(own->start_ms / 1000.0, 0, 'f', 1)
                                                .arg(own->end_ms / 1000.0, 0, 'f', 1));
    const QSignalBlocker quiet(relative_to_rest_check_);
    relative_to_rest_check_->setChecked(relative_to_rest_);
    std::vector<int> relative_tracks;
    if (relative_to_rest_) {
        for (const auto& kept : baselines_)
            relative_tracks.push_back(kept.track_id);
    }
    video_->setRelativeTracks(std::move(relative_tracks));
    timeline_->setRestingFaceStretch(!own ? std::nullopt
                                          : std::optional(std::pair(own->start_ms, own->end_ms)));
}

const std::vector<FrameRecord>& ReviewWorkspace::shownFrames() {
    if (!relative_to_rest_ || baselines_.empty())
        return frames_;
    if (relative_frames_of_ > frames_.size()) {  // another session's frames
        relative_frames_.clear();
        relative_frames_of_ = 0;
    }
    if (relative_frames_of_ < frames_.size()) {
        const auto added = relativeToRest(std::span(frames_).subspan(relative_frames_of_),
                                          baselinesByTrack(baselines_));
        relative_frames_.insert(relative_frames_.end(), added.begin(), added.end());
        relative_frames_of_ = frames_.size();
    }
    return relative_frames_;
}

void ReviewWorkspace::setRelativeToRest(bool relative) {
    relative_to_rest_ = relative;
    refreshViews();
}

bool ReviewWorkspace::takeRestingFace(double start_seconds, double length_seconds) {
    if (!session_ || !store_) {
        showError(tr("Open a session before taking a resting face."));
        return false;
    }
    const double start_ms = std::max(0.0, start_seconds) * 1000.0;
    const double end_ms = start_ms + length_seconds * 1000.0;
    const auto attempt = takeNeutralBaseline(framesBetween(frames_, start_ms, end_ms), track_,
                                             session_->setup.labels);
    if (!attempt.baseline) {
        showError(tr("No resting face was taken at %1-%2 s: %3.")
                      .arg(start_ms / 1000.0, 0, 'f', 1)
                      .arg(end_ms / 1000.0, 0, 'f', 1)
                      .arg(QString::fromStdString(attempt.refusal)));
        return false;
    }
    const StoredBaseline kept{attempt.track_id, start_ms, end_ms, *attempt.baseline};
    try {
        store_->setBaseline(session_->id, kept);
    } catch (const std::exception& error) {
        showError(tr("The resting face could not be stored: %1").arg(error.what()));
        return false;
    }
    clearError();
    loadRestingFaces();
    relative_to_rest_ = true;
    refreshViews();
    statusBar()->showMessage(
        tr("Resting face of face #%1 taken over %2-%3 s (%4 readings)%5; readings are shown "
           "relative to it.")
            .arg(attempt.track_id)
            .arg(start_ms / 1000.0, 0, 'f', 1)
            .arg(end_ms / 1000.0, 0, 'f', 1)
            .arg(attempt.baseline->frames)
            .arg(attempt.warning.empty()
                     ? QString()
                     : tr(", but %1").arg(QString::fromStdString(attempt.warning))),
        15000);
    return true;
}

}  // namespace emotrace::ui
