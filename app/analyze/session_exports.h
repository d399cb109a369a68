// --export: a stored session's files for sharing and archiving, written into one folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>

#include "emotrace/session_store.h"

namespace emotrace::analyze {

// Writes DIR/STEM.session.csv and DIR/STEM.session.json and, in builds with the dashboard's
// library, DIR/STEM.timeline.png, DIR/STEM.timeline.pdf and DIR/STEM.report.pdf (of the track
// present in most frames), each atomically with permissions `mode`. Creates DIR. Throws
// OutputError naming the file that failed.
void writeSessionExports(const SessionStore& store, std::int64_t session,
                         const std::filesystem::path& dir, const std::string& stem, unsigned mode,
                         std::ostream& err, const std::string& prefix = "emotrace-analyze: ");

}  // namespace emotrace::analyze
