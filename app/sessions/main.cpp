// emotrace-sessions: the stored sessions, live and analysed, for scripts: a list, and exports
// of chosen sessions (the same files as emotrace-analyze --export), so live sessions can be
// exported in batches like recorded ones.
#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../analyze/session_exports.h"
#include "emotrace/atomic_file.h"
#include "emotrace/command_line.h"
#include "emotrace/error.h"
#include "emotrace/live_session_writer.h"
#include "emotrace/progress_bar.h"
#include "emotrace/session_store.h"

namespace {

using namespace emotrace;

enum ExitCode : int {
    kExitOk = 0,
    kExitUnexpected = 1,
    kExitUsage = 2,
    kExitNoSuchSession = 3,
    kExitOutput = 6,  // the store cannot be opened, or an export cannot be written
};

class UsageError : public Error {
  public:
    using Error::Error;
};

struct Command {
    std::filesystem::path store;
    bool json = false;
    std::vector<std::int64_t> ids;
    std::filesystem::path out;
    std::string output_mode = "0600";
};

constexpr const char* kExitCodes =
    R"(Exit status: 0 success; 1 unexpected error; 2 usage error; 3 no session with a given id;
6 the store cannot be opened or an export cannot be written.)";

void declareOptions(CLI::App& app, Command& c, CLI::App*& list, CLI::App*& exports) {
    app.description(
        "The sessions in the session store, live ones and analysed recordings together: list "
        "them, or export chosen ones (per-frame CSV with track ids, session JSON, timeline PNG "
        "and PDF, PDF report: the files of emotrace-analyze --export).");
    app.footer(kExitCodes);
    cli::addStandardFlags(app);
    app.require_subcommand(1);
    app.add_option("--store", c.store,
                   "the session store (default: the user's data folder, "
                   "~/.local/share/emotrace/sessions.sqlite)")
        ->type_name("FILE");
    list = app.add_subcommand("list",
                              "one line per session, newest first: id, kind, start, "
                              "duration, frames, status, label");
    list->add_flag("--json", c.json, "a JSON array instead, one object per session");
    exports = app.add_subcommand("export", "write the exports of sessions ID... into --out DIR");
    exports->add_option("ID", c.ids, "session ids, as list shows them")->required();
    exports->add_option("--out", c.out, "the folder to write into")->required()->type_name("DIR");
    exports
        ->add_option("--output-mode", c.output_mode,
                     "permissions of the files, in octal (default 0600: owner-only)")
        ->type_name("MODE");
}

std::string duration(const SessionInfo& session) {
    return formatDuration(
        std::chrono::seconds(static_cast<std::int64_t>(sessionDurationSeconds(session) + 0.5)));
}

std::string start(const SessionInfo& session) {
    return session.started_utc.empty() ? session.created_utc : session.started_utc;
}

int list(const SessionStore& store, bool as_json) {
    const auto sessions = store.sessions();
    if (as_json) {
        nlohmann::ordered_json array = nlohmann::ordered_json::array();
        for (const auto& s : sessions) {
            array.push_back(
                {{"id", s.id},
                 {"kind", toString(s.kind)},
                 {"start_utc", start(s)},
                 {"duration_s", sessionDurationSeconds(s)},
                 {"frames", s.frames_stored},
                 {"status", sessionStatus(s, store.path())},
                 {"label", s.label},
                 {"source", s.kind == SessionKind::Live ? s.source : s.recording.path}});
        }
        std::cout << array.dump(2) << '\n';
        return kExitOk;
    }
    for (const auto& s : sessions) {
        std::cout << s.id << '\t' << toString(s.kind) << '\t' << start(s) << '\t' << duration(s)
                  << '\t' << s.frames_stored << " frames\t" << sessionStatus(s, store.path())
                  << '\t' << s.label << '\n';
    }
    return kExitOk;
}

int exportSessions(const SessionStore& store, const Command& c) {
    const unsigned mode = parseFileMode(c.output_mode);
    for (const auto id : c.ids) {
        SessionInfo session;
        try {
            session = store.session(id);
        } catch (const StoreError& e) {
            std::cerr << "emotrace-sessions: " << e.what() << '\n';
            return kExitNoSuchSession;
        }
        const std::string stem =
            "session-" + std::to_string(id) + (session.label.empty() ? "" : "-" + session.label);
        analyze::writeSessionExports(store, id, c.out, stem, mode, std::cerr,
                                     "emotrace-sessions: ");
    }
    return kExitOk;
}

int run(int argc, char** argv) {
    Command command;
    CLI::App app{"", "emotrace-sessions"};
    CLI::App* list_command = nullptr;
    CLI::App* export_command = nullptr;
    declareOptions(app, command, list_command, export_command);
    const std::vector<std::string> args(argv + 1, argv + argc);
    switch (cli::parseCommandLine<UsageError>(app, args)) {
        case cli::ParseOutcome::Help:
            std::cout << app.help();
            return kExitOk;
        case cli::ParseOutcome::Version:
            std::cout << "emotrace-sessions " << EMOTRACE_VERSION << '\n';
            return kExitOk;
        case cli::ParseOutcome::Run:
            break;
    }
    try {
        parseFileMode(command.output_mode);
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--output-mode: ") + e.what());
    }
    const auto path = command.store.empty() ? defaultStorePath() : command.store;
    if (!std::filesystem::exists(path)) {
        std::cerr << "emotrace-sessions: no session store at " << path.string()
                  << " (nothing was kept yet, or give --store FILE)\n";
        return kExitOutput;
    }
    const SessionStore store(path);
    if (list_command->parsed())
        return list(store, command.json);
    return exportSessions(store, command);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const UsageError& e) {
        std::cerr << "emotrace-sessions: " << e.what() << "\nTry 'emotrace-sessions --help'.\n";
        return kExitUsage;
    } catch (const StoreError& e) {
        std::cerr << "emotrace-sessions: " << e.what() << '\n';
        return kExitOutput;
    } catch (const OutputError& e) {
        std::cerr << "emotrace-sessions: " << e.what() << '\n';
        return kExitOutput;
    } catch (const std::exception& e) {
        std::cerr << "emotrace-sessions: unexpected error: " << e.what() << '\n';
        return kExitUnexpected;
    }
}
