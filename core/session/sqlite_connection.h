// A thin RAII layer over the SQLite C API for the session store: one connection, prepared
// statements that are reused, and transactions that roll back unless committed. Every SQLite
// failure becomes a StoreError whose message names the database file and says what to do.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "emotrace/session_store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace emotrace {

class SqliteConnection;

// A StoreError that remembers SQLite's result code, so a caller can add what it knows (which
// frames were kept) to a full-disk message.
class SqliteFailure : public StoreError {
  public:
    SqliteFailure(int code, const std::string& message);
    bool diskFull() const;
    // Any failed write: a full disk, a quota or file-size limit, a failing drive.
    bool writeFailed() const;
    // Another connection held the lock (after the busy timeout, or at once where SQLite does
    // not wait, as while another program switches a new file to WAL).
    bool busy() const;

  private:
    int code_;
};

// The message for a file that is not SQLite or fails its integrity check.
std::string damagedDatabaseMessage(const std::filesystem::path& file, std::string_view detail);

class SqliteStatement {
  public:
    SqliteStatement(SqliteConnection& connection, std::string_view sql);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    // Clears earlier bindings and results, so a reused statement starts afresh. Returns *this.
    SqliteStatement& reset();
    SqliteStatement& bind(int index, std::int64_t value);
    SqliteStatement& bind(int index, int value) { return bind(index, std::int64_t{value}); }
    SqliteStatement& bind(int index, double value);
    SqliteStatement& bind(int index, std::string_view text);
    SqliteStatement& bindBlob(int index, std::span<const std::byte> bytes);

    // True while there is a row to read; false when done.
    bool step();
    // Steps a statement that returns no rows (INSERT, UPDATE, ...).
    void run();

    std::int64_t integer(int column) const;
    double real(int column) const;
    bool isNull(int column) const;
    std::string text(int column) const;
    std::span<const std::byte> blob(int column) const;  // valid until the next step/reset

  private:
    SqliteConnection& connection_;
    sqlite3_stmt* statement_ = nullptr;
};

class SqliteConnection {
  public:
    // Opens or creates the file. Throws StoreError when it cannot be opened.
    explicit SqliteConnection(std::filesystem::path file);
    ~SqliteConnection();
    SqliteConnection(const SqliteConnection&) = delete;
    SqliteConnection& operator=(const SqliteConnection&) = delete;

    void execute(std::string_view sql);
    // The first column of the first row, if the statement returns one.
    std::optional<std::string> queryText(std::string_view sql);
    std::int64_t changes() const;
    std::int64_t lastInsertId() const;

    const std::filesystem::path& file() const { return file_; }
    sqlite3* handle() const { return database_; }

    // Throws the StoreError that fits SQLite's result code `code` (locked, corrupt, full, ...);
    // `doing` says what failed ("reading frames").
    [[noreturn]] void fail(int code, std::string_view doing) const;

  private:
    std::filesystem::path file_;
    sqlite3* database_ = nullptr;
};

// BEGIN IMMEDIATE on construction: the write lock is taken up front, so a busy database fails
// here (after the busy timeout) rather than halfway through. Rolls back unless commit() ran.
class SqliteTransaction {
  public:
    explicit SqliteTransaction(SqliteConnection& connection);
    ~SqliteTransaction();
    SqliteTransaction(const SqliteTransaction&) = delete;
    SqliteTransaction& operator=(const SqliteTransaction&) = delete;
    void commit();

  private:
    SqliteConnection& connection_;
    bool open_ = true;
};

}  // namespace emotrace
