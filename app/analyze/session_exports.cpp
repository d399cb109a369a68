#include "session_exports.h"

#include <algorithm>
#include <system_error>
#include <vector>

#include "emotrace/error.h"
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

void writeSessionExports(const SessionStore& store, std::int64_t session,
                         const std::filesystem::path& dir, const std::string& stem, unsigned mode,
                         std::ostream& err, const std::string& prefix) {
    createFolder(dir);
    const SessionInfo info = store.session(session);
    const std::vector<FrameRecord> frames = store.frames(session);
    const std::vector<Marker> markers = store.markers(session);
    // The person followed live when one was chosen; else the track in most frames (in a
    // therapy recording with one camera on the client, the client).
    const auto tracks = tracksByPresence(frames);
    const bool followed =
        info.followed_track >= 0 &&
        std::find(tracks.begin(), tracks.end(), info.followed_track) != tracks.end();
    const int track = followed ? info.followed_track : tracks.empty() ? -1 : tracks.front();
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
