// --export: a stored session's files for sharing and archiving, written into one folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "emotrace/session_store.h"

namespace emotrace::analyze {

// Writes DIR/STEM.session.csv and DIR/STEM.session.json and, in builds with the dashboard's
// library, DIR/STEM.timeline.png, DIR/STEM.timeline.pdf and DIR/STEM.report.pdf (of the track
// present in most frames), each atomically with permissions `mode`. Creates DIR. Throws
// OutputError naming the file that failed.
void writeSessionExports(const SessionStore& store, std::int64_t session,
                         const std::filesystem::path& dir, const std::string& stem, unsigned mode,
                         std::ostream& err, const std::string& prefix = "emotrace-analyze: ");

// The track the exports describe: the person followed live when one was chosen, else the track
// in most frames (in a therapy recording with one camera on the client, the client); -1 when
// no face was found.
int exportedTrack(const SessionInfo& info, const std::vector<FrameRecord>& frames);

// --resting-face-first: the exported track's first `seconds` of the session taken as its
// resting face (docs/baseline.md) and stored, unless it has one already. A refusal is said on
// `err` with its reason and is not an error: the readings as read stay. Returns whether one was
// taken. Throws StoreError when the store cannot be written.
bool takeRestingFaceFromStart(SessionStore& store, std::int64_t session, double seconds,
                              std::ostream& err, const std::string& prefix = "emotrace-analyze: ");

}  // namespace emotrace::analyze
