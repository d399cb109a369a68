// The programs' command lines are declared with CLI11 (a kept library: one declaration per
// option, --help and --version generated); this is the one way they run the parse, so every
// program treats help, version and errors alike: a usage error exits 2 with CLI11's message.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace emotrace::cli {

enum class ParseOutcome { Run, Help, Version };

// Words of `text` in lines of at most `width` characters; existing line breaks are kept.
inline std::string wrapText(const std::string& text, std::size_t width) {
    std::string wrapped;
    std::size_t line_length = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        if (text[start] == '\n') {
            wrapped += '\n';
            line_length = 0;
            ++start;
            continue;
        }
        const std::size_t end = std::min(text.find_first_of(" \n", start), text.size());
        const std::string word = text.substr(start, end - start);
        if (line_length > 0 && line_length + 1 + word.size() > width) {
            wrapped += '\n';
            line_length = 0;
        } else if (line_length > 0) {
            wrapped += ' ';
            ++line_length;
        }
        wrapped += word;
        line_length += word.size();
        start = end < text.size() && text[end] == ' ' ? end + 1 : end;
    }
    return wrapped;
}

// CLI11 2.1 prints each description on one line; this keeps --help within 100 columns.
class WrappingFormatter : public CLI::Formatter {
  public:
    std::string make_option_desc(const CLI::Option* option) const override {
        return wrapText(CLI::Formatter::make_option_desc(option), 100 - get_column_width());
    }
    std::string make_description(const CLI::App* app) const override {
        return wrapText(CLI::Formatter::make_description(app), 100);
    }
};

// Parses `args` (without the program name) with `app`. Throws UsageError(message) for a command
// line CLI11 cannot accept.
template <typename UsageError>
ParseOutcome parseCommandLine(CLI::App& app, const std::vector<std::string>& args) {
    try {
        app.parse(std::vector<std::string>(args.rbegin(), args.rend()));  // CLI11: last first
    } catch (const CLI::CallForHelp&) {
        return ParseOutcome::Help;
    } catch (const CLI::CallForVersion&) {
        return ParseOutcome::Version;
    } catch (const CLI::ArgumentMismatch& e) {
        // CLI11 says "smote was given a disallowed flag override" for "--smote=yes".
        const std::string message = e.what();
        const auto space = message.find(' ');
        if (message.ends_with("disallowed flag override") && space != std::string::npos)
            throw UsageError("--" + message.substr(0, space) + " takes no value");
        throw UsageError(message);
    } catch (const CLI::ParseError& e) {
        throw UsageError(e.what());
    }
    return ParseOutcome::Run;
}

// "--help" and "--version" as every program has them.
inline void addStandardFlags(CLI::App& app) {
    // "--flag=value" is refused rather than read as true or false.
    app.option_defaults()->disable_flag_override();
    app.set_help_flag("-h,--help", "this text");
    app.set_version_flag("--version", EMOTRACE_VERSION, "the version of emotrace");
    auto formatter = std::make_shared<WrappingFormatter>();
    formatter->column_width(26);
    app.formatter(formatter);
}

}  // namespace emotrace::cli
