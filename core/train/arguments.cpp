#include "emotrace/train/arguments.h"

#include <charconv>
#include <cmath>
#include <iostream>

namespace emotrace::train {

Arguments::Arguments(std::vector<std::string> args) : args_(std::move(args)) {}

Arguments::Arguments(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        args_.emplace_back(argv[i]);
}

bool Arguments::next() {
    if (index_ >= args_.size())
        return false;
    const auto& arg = args_[index_++];
    const auto equals = arg.find('=');
    if (arg.starts_with("--") && equals != std::string::npos) {
        name_ = arg.substr(0, equals);
        attached_ = arg.substr(equals + 1);
    } else {
        name_ = arg;
        attached_.reset();
    }
    return true;
}

std::string Arguments::text() {
    if (attached_) {
        auto value = std::move(*attached_);
        attached_.reset();
        return value;
    }
    if (index_ >= args_.size())
        throw UsageError(name_ + " needs a value");
    return args_[index_++];
}

int Arguments::integer(int min, int max) {
    const auto value = text();
    int number = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (error != std::errc{} || end != value.data() + value.size() || number < min ||
        number > max) {
        throw UsageError(name_ + " expects a whole number from " + std::to_string(min) + " to " +
                         std::to_string(max) + ", got '" + value + "'");
    }
    return number;
}

std::uint64_t Arguments::unsignedInteger() {
    const auto value = text();
    std::uint64_t number = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (error != std::errc{} || end != value.data() + value.size())
        throw UsageError(name_ + " expects a non-negative whole number, got '" + value + "'");
    return number;
}

double Arguments::real(double min, double max) {
    const auto value = text();
    double number = 0.0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (error != std::errc{} || end != value.data() + value.size() || !std::isfinite(number) ||
        number < min || number > max) {
        throw UsageError(name_ + " expects a number from " + std::to_string(min) + " to " +
                         std::to_string(max) + ", got '" + value + "'");
    }
    return number;
}

void Arguments::flag() {
    if (attached_)
        throw UsageError(name_ + " takes no value, got '" + *attached_ + "'");
}

std::vector<std::string> Arguments::list() {
    const auto value = text();
    std::vector<std::string> items;
    std::size_t start = 0;
    while (start <= value.size()) {
        const auto comma = std::min(value.find(',', start), value.size());
        if (comma > start)
            items.push_back(value.substr(start, comma - start));
        start = comma + 1;
    }
    if (items.empty())
        throw UsageError(name_ + " expects a comma-separated list, got '" + value + "'");
    return items;
}

std::string Arguments::commandLine(const std::string& program) const {
    std::string line = program;
    for (const auto& arg : args_) {
        const bool plain = arg.find_first_of(" \t'\"$\\") == std::string::npos && !arg.empty();
        line += ' ' + (plain ? arg : "'" + arg + "'");
    }
    return line;
}

int runTool(const char* tool, int (*run)(int, char**), int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const UsageError& e) {
        std::cerr << tool << ": " << e.what() << "\n(see " << tool << " --help)\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << tool << ": " << e.what() << '\n';
        return 1;
    }
}

}  // namespace emotrace::train
