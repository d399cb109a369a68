// One analysis per recording and store at a time. A second emotrace-analyze (or review
// workspace) started on a recording that another process is analysing into the same store
// would "resume" the session that process is still writing and collide with it. The lock is an
// OS file lock (flock) on a file in a folder beside the database ("sessions.sqlite.locks/",
// owner-only): the kernel releases it when its process ends, even by kill -9 or power loss,
// so a lock is never left behind by a crash.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace emotrace {

class AnalysisLock {
  public:
    // The key names what is analysed: the recording's fingerprint and the model's.
    static std::string keyFor(const std::string& content_hash, const std::string& model_hash);

    // Takes the lock for `key` on `database`, or returns nullopt at once when another process
    // holds it. Throws StoreError when the lock folder cannot be created.
    static std::optional<AnalysisLock> tryAcquire(const std::filesystem::path& database,
                                                  const std::string& key);
    // Waits until the lock is free, then takes it.
    static AnalysisLock acquire(const std::filesystem::path& database, const std::string& key);

    ~AnalysisLock();
    AnalysisLock(AnalysisLock&& other) noexcept;
    AnalysisLock& operator=(AnalysisLock&& other) noexcept;
    AnalysisLock(const AnalysisLock&) = delete;
    AnalysisLock& operator=(const AnalysisLock&) = delete;

  private:
    explicit AnalysisLock(int descriptor) : descriptor_(descriptor) {}
    int descriptor_ = -1;
};

}  // namespace emotrace
