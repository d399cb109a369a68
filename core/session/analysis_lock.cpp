#include "emotrace/analysis_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "emotrace/session_store.h"

namespace emotrace {
namespace {

int openLockFile(const std::filesystem::path& database, const std::string& key) {
    std::filesystem::path folder = database;
    folder += ".locks";
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (error || !std::filesystem::is_directory(folder)) {
        throw StoreError("cannot create the lock folder " + folder.string() +
                         " beside the "
                         "session store: " +
                         (error ? error.message() : "a file is in the way"));
    }
    ::chmod(folder.c_str(), 0700);
    const auto file = folder / (key + ".lock");
    const int descriptor = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (descriptor < 0) {
        const int reason = errno;
        throw StoreError("cannot open the lock file " + file.string() + ": " +
                         std::strerror(reason));
    }
    return descriptor;
}

}  // namespace

std::string AnalysisLock::keyFor(const std::string& content_hash, const std::string& model_hash) {
    return content_hash + "_" + (model_hash.empty() ? std::string("no-model") : model_hash);
}

std::optional<AnalysisLock> AnalysisLock::tryAcquire(const std::filesystem::path& database,
                                                     const std::string& key) {
    const int descriptor = openLockFile(database, key);
    while (::flock(descriptor, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EINTR)
            continue;
        ::close(descriptor);
        return std::nullopt;
    }
    return AnalysisLock(descriptor);
}

AnalysisLock AnalysisLock::acquire(const std::filesystem::path& database, const std::string& key) {
    const int descriptor = openLockFile(database, key);
    while (::flock(descriptor, LOCK_EX) != 0) {
        if (errno != EINTR) {
            const int reason = errno;
            ::close(descriptor);
            throw StoreError(std::string("cannot wait for the analysis lock: ") +
                             std::strerror(reason));
        }
    }
    return AnalysisLock(descriptor);
}

AnalysisLock::~AnalysisLock() {
    if (descriptor_ >= 0)
        ::close(descriptor_);  // closing the last descriptor releases the flock
}

AnalysisLock::AnalysisLock(AnalysisLock&& other) noexcept
    : descriptor_(std::exchange(other.descriptor_, -1)) {}

AnalysisLock& AnalysisLock::operator=(AnalysisLock&& other) noexcept {
    if (this != &other) {
        if (descriptor_ >= 0)
            ::close(descriptor_);
        descriptor_ = std::exchange(other.descriptor_, -1);
    }
    return *this;
}

}  // namespace emotrace
