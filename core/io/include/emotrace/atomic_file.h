// Output files that never lose data: everything is written to a temporary file beside the
// target, flushed to the disk (fsync) and only then renamed over the target. A run that is
// killed, fails or fills the disk leaves the earlier file of that name exactly as it was.
// Files are created owner-only by default: exports hold health data (docs/review.md).
#pragma once

#include <filesystem>
#include <string_view>

namespace emotrace {

inline constexpr unsigned kOwnerOnlyFileMode = 0600;

// Parses an octal file mode such as "0640" for the --output-mode options; throws
// std::invalid_argument naming what was expected when it is not one.
unsigned parseFileMode(std::string_view text);

class AtomicFile {
  public:
    // Creates the temporary file ".NAME.PID.tmp" beside `file` with permissions `mode`, and
    // removes temporaries that killed runs left for the same target. Throws OutputError naming
    // the file when the folder is missing or not writable. A device or pipe (/dev/null, a FIFO)
    // is written directly, never replaced.
    explicit AtomicFile(std::filesystem::path file, unsigned mode = kOwnerOnlyFileMode);
    // Without commit(): removes the temporary file; the target is untouched.
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    // Throws OutputError (full disk, ...) naming the target.
    void write(std::string_view text);
    // For writers that take a file name (Qt's PDF and PNG writers, OpenCV's imwrite): they write
    // here, then commit() publishes what they wrote.
    const std::filesystem::path& temporaryPath() const { return temporary_; }
    // Flushes to the disk and renames over the target. Throws OutputError; the target is then
    // unchanged.
    void commit();

    const std::filesystem::path& path() const { return file_; }
    bool committed() const { return committed_; }

  private:
    [[noreturn]] void fail(const std::string& what, int error_number) const;

    std::filesystem::path file_;
    std::filesystem::path temporary_;
    unsigned mode_;
    int descriptor_ = -1;
    bool committed_ = false;
    bool direct_ = false;  // a device or pipe: written in place
};

}  // namespace emotrace
