// What a dataset loader did with its input: how many items it kept, how many it skipped and why,
// with the first few problems named by line or file so a user can find and fix them. In strict
// mode the first problem is an error instead of a skip.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "emotrace/error.h"

namespace emotrace {

// Malformed or unusable dataset input (a bad csv row, an unreadable image, an unknown class).
class DatasetError : public Error {
  public:
    using Error::Error;
};

class LoadReport {
  public:
    LoadReport() = default;
    LoadReport(std::string source, bool strict, std::size_t max_examples = 10);

    // An item that could not be used. `reason` is the short category counted in the summary
    // ("wrong pixel count"); `detail` names where and what ("fer2013.csv:17: expected 2304
    // pixels, found 2303"). Throws DatasetError with the detail in strict mode.
    void skip(const std::string& reason, const std::string& detail);
    // A problem that drops no item (an empty class folder); also an error in strict mode.
    void warn(const std::string& detail);
    void addLoaded(std::size_t count = 1) { loaded_ += count; }

    const std::string& source() const { return source_; }
    bool strict() const { return strict_; }
    std::size_t loaded() const { return loaded_; }
    std::size_t skipped() const { return skipped_; }
    const std::map<std::string, std::size_t>& skippedByReason() const { return by_reason_; }
    // The first max_examples skips, in input order.
    const std::vector<std::string>& examples() const { return examples_; }
    const std::vector<std::string>& warnings() const { return warnings_; }

    // "fer2013.csv: 35887 loaded, 2 skipped (wrong pixel count: 2)" and the examples, one a line.
    std::string summary() const;

  private:
    std::string source_;
    bool strict_ = false;
    std::size_t max_examples_ = 10;
    std::size_t loaded_ = 0;
    std::size_t skipped_ = 0;
    std::map<std::string, std::size_t> by_reason_;
    std::vector<std::string> examples_;
    std::vector<std::string> warnings_;
};

}  // namespace emotrace
