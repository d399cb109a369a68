// Helpers shared by the test executables: where the shared data lives, temporary folders, and
// small generated inputs.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace emotrace::test {

// ../shared/data (or $EMOTRACE_DATA). nullopt when the folder or the file below it is absent;
// tests then EMOTRACE_SKIP_WITHOUT_DATA(relative).
std::optional<std::filesystem::path> sharedData(const std::string& relative = "");
std::string missingDataReason(const std::string& relative);

// Whether what the set-up installs (the shared data, ffmpeg, pdftotext, torchvision) must be
// there: under CI (CI=true) or EMOTRACE_REQUIRE_ALL=1. A test that would skip for want of it
// fails instead, so that CI cannot pass by skipping.
bool prerequisitesRequired();
// Adds a failure naming `reason` when prerequisitesRequired(); the test then skips (and counts
// as failed when the failure was added).
void failIfRequired(const std::string& reason);

// The first frame of a video (empty when it cannot be read).
cv::Mat firstFrame(const std::filesystem::path& clip);

// A whole file as bytes (empty when it cannot be read), and text split into lines.
std::string readFile(const std::filesystem::path& path);
std::vector<std::string> lines(const std::string& text);

// What a program run by runProgram() said and how it ended.
struct CommandResult {
    int exit_code = -1;  // -1 when it did not exit normally
    std::string out;
    std::string err;
};
// Runs `program` with `args` in `workdir`, capturing stdout and stderr into files there.
CommandResult runProgram(const std::filesystem::path& program, const std::filesystem::path& workdir,
                         const std::vector<std::string>& args);

// The text quoted for /bin/sh.
std::string shellQuoted(const std::string& text);
// Runs `command` with /bin/sh, its output discarded; true when it exited with 0.
bool runQuietly(const std::string& command);
// Whether the ffmpeg and ffprobe programs are on PATH (tools/setup.sh installs them); tests
// that make videos of a given kind with them skip with this reason when they are not.
bool haveFfmpegTools();
inline constexpr const char* kNoFfmpegReason =
    "ffmpeg/ffprobe not on PATH (tools/setup.sh deps installs them)";

// The kernel's id of the calling thread (gettid), for waitUntilSleeping.
pid_t currentThreadId();
// Waits until thread `tid` of this process sleeps in the kernel (state S in /proc: blocked on a
// futex, a condition variable, a read), polling; false when it has not within `limit`. Tests use
// it to be sure a worker is blocked inside a wait before they do what must wake it: without it
// the wake-up may come before the wait, and a wait that misses wake-ups goes unnoticed.
bool waitUntilSleeping(pid_t tid, std::chrono::milliseconds limit);

// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

  private:
    std::filesystem::path path_;
};

}  // namespace emotrace::test

// Skips the test because `reason` (something the set-up installs) is missing; fails it under CI.
#define EMOTRACE_SKIP_UNLESS_REQUIRED(reason)               \
    do {                                                    \
        const std::string emotrace_reason_ = (reason);      \
        ::emotrace::test::failIfRequired(emotrace_reason_); \
        GTEST_SKIP() << emotrace_reason_;                   \
    } while (false)

// Skips the test because `relative` is missing from the shared data; fails it under CI.
#define EMOTRACE_SKIP_WITHOUT_DATA(relative) \
    EMOTRACE_SKIP_UNLESS_REQUIRED(::emotrace::test::missingDataReason(relative))
