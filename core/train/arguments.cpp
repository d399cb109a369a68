#include "emotrace/train/arguments.h"

#include <iostream>

#include "emotrace/command_line.h"

namespace emotrace::train {

bool parseToolArguments(CLI::App& app, int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    switch (cli::parseCommandLine<UsageError>(app, args)) {
        case cli::ParseOutcome::Help:
            std::cout << app.help();
            return true;
        case cli::ParseOutcome::Version:
            std::cout << app.get_name() << ' ' << EMOTRACE_VERSION << '\n';
            return true;
        case cli::ParseOutcome::Run:
            break;
    }
    return false;
}

std::string commandLine(const std::string& program, const std::vector<std::string>& args) {
    std::string line = program;
    for (const auto& arg : args) {
        const bool plain = arg.find_first_of(" \t'\"$\\") == std::string::npos && !arg.empty();
        line += ' ' + (plain ? arg : "'" + arg + "'");
    }
    return line;
}

std::string commandLine(const std::string& program, int argc, char** argv) {
    return commandLine(program, std::vector<std::string>(argv + 1, argv + argc));
}

int runTool(const char* tool, int (*run)(int, char**), int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const UsageError& e) {
        std::cerr << tool << ": " << e.what() << "\nTry '" << tool << " --help'.\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << tool << ": " << e.what() << '\n';
        return 1;
    }
}

}  // namespace emotrace::train
