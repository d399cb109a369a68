// Opening the session store's SQLite file: its folder and owner-only permissions, the checks that
// refuse a damaged or newer database before anything is written to it, and the schema.
#pragma once

#include <filesystem>
#include <memory>

#include "sqlite_connection.h"

namespace emotrace {

// Creates the folder (0700) and the database (0600) when missing, checks the file is an intact
// emotrace database of a schema this build reads, and sets WAL journaling. Throws StoreError.
std::unique_ptr<SqliteConnection> openSessionDatabase(const std::filesystem::path& file);

}  // namespace emotrace
