// The ReviewWorkspace's exports of the open session: per-frame CSV and session JSON (core's
// session_export.h), the timeline as PNG or PDF and the session report (session_report.h).
#include <QFileDialog>
#include <QStatusBar>

#include "emotrace/session_export.h"
#include "review_summary.h"
#include "review_workspace.h"
#include "session_report.h"

namespace emotrace::ui {
namespace {

QString qs(const std::string& text) {
    return QString::fromStdString(text);
}

}  // namespace

bool ReviewWorkspace::runExport(const QString& what, const std::filesystem::path& file,
                                const std::function<void()>& write) {
    if (!session_)
        return false;
    try {
        write();
        statusBar()->showMessage(tr("%1 written to %2").arg(what, qs(file.string())), 10000);
        return true;
    } catch (const std::exception& error) {
        showError(tr("Export failed: %1").arg(error.what()));
        return false;
    }
}

bool ReviewWorkspace::exportTimeline(const std::filesystem::path& file) {
    return runExport(tr("Timeline"), file, [&] {
        saveTimeline(file, *session_, shownFrames(), markers_, track_, smoothing_);
    });
}

bool ReviewWorkspace::exportReport(const std::filesystem::path& pdf) {
    return runExport(tr("Report"), pdf, [&] {
        // The report follows the switch, and says so when it shows readings relative to rest.
        std::optional<StoredBaseline> relative_to;
        if (const auto* own = baselineOf(baselines_, track_); own && relative_to_rest_)
            relative_to = *own;
        saveSessionReport(pdf, *session_, shownFrames(), markers_, track_,
                          {live_moments_, moment_decisions_}, summary_->lowQualityReadings(),
                          kOwnerOnlyFileMode, relative_to);
    });
}

bool ReviewWorkspace::exportFramesCsv(const std::filesystem::path& csv) {
    return runExport(tr("Frames"), csv, [&] {
        writeSessionCsv(csv, session_->setup.labels, frames_, kOwnerOnlyFileMode,
                        baselinesByTrack(baselines_));
    });
}

bool ReviewWorkspace::exportSessionJson(const std::filesystem::path& json) {
    return runExport(tr("Session"), json, [&] {
        const auto statistics_of = [&](const std::vector<FrameRecord>& frames) {
            return sessionStatistics(frames, labels(), track_, markers_,
                                     summaryWindowSeconds(sessionSeconds()), {},
                                     summary_->lowQualityReadings());
        };
        // Both ways, whichever the switch shows: as read, and relative to the resting face.
        RestingFacesExport resting_faces{baselines_, std::nullopt};
        const auto baselines = baselinesByTrack(baselines_);
        if (baselines.contains(track_))
            resting_faces.relative_statistics = statistics_of(relativeToRest(frames_, baselines));
        writeSessionJson(json, *session_, markers_, statistics_of(frames_), track_,
                         kOwnerOnlyFileMode, people_, resting_faces);
    });
}

void ReviewWorkspace::exportWithDialog(
    const QString& title, const QString& filter, const QString& suffix,
    const std::function<bool(const std::filesystem::path&)>& write) {
    if (!session_) {
        showError(tr("Open a recording before exporting."));
        return;
    }
    const auto stem =
        QString::fromStdString(std::filesystem::path(session_->recording.path).stem().string());
    QString file = QFileDialog::getSaveFileName(this, title, stem + suffix, filter);
    if (file.isEmpty())
        return;
    if (!file.endsWith(suffix))
        file += suffix;
    write(file.toStdString());
}

}  // namespace emotrace::ui
