// What the training tools (emotrace-train, -evaluate, -experiment, -average) share about their
// command lines, which each declares with CLI11 (the data and training options come from
// addDataOptions and addTrainOptions): the usage error, the main() wrapper that turns errors
// into exit codes, and the command line as a shell would read it, for a model's record.
#pragma once

#include <string>
#include <vector>

#include "emotrace/error.h"

namespace CLI {
class App;
}

namespace emotrace::train {

// A command line that cannot be understood; tools print it and exit 2.
class UsageError : public Error {
  public:
    using Error::Error;
};

// The main() of every training tool: runs `run`, turning a UsageError into exit code 2 and any
// other error into exit code 1, each printed as "TOOL: message".
int runTool(const char* tool, int (*run)(int, char**), int argc, char** argv);

// Parses argv with `app`. Prints the help or the version and returns true when either was asked
// for (the tool then exits 0); throws UsageError for a command line CLI11 cannot accept.
bool parseToolArguments(CLI::App& app, int argc, char** argv);

// "program arg 'arg with space' ...": the command as given, for the record of how a model was
// made.
std::string commandLine(const std::string& program, int argc, char** argv);
std::string commandLine(const std::string& program, const std::vector<std::string>& args);

}  // namespace emotrace::train
