#include "emotrace/csv_lines.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include <sys/wait.h>

#include "emotrace/load_report.h"

namespace emotrace::csv {

namespace {

constexpr std::size_t kChunk = 1 << 22;

std::string shellQuoted(const std::string& text) {
    std::string quoted = "'";
    for (char c : text) {
        if (c == '\'')
            quoted += "'\\''";
        else
            quoted += c;
    }
    return quoted + "'";
}

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
        text = text.substr(1, text.size() - 2);
    return text;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

LineReader::LineReader(const std::filesystem::path& path) : path_(path), buffer_(kChunk) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
        throw DatasetError("dataset file not found: " + path.string() +
                           " (unpack the data with ../shared/data/unpack.sh DEST, or give the "
                           ".csv.xz)");
    }
    piped_ = path.extension() == ".xz";
    if (piped_) {
        // Decompressing in a child process overlaps it with parsing, and xz is always there.
        const std::string command = "xz -dc -- " + shellQuoted(path.string());
        file_ = ::popen(command.c_str(), "r");
    } else {
        file_ = std::fopen(path.c_str(), "rb");
    }
    if (!file_) {
        throw DatasetError("cannot open " + path.string() + ": " + std::strerror(errno));
    }
}

LineReader::~LineReader() {
    if (file_)
        piped_ ? ::pclose(file_) : std::fclose(file_);
}

void LineReader::close() {
    if (!file_)
        return;
    const int status = piped_ ? ::pclose(file_) : std::fclose(file_);
    file_ = nullptr;
    if (piped_ && (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
        throw DatasetError("decompressing " + path_.string() +
                           " with xz failed (truncated or corrupt file?); unpack it with "
                           "../shared/data/unpack.sh or give the .csv");
    }
}

bool LineReader::refill() {
    if (eof_)
        return false;
    if (begin_ > 0) {
        std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    if (end_ == buffer_.size())
        buffer_.resize(buffer_.size() * 2);
    const std::size_t got = std::fread(buffer_.data() + end_, 1, buffer_.size() - end_, file_);
    if (got == 0) {
        if (std::ferror(file_))
            throw DatasetError("reading " + path_.string() + " failed: " + std::strerror(errno));
        eof_ = true;
        close();
        return false;
    }
    end_ += got;
    return true;
}

bool LineReader::next(std::string_view& line) {
    while (true) {
        const char* start = buffer_.data() + begin_;
        const auto* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
        if (newline) {
            std::size_t length = static_cast<std::size_t>(newline - start);
            begin_ += length + 1;
            if (length > 0 && start[length - 1] == '\r')
                --length;
            line = std::string_view(start, length);
            ++line_number_;
            return true;
        }
        if (!refill()) {
            if (begin_ == end_)
                return false;
            // The last line has no newline.
            std::size_t length = end_ - begin_;
            const char* last = buffer_.data() + begin_;
            begin_ = end_;
            if (length > 0 && last[length - 1] == '\r')
                --length;
            line = std::string_view(last, length);
            ++line_number_;
            return true;
        }
    }
}

void splitFields(std::string_view line, std::vector<std::string_view>& fields) {
    fields.clear();
    while (true) {
        const std::size_t comma = line.find(',');
        fields.push_back(trimmed(line.substr(0, comma)));
        if (comma == std::string_view::npos)
            return;
        line.remove_prefix(comma + 1);
    }
}

int findColumn(const std::vector<std::string_view>& header, std::string_view name) {
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (equalsIgnoringCase(header[i], name))
            return static_cast<int>(i);
    }
    return -1;
}

std::string joinFields(const std::vector<std::string_view>& fields) {
    std::string joined;
    for (const auto& field : fields)
        joined += (joined.empty() ? "" : ",") + std::string(field);
    return joined;
}

}  // namespace emotrace::csv
