// Reading the dataset csv files fast: lines as string_views over a large buffer, from a plain
// file or through `xz -dc` for .xz files, and comma-separated fields split without copies.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace emotrace::csv {

class LineReader {
  public:
    // Throws DatasetError naming the file when it is missing or cannot be opened.
    explicit LineReader(const std::filesystem::path& path);
    ~LineReader();
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;

    // The next line without its line ending, valid until the next call; false at the end. After
    // the last line of an .xz file, throws DatasetError when xz reported a failure.
    bool next(std::string_view& line);
    // 1-based number of the line last returned.
    std::size_t lineNumber() const { return line_number_; }

  private:
    bool refill();
    void close();

    std::filesystem::path path_;
    std::FILE* file_ = nullptr;
    bool piped_ = false;
    std::vector<char> buffer_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    bool eof_ = false;
    std::size_t line_number_ = 0;
};

// Fields split on commas; one pair of surrounding double quotes and spaces are stripped.
void splitFields(std::string_view line, std::vector<std::string_view>& fields);

// Index of the column named `name` (case-insensitive), or -1.
int findColumn(const std::vector<std::string_view>& header, std::string_view name);

// The fields joined for messages: "emotion,pixels,Usage".
std::string joinFields(const std::vector<std::string_view>& fields);

}  // namespace emotrace::csv
