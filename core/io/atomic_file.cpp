#include "emotrace/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "emotrace/error.h"

namespace emotrace {
namespace {

namespace fs = std::filesystem;

std::string temporaryPrefix(const fs::path& file) {
    return "." + file.filename().string() + ".";
}

// ".NAME.PID.tmp" files of processes that no longer run: what a killed run left behind.
void removeAbandonedTemporaries(const fs::path& file) {
    const std::string prefix = temporaryPrefix(file);
    std::error_code error;
    const fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
    for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
        const std::string name = it->path().filename().string();
        if (name.size() <= prefix.size() + 4 || name.rfind(prefix, 0) != 0 ||
            name.substr(name.size() - 4) != ".tmp") {
            continue;
        }
        const std::string pid_text = name.substr(prefix.size(), name.size() - prefix.size() - 4);
        if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos)
            continue;
        const auto pid = static_cast<pid_t>(std::stol(pid_text));
        if (pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) {
            std::error_code ignored;
            fs::remove(it->path(), ignored);
        }
    }
}

void syncFolder(const fs::path& file) {
    const fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
    const int descriptor = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (descriptor >= 0) {
        ::fsync(descriptor);
        ::close(descriptor);
    }
}

}  // namespace

unsigned parseFileMode(std::string_view text) {
    const std::string value(text);
    if (value.empty() || value.size() > 4 ||
        value.find_first_not_of("01234567") != std::string::npos)
        throw std::invalid_argument("expected an octal file mode such as 0600 or 0640, got '" +
                                    value + "'");
    const auto mode = static_cast<unsigned>(std::stoul(value, nullptr, 8));
    if ((mode & 0600) != 0600) {
        throw std::invalid_argument("the file mode " + value +
                                    " would not let you read and write your own files; "
                                    "expected one with 06 for the owner, such as 0600 or 0640");
    }
    return mode;
}

AtomicFile::AtomicFile(fs::path file, unsigned mode)
    : file_(std::move(file)),
      temporary_(file_.parent_path() /
                 (temporaryPrefix(file_) + std::to_string(::getpid()) + ".tmp")),
      mode_(mode) {
    std::error_code error;
    const auto status = fs::status(file_, error);
    if (fs::exists(status) && !fs::is_regular_file(status) && !fs::is_directory(status)) {
        // A device or pipe (/dev/null, /dev/stdout, a FIFO) is written in place: there is
        // nothing to replace, and renaming over it would destroy it.
        temporary_ = file_;
        direct_ = true;
        descriptor_ = ::open(file_.c_str(), O_WRONLY | O_CLOEXEC);
        if (descriptor_ < 0)
            fail("open", errno);
        return;
    }
    removeAbandonedTemporaries(file_);
    descriptor_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode_);
    if (descriptor_ < 0) {
        const int reason = errno;
        throw OutputError("cannot create " + file_.string() + ": " + std::strerror(reason) +
                          " (does the folder exist and is it writable?)");
    }
    ::fchmod(descriptor_, mode_);  // the umask must not widen or narrow what was asked for
}

AtomicFile::~AtomicFile() {
    if (descriptor_ >= 0)
        ::close(descriptor_);
    if (!committed_ && !direct_) {
        std::error_code ignored;
        fs::remove(temporary_, ignored);
    }
}

void AtomicFile::fail(const std::string& what, int error_number) const {
    throw OutputError("cannot " + what + " " + file_.string() + ": " + std::strerror(error_number) +
                      (error_number == ENOSPC ? " (the disk is full)" : "") +
                      "; an earlier file of that name is unchanged");
}

void AtomicFile::write(std::string_view text) {
    while (!text.empty()) {
        const ssize_t written = ::write(descriptor_, text.data(), text.size());
        if (written < 0) {
            if (errno == EINTR)
                continue;
            fail("write", errno);
        }
        text.remove_prefix(static_cast<std::size_t>(written));
    }
}

void AtomicFile::commit() {
    if (committed_)
        return;
    if (direct_) {
        const int closed = ::close(descriptor_);
        descriptor_ = -1;
        if (closed != 0 && errno != EINTR)
            fail("write", errno);
        committed_ = true;
        return;
    }
    // Writers given temporaryPath() may have replaced the file: sync it by its name.
    const int descriptor = ::open(temporary_.c_str(), O_RDONLY | O_CLOEXEC);
    if (descriptor < 0)
        fail("write", errno);
    const bool synced = ::fsync(descriptor) == 0 && ::fchmod(descriptor, mode_) == 0;
    const int reason = errno;
    ::close(descriptor);
    if (!synced)
        fail("write", reason);
    if (::close(descriptor_) != 0 && errno != EINTR) {
        descriptor_ = -1;
        fail("write", errno);
    }
    descriptor_ = -1;
    if (::rename(temporary_.c_str(), file_.c_str()) != 0)
        fail("replace", errno);
    committed_ = true;
    syncFolder(file_);
}

}  // namespace emotrace
