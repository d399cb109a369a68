#include "session_exports.h"

#include <algorithm>
#include <system_error>
#include <vector>

#include "emotrace/error.h"
#include "emotrace/neutral_baseline.h"
#include "emotrace/session_export.h"
#include "emotrace/session_statistics.h"
#ifdef EMOTRACE_HAVE_UI
#include "figures.h"
#include "session_report.h"
#endif

namespace emotrace::analyze {

namespace {

void createFolder(const std::filesystem::path& dir) {
    std::error_code error;
    std::filesystem::create_directories(dir, error);
    if (error || !std::filesystem::is_directory(dir)) {
        throw OutputError("cannot create the export folder " + dir.string() + ": " +
                          (error ? error.message() : "a file of that name is in the way"));
    }
}

}  // namespace

int exportedTrack(const SessionInfo& info, const std::vector<FrameRecord>& frames) {
    const auto tracks = tracksByPresence(frames);
    const bool followed =
        info.followed_track >= 0 &&
        std::find(tracks.begin(), tracks.end(), info.followed_track) != tracks.end();
    return followed ? info.followed_track : tracks.empty() ? -1 : tracks.front();
}

bool takeRestingFaceFromStart(SessionStore& store, std::int64_t session, double seconds,
                              std::ostream& err, const std::string& prefix) {
    const SessionInfo info = store.session(session);
    const std::vector<FrameRecord> frames = store.frames(session);
    const int track = exportedTrack(info, frames);
    const auto kept = store.baselines(session);
    if (track < 0 || info.setup.labels.empty() || baselineOf(kept, track))
        return false;  // no face or no model: nothing to take; one taken before stays
    const double end_ms = seconds * 1000.0;
    const auto attempt =
        takeNeutralBaseline(framesBetween(frames, 0.0, end_ms), track, info.setup.labels);
    if (!attempt.baseline) {
        err << prefix << "no resting face taken from the first " << seconds << " s of "
            << info.recording.path << ": " << attempt.refusal << '\n';
        return false;
    }
    store.setBaseline(session, {track, 0.0, end_ms, *attempt.baseline});
    err << prefix << "resting face of face #" << track << " taken from the first " << seconds
        << " s of " << info.recording.path
        << (attempt.warning.empty() ? "" : " (" + attempt.warning + ")") << '\n';
    return true;
}

void writeSessionExports(const SessionStore& store, std::int64_t session,
                         const std::filesystem::path& dir, const std::string& stem, unsigned mode,
                         std::ostream& err, const std::string& prefix) {
    createFolder(dir);
    const SessionInfo info = store.session(session);
    const std::vector<FrameRecord> frames = store.frames(session);
    const std::vector<Marker> markers = store.markers(session);
    const auto tracks = tracksByPresence(frames);
    const int track = exportedTrack(info, frames);
    std::vector<std::filesystem::path> written{dir / (stem + ".session.csv"),
                                               dir / (stem + ".session.json")};
    // Each person's resting face, when one was taken: the CSV and the JSON carry the readings
    // both as read and relative to it.
    RestingFacesExport resting_faces{store.baselines(session), std::nullopt};
    const auto baselines = baselinesByTrack(resting_faces.baselines);
    writeSessionCsv(written[0], info.setup.labels, frames, mode, baselines);
    if (baselines.contains(track)) {
        resting_faces.relative_statistics =
            sessionStatistics(relativeToRest(frames, baselines), info.setup.labels, track, markers);
    }
    writeSessionJson(written[1], info, markers,
                     sessionStatistics(frames, info.setup.labels, track, markers), track, mode,
                     store.people(session), resting_faces);
#ifdef EMOTRACE_HAVE_UI
    if (!tracks.empty()) {
        const ui::FigureApplication application;
        for (const char* extension : {".timeline.png", ".timeline.pdf"}) {
            written.push_back(dir / (stem + extension));
            ui::saveTimeline(written.back(), info, frames, markers, track, {}, 1600, 520, mode);
        }
        written.push_back(dir / (stem + ".report.pdf"));
        ui::saveSessionReport(written.back(), info, frames, markers, track,
                              {store.liveMoments(info.id), store.momentDecisions(info.id)},
                              LowQualityReadings::Counted, mode);
    } else {
        err << prefix << "no face in " << info.recording.path
            << ": no timeline or report to export\n";
    }
#endif
    err << prefix << "exported";
    for (const auto& file : written)
        err << ' ' << file.string();
    err << '\n';
}

}  // namespace emotrace::analyze
