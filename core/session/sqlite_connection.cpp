#include "sqlite_connection.h"

#include <sqlite3.h>

#include "emotrace/session_store.h"

namespace emotrace {
namespace {

// Long enough for another emotrace's batch commit to finish, short enough that a database held
// by a hung process is reported rather than waited on forever.
constexpr int kBusyTimeoutMs = 3000;

std::string describe(int code, std::string_view doing, const std::filesystem::path& file,
                     const char* detail) {
    const std::string name = file.string();
    switch (code & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return "database " + name +
                   " is locked by another process (is another emotrace running?)";
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            return damagedDatabaseMessage(file, detail);
        case SQLITE_FULL:
            return "disk full while " + std::string(doing) + " " + name;
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_CANTOPEN:
            return "cannot open database " + name + " for writing (" + detail +
                   "): does the folder exist and is it yours?";
        default:
            return "database " + name + ": " + std::string(doing) + " failed (" + detail + ")";
    }
}

}  // namespace

std::string damagedDatabaseMessage(const std::filesystem::path& file, std::string_view detail) {
    return "database " + file.string() +
           " is damaged or not an emotrace database, so the results in it can't be read (" +
           std::string(detail) +
           "); move the file aside (emotrace never deletes or overwrites it) and emotrace will "
           "create a new one";
}

SqliteFailure::SqliteFailure(int code, const std::string& message)
    : StoreError(message), code_(code) {}

bool SqliteFailure::diskFull() const {
    return (code_ & 0xff) == SQLITE_FULL;
}

bool SqliteFailure::busy() const {
    return (code_ & 0xff) == SQLITE_BUSY || (code_ & 0xff) == SQLITE_LOCKED;
}

bool SqliteFailure::writeFailed() const {
    return diskFull() || (code_ & 0xff) == SQLITE_IOERR;
}

SqliteConnection::SqliteConnection(std::filesystem::path file) : file_(std::move(file)) {
    // One connection per store, used under the store's own mutex: SQLite's mutex is not needed.
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int code = sqlite3_open_v2(file_.c_str(), &database_, flags, nullptr);
    if (code != SQLITE_OK) {
        const std::string detail = database_ ? sqlite3_errmsg(database_) : sqlite3_errstr(code);
        sqlite3_close(database_);
        database_ = nullptr;
        throw SqliteFailure(code, describe(code, "opening", file_, detail.c_str()));
    }
    sqlite3_extended_result_codes(database_, 1);
    sqlite3_busy_timeout(database_, kBusyTimeoutMs);
}

SqliteConnection::~SqliteConnection() {
    // Statements are finalised by their owners first; close_v2 copes if one is left.
    sqlite3_close_v2(database_);
}

void SqliteConnection::execute(std::string_view sql) {
    char* message = nullptr;
    const int code = sqlite3_exec(database_, std::string(sql).c_str(), nullptr, nullptr, &message);
    if (code != SQLITE_OK) {
        const std::string detail = message ? message : sqlite3_errstr(code);
        sqlite3_free(message);
        throw SqliteFailure(code, describe(code, "updating", file_, detail.c_str()));
    }
}

std::optional<std::string> SqliteConnection::queryText(std::string_view sql) {
    SqliteStatement statement(*this, sql);
    if (!statement.step())
        return std::nullopt;
    return statement.text(0);
}

std::int64_t SqliteConnection::changes() const {
    return sqlite3_changes64(database_);
}

std::int64_t SqliteConnection::lastInsertId() const {
    return sqlite3_last_insert_rowid(database_);
}

void SqliteConnection::fail(int code, std::string_view doing) const {
    throw SqliteFailure(code, describe(code, doing, file_, sqlite3_errmsg(database_)));
}

SqliteStatement::SqliteStatement(SqliteConnection& connection, std::string_view sql)
    : connection_(connection) {
    const int code =
        sqlite3_prepare_v3(connection_.handle(), sql.data(), static_cast<int>(sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &statement_, nullptr);
    if (code != SQLITE_OK)
        connection_.fail(code, "preparing a query");
}

SqliteStatement::~SqliteStatement() {
    sqlite3_finalize(statement_);
}

SqliteStatement& SqliteStatement::reset() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::int64_t value) {
    const int code = sqlite3_bind_int64(statement_, index, value);
    if (code != SQLITE_OK)
        connection_.fail(code, "binding a value");
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, double value) {
    const int code = sqlite3_bind_double(statement_, index, value);
    if (code != SQLITE_OK)
        connection_.fail(code, "binding a value");
    return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
    const int code = sqlite3_bind_text64(statement_, index, text.data(), text.size(),
                                         SQLITE_TRANSIENT, SQLITE_UTF8);
    if (code != SQLITE_OK)
        connection_.fail(code, "binding a value");
    return *this;
}

SqliteStatement& SqliteStatement::bindBlob(int index, std::span<const std::byte> bytes) {
    // A zero-length blob, not NULL, so an empty probability list reads back as empty.
    const int code = bytes.empty() ? sqlite3_bind_zeroblob(statement_, index, 0)
                                   : sqlite3_bind_blob64(statement_, index, bytes.data(),
                                                         bytes.size(), SQLITE_TRANSIENT);
    if (code != SQLITE_OK)
        connection_.fail(code, "binding a value");
    return *this;
}

bool SqliteStatement::step() {
    const int code = sqlite3_step(statement_);
    if (code == SQLITE_ROW)
        return true;
    if (code == SQLITE_DONE)
        return false;
    // The statement must not keep its read or write lock after a failure.
    sqlite3_reset(statement_);
    connection_.fail(code, "running a query");
}

void SqliteStatement::run() {
    while (step()) {
    }
}

std::int64_t SqliteStatement::integer(int column) const {
    return sqlite3_column_int64(statement_, column);
}

bool SqliteStatement::isNull(int column) const {
    return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

double SqliteStatement::real(int column) const {
    return sqlite3_column_double(statement_, column);
}

std::string SqliteStatement::text(int column) const {
    const auto* text = sqlite3_column_text(statement_, column);
    const int size = sqlite3_column_bytes(statement_, column);
    if (text == nullptr)
        return {};
    return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

std::span<const std::byte> SqliteStatement::blob(int column) const {
    const void* data = sqlite3_column_blob(statement_, column);
    const int size = sqlite3_column_bytes(statement_, column);
    if (data == nullptr || size <= 0)
        return {};
    return {static_cast<const std::byte*>(data), static_cast<std::size_t>(size)};
}

SqliteTransaction::SqliteTransaction(SqliteConnection& connection) : connection_(connection) {
    connection_.execute("BEGIN IMMEDIATE");
}

SqliteTransaction::~SqliteTransaction() {
    if (open_)
        sqlite3_exec(connection_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteTransaction::commit() {
    connection_.execute("COMMIT");
    open_ = false;
}

}  // namespace emotrace
