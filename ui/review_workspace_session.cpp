// The ReviewWorkspace's dealings with the session store: opening and relocating sessions, the
// background analysis and markers. Layout and wiring are in review_workspace.cpp, exports in
// review_workspace_exports.cpp.
#include <filesystem>

#include <QFileDialog>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QStatusBar>

#include "emotrace/error.h"
#include "review_analysis.h"
#include "review_markers.h"
#include "review_player.h"
#include "review_sessions.h"
#include "review_timeline.h"
#include "review_video_view.h"
#include "review_workspace.h"

#include "emotrace/analysis_lock.h"
#include "emotrace/live_session_writer.h"
#include "emotrace/recording_analysis.h"

namespace emotrace::ui {
namespace {

QString qs(const std::string& text) {
    return QString::fromStdString(text);
}

QString defaultLocateRecording(QWidget* parent, const QString& missing) {
    const auto answer = QMessageBox::question(
        parent, QObject::tr("Recording moved"),
        QObject::tr("The recording of this session is no longer at\n%1\n\nLocate it? (Without "
                    "it the stored results are shown without video.)")
            .arg(missing));
    if (answer != QMessageBox::Yes)
        return {};
    return QFileDialog::getOpenFileName(parent, QObject::tr("Where is %1 now?").arg(missing));
}

}  // namespace

bool ReviewWorkspace::openRecording(const std::filesystem::path& recording) {
    if (!store_) {
        showError(tr("No session store: %1").arg(errorText()));
        return false;
    }
    try {
        const RecordingFacts facts = recordingFacts(recording);
        const std::string model_hash =
            setup_.model_path.empty() ? std::string() : modelFingerprint(setup_.model_path);
        const auto existing = store_->findSession(facts.content_hash, model_hash);
        // Loading a model takes a while: only when there is analysis to do.
        std::shared_ptr<EmotionClassifier> classifier;
        if ((!existing || existing->state == AnalysisState::InProgress) && !model_hash.empty() &&
            setup_.load_classifier) {
            classifier = setup_.load_classifier();
        }
        std::int64_t id = 0;
        if (existing) {
            id = existing->id;
            if (existing->recording.path != facts.path)
                store_->relocateRecording(id, facts.path);  // opened from where it lies now
        } else {
            id = store_->createSession(
                facts, describeSetup(setup_.model_path, classifier ? &classifier->info() : nullptr,
                                     setup_.detector, setup_.analysis.detect_every));
        }
        if (!showSession(id))
            return false;
        if (session_->state == AnalysisState::InProgress)
            startAnalysis(std::move(classifier));
        return true;
    } catch (const std::exception& error) {
        showError(tr("Cannot review %1: %2").arg(qs(recording.string()), error.what()));
        return false;
    }
}

bool ReviewWorkspace::openSession(std::int64_t session_id) {
    if (!showSession(session_id))
        return false;
    // A recording's unfinished analysis resumes where the last run stopped; a live session has
    // nothing to analyse: what it kept is all there is.
    if (session_->state == AnalysisState::InProgress && session_->kind == SessionKind::Recording)
        startAnalysis(nullptr);
    return true;
}

bool ReviewWorkspace::showSession(std::int64_t session_id) {
    if (!store_)
        return false;
    runner_->cancel();
    progress_row_->hide();
    player_->close();
    clearError();
    video_->setPlaceholder(tr("Open a recording to review it."));
    current_image_.release();
    try {
        session_ = store_->session(session_id);
        frames_ = store_->frames(session_id);
        markers_ = store_->markers(session_id);
        people_ = store_->people(session_id);
        loadRestingFaces();
        moments_.clear();  // recomputed by refreshViews
        loadMomentRecords();
    } catch (const std::exception& error) {
        session_.reset();
        showError(tr("Cannot open the stored session: %1").arg(error.what()));
        return false;
    }
    track_ = -1;
    exclusion_start_s_.reset();
    timeline_->setLabels(labels());
    video_->setLabels(labels());
    video_->clear();
    rebuildEmotionChecks();
    marker_panel_->setMarkers(markers_);
    timeline_->setMarkers(markers_);
    const bool live = session_->kind == SessionKind::Live;
    if (live && session_->recording.path.empty()) {
        // Kept without a recording: everything but the picture is there. Not an error: the
        // recording was off, as it is by default.
        video_->setPlaceholder(
            tr("No video: this live session was kept without a recording (recording was off).\n"
               "Its timeline, markers, summary, exports and report are all here."));
    } else if (live && !std::filesystem::exists(session_->recording.path)) {
        video_->setPlaceholder(tr("The recording of this live session is no longer at\n%1\n"
                                  "Its timeline, markers, summary, exports and report are here.")
                                   .arg(qs(session_->recording.path)));
    } else if (ensureRecordingPresent()) {
        try {
            player_->open(session_->recording.path);
        } catch (const std::exception& error) {
            showError(tr("The stored results are shown, but the video cannot be played: %1")
                          .arg(error.what()));
        }
    }
    refreshViews();
    timeline_->fitAll();
    if (session_->state == AnalysisState::Failed) {
        showError(tr("The analysis stopped early: %1. The %2 frames before that are shown.")
                      .arg(qs(session_->error))
                      .arg(session_->frames_stored));
    } else if (live && sessionStatus(*session_, store_->path()) == "ended early") {
        showError(tr("This live session ended early (emotrace was closed abruptly or crashed). "
                     "Its %1 readings kept until then are shown.")
                      .arg(session_->frames_stored));
    }
    return true;
}

bool ReviewWorkspace::ensureRecordingPresent() {
    const auto missing = qs(session_->recording.path);
    if (std::filesystem::exists(session_->recording.path))
        return true;
    const QString found = setup_.locate_recording ? setup_.locate_recording(missing)
                                                  : defaultLocateRecording(this, missing);
    if (found.isEmpty()) {
        showError(tr("The recording is missing: %1. The stored results are shown without "
                     "video.")
                      .arg(missing));
        return false;
    }
    try {
        if (recordingFingerprint(found.toStdString()) != session_->recording.content_hash) {
            showError(tr("%1 is not the recording this session analysed (its content differs). "
                         "The stored results are shown without video.")
                          .arg(found));
            return false;
        }
        store_->relocateRecording(session_->id, found.toStdString());
        session_ = store_->session(session_->id);
        return true;
    } catch (const std::exception& error) {
        showError(tr("Cannot use %1: %2").arg(found, error.what()));
        return false;
    }
}

std::shared_ptr<EmotionClassifier> ReviewWorkspace::classifierFor(const SessionInfo& session) {
    if (session.setup.model_hash.empty())
        return nullptr;
    if (setup_.model_path.empty() || !setup_.load_classifier ||
        modelFingerprint(setup_.model_path) != session.setup.model_hash) {
        throw ModelError("this session was analysed with the model " + session.setup.model_path +
                         "; start emotrace with --model pointing at that model to finish it");
    }
    return setup_.load_classifier();
}

void ReviewWorkspace::startAnalysis(std::shared_ptr<EmotionClassifier> classifier) {
    if (!session_ || !store_)
        return;
    try {
        if (!classifier)
            classifier = classifierFor(*session_);
    } catch (const std::exception& error) {
        showError(tr("The analysis cannot continue: %1").arg(error.what()));
        return;
    }
    // One analysis per recording and store: an emotrace-analyze (or another dashboard) on the
    // same recording would otherwise collide with this one.
    auto lock = AnalysisLock::tryAcquire(
        store_->path(),
        AnalysisLock::keyFor(session_->recording.content_hash, session_->setup.model_hash));
    if (!lock) {
        showError(tr("Another emotrace process is analysing this recording into this store right "
                     "now: the %1 frames it has stored so far are shown. Open the session again "
                     "when it has finished to see the rest.")
                      .arg(session_->frames_stored));
        return;
    }
    auto held = std::make_shared<AnalysisLock>(std::move(*lock));
    auto options = setup_.analysis;
    options.detect_every = std::max(1, session_->setup.detect_every);
    auto make_detector = setup_.make_detector;
    if (!make_detector)
        make_detector = [detector = setup_.detector] { return createFaceDetector(detector); };
    // The worker opens its own connection: SQLite connections are not shared across threads,
    // and the GUI keeps writing markers through its own while the analysis appends frames.
    runner_->start([store_path = store_->path(), id = session_->id, options, make_detector,
                    classifier, held](std::stop_token stop, const AnalysisCallbacks& callbacks) {
        SessionStore store(store_path);
        const auto detector = make_detector();
        return analyzeRecording(store, id, *detector, classifier.get(), options, stop, callbacks);
    });
    progress_->setValue(0);
    eta_->setText(tr("starting…"));
    progress_row_->show();
}

void ReviewWorkspace::onFramesArrived(const std::vector<FrameRecord>& batch) {
    for (const auto& frame : batch) {
        // A batch that overlaps what was loaded at opening adds only the frames after it.
        if (frame.frame_index == static_cast<std::int64_t>(frames_.size()))
            frames_.push_back(frame);
    }
    scheduleRefresh();
}

void ReviewWorkspace::onProgress(const AnalysisProgress& progress) {
    const double share = progress.frame_count > 0 ? static_cast<double>(progress.frames_done) /
                                                        static_cast<double>(progress.frame_count)
                                                  : 0.0;
    progress_->setValue(static_cast<int>(std::clamp(share, 0.0, 1.0) * 1000.0));
    progress_->setFormat(tr("%1 of %2 frames").arg(progress.frames_done).arg(progress.frame_count));
    eta_->setText(tr("%1 fps, about %2 left")
                      .arg(progress.frames_per_second, 0, 'f', 0)
                      .arg(formatSessionTime(progress.eta_seconds)));
    emit analysisProgressed(progress.frames_done, progress.frame_count);
}

void ReviewWorkspace::onAnalysisFinished(const AnalysisResult& result) {
    progress_row_->hide();
    QString outcome;
    switch (result.outcome) {
        case AnalysisOutcome::Complete:
            outcome = tr("Analysis complete: %1 frames.").arg(result.frames_stored);
            break;
        case AnalysisOutcome::Cancelled:
            outcome = tr("Analysis cancelled at frame %1; reopen the session to resume.")
                          .arg(result.frames_stored);
            break;
        case AnalysisOutcome::Broken:
            outcome = tr("The recording broke: %1. The %2 frames before it are kept.")
                          .arg(qs(result.error))
                          .arg(result.frames_stored);
            showError(outcome);
            break;
    }
    statusBar()->showMessage(outcome, 15000);
    try {
        session_ = store_->session(session_->id);
    } catch (const std::exception& error) {
        showError(tr("Cannot read the session back: %1").arg(error.what()));
    }
    refreshViews();
    refreshSessionList();
    emit analysisEnded(outcome);
}

void ReviewWorkspace::onAnalysisFailed(const QString& message) {
    progress_row_->hide();
    showError(tr("The analysis stopped: %1. Results stored before it are kept.").arg(message));
    refreshViews();
    emit analysisEnded(message);
}

void ReviewWorkspace::cancelAnalysis() {
    if (!runner_->isRunning())
        return;
    runner_->cancel();
    progress_row_->hide();
    statusBar()->showMessage(
        tr("Analysis cancelled at frame %1; reopen the session to resume.").arg(frames_.size()),
        15000);
    emit analysisEnded(tr("cancelled"));
}

std::optional<std::int64_t> ReviewWorkspace::addMarkerAtCurrentTime() {
    if (!session_ || !store_) {
        showError(tr("Open a recording before adding markers."));
        return std::nullopt;
    }
    Marker marker;
    marker.start_ms = marker.end_ms = player_->currentSeconds() * 1000.0;
    marker.label = tr("Marker %1").arg(markers_.size() + 1).toStdString();
    try {
        const auto id = store_->addMarker(session_->id, marker);
        reloadMarkers();
        side_tabs_->setCurrentWidget(marker_panel_);
        marker_panel_->editLabel(id);
        return id;
    } catch (const std::exception& error) {
        showError(tr("The marker was not stored: %1").arg(error.what()));
        return std::nullopt;
    }
}

void ReviewWorkspace::toggleExclusion() {
    if (!session_ || !store_) {
        showError(tr("Open a recording before excluding a range."));
        return;
    }
    const double now = player_->currentSeconds();
    if (!exclusion_start_s_) {
        exclusion_start_s_ = now;
        statusBar()->showMessage(tr("Exclusion starts at %1: move to its end and press E again.")
                                     .arg(formatSessionTime(now)));
        return;
    }
    Marker range;
    range.start_ms = std::min(*exclusion_start_s_, now) * 1000.0;
    range.end_ms = std::max(*exclusion_start_s_, now) * 1000.0;
    range.label = tr("Excluded").toStdString();
    range.exclude = true;
    exclusion_start_s_.reset();
    try {
        store_->addMarker(session_->id, range);
        reloadMarkers();
    } catch (const std::exception& error) {
        showError(tr("The excluded range was not stored: %1").arg(error.what()));
    }
}

void ReviewWorkspace::reloadMarkers() {
    try {
        markers_ = store_->markers(session_->id);
    } catch (const std::exception& error) {
        showError(tr("Cannot read the markers: %1").arg(error.what()));
    }
    marker_panel_->setMarkers(markers_);
    timeline_->setMarkers(markers_);
    refreshSummary();  // exclusions change the statistics
}

void ReviewWorkspace::updateMarker(const Marker& marker) {
    try {
        store_->updateMarker(marker);
    } catch (const std::exception& error) {
        showError(tr("The marker was not changed: %1").arg(error.what()));
    }
    reloadMarkers();
}

void ReviewWorkspace::removeMarker(std::int64_t marker_id) {
    try {
        store_->removeMarker(marker_id);
    } catch (const std::exception& error) {
        showError(tr("The marker was not deleted: %1").arg(error.what()));
    }
    reloadMarkers();
}

void ReviewWorkspace::refreshSessionList() {
    if (!store_)
        return;
    try {
        session_list_->setSessions(store_->sessions());
    } catch (const std::exception& error) {
        showError(tr("Cannot list the stored sessions: %1").arg(error.what()));
    }
}

}  // namespace emotrace::ui
