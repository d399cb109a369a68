// Command-line reading shared by emotrace-train, -evaluate and -experiment: "--name value" and
// "--name=value", typed values with their allowed range, and a UsageError that names the option.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "emotrace/error.h"

namespace emotrace::train {

// A command line that cannot be understood; tools print it with the usage and exit 2.
class UsageError : public Error {
  public:
    using Error::Error;
};

// The main() of every training tool: runs `run`, turning a UsageError into exit code 2 and any
// other error into exit code 1, each printed as "TOOL: message".
int runTool(const char* tool, int (*run)(int, char**), int argc, char** argv);

class Arguments {
  public:
    explicit Arguments(std::vector<std::string> args);
    Arguments(int argc, char** argv);  // skips argv[0]

    // Moves to the next argument; false at the end.
    bool next();
    // The current option name ("--epochs" of "--epochs=3") or a positional argument.
    const std::string& name() const { return name_; }
    bool is(const char* option) const { return name_ == option; }

    // The current option's value: the part after '=' or the next argument.
    std::string text();
    int integer(int min, int max);
    std::uint64_t unsignedInteger();
    double real(double min, double max);
    // Fails when an option that takes no value was given one ("--resume=yes").
    void flag();
    // "a,b,c" -> {"a", "b", "c"}.
    std::vector<std::string> list();

    // Everything as given, for the record of how a model was made.
    std::string commandLine(const std::string& program) const;

  private:
    std::vector<std::string> args_;
    std::size_t index_ = 0;
    std::string name_;
    std::optional<std::string> attached_;
};

}  // namespace emotrace::train
