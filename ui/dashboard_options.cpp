#include "dashboard_options.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "emotrace/command_line.h"
#include "emotrace/error.h"

namespace emotrace::dashboard {
namespace {

// A number of seconds that is finite and at least `minimum` (more than it when `exclusive`):
// CLI11's Range lets NaN through.
CLI::Validator seconds(double minimum, bool exclusive, const std::string& what) {
    return CLI::Validator(
        [minimum, exclusive, what](std::string& text) -> std::string {
            double value = 0.0;
            const auto* end = text.data() + text.size();
            const auto [stop, error] = std::from_chars(text.data(), end, value);
            const bool in_range = exclusive ? value > minimum : value >= minimum;
            if (text.empty() || error != std::errc{} || stop != end || !std::isfinite(value) ||
                !in_range) {
                return "expected " + what + ", got \"" + text + "\"";
            }
            return {};
        },
        "SECONDS");
}

// Raw values checked after the parse, where they need each other or a parser of ours.
struct Given {
    std::string source;
    std::string model;
    bool no_model = false;
    std::string detector = "yunet";
    std::vector<std::string> positional;
    std::vector<std::string> people;
};

void declareOptions(CLI::App& app, DashboardOptions& options, Given& given) {
    app.description("Live facial-expression dashboard.");
    cli::addStandardFlags(app);
    app.add_option("--source", given.source,
                   "start at once with SOURCE: a video file, camera:N, screen[:X,Y,W,H] (a "
                   "region of the primary screen), window:TITLE (the call's window), or "
                   "screencast (the window the desktop's sharing dialog gives; Wayland)")
        ->type_name("SOURCE");
    auto* model = app.add_option("--model", given.model,
                                 "emotion model (emotrace model file or TorchScript with "
                                 "FILE.json); default: the shipped models/emotrace-resnet18.pt "
                                 "(or the one in $EMOTRACE_MODELS) when it is there")
                      ->type_name("FILE");
    app.add_flag("--no-model", given.no_model,
                 "no emotion model: faces are boxed, emotions not shown")
        ->excludes(model)
        ->disable_flag_override();
    app.add_option("--detector", given.detector, "yunet (default), yunet2022 or haar")
        ->type_name("NAME");
    app.add_flag("--loop", options.loop, "replay a video file from the start when it ends")
        ->disable_flag_override();
    app.add_option("--smoothing", options.smoothing_seconds,
                   "steady the overlay: each face's emotions averaged over about this long "
                   "(default 0.5; 0 shows every frame as is)")
        ->check(seconds(0.0, false, "0 or more seconds (e.g. 0.5)"));
    app.add_option("--resting-face-first", options.resting_face_first_seconds,
                   "take each live session's first SECONDS as the resting face of the person in "
                   "view (docs/baseline.md; the B key takes one at any time); default 0: off")
        ->type_name("SECONDS")
        ->check(seconds(0.0, false, "0 or more seconds (e.g. 5)"));
    auto* review = app.add_option("--review", options.review,
                                  "review a recorded session: reopen its stored analysis or "
                                  "analyse it in the background")
                       ->type_name("FILE");
    app.get_option("--source")->excludes(review);
    app.add_option("--review-at", options.review_at_seconds,
                   "start the review's player at this session time")
        ->check(seconds(0.0, false, "a session time in seconds, 0 or more"));
    app.add_option("--review-tab", options.review_tab,
                   "show this tab beside the review's player (for screenshots): summary, "
                   "markers, moments or sessions")
        ->check(CLI::IsMember({"summary", "markers", "moments", "sessions"}));
    app.add_option("--store", options.store,
                   "the session store (default: the user's data directory, "
                   "~/.local/share/emotrace/sessions.sqlite)")
        ->type_name("FILE");
    auto* no_keep = app.add_flag(
                           "--no-keep", [&options](std::int64_t) { options.keep = false; },
                           "do not keep live sessions in the store (a demo, a test): "
                           "nothing is written")
                        ->disable_flag_override();
    app.add_flag("--record", options.record,
                 "record the session's analysed frames into a video beside the store (only with "
                 "the client's consent; off by default)")
        ->excludes(no_keep)
        ->disable_flag_override();
    app.add_option("--label", options.label,
                   "the session's label: a pseudonymous client code and a note (optional)")
        ->type_name("TEXT")
        ->excludes(no_keep);
    auto* review_session =
        app.add_option("--review-session", options.review_session,
                       "open the review workspace on stored session ID (see emotrace-sessions "
                       "list)")
            ->type_name("ID")
            ->check(CLI::PositiveNumber);
    review_session->excludes(review)->excludes(app.get_option("--source"));
    app.add_option("--threads", options.threads,
                   "threads for the emotion model and OpenCV (default: the libraries' own, 1 "
                   "for the model, leaving a core to the UI)")
        ->check(CLI::Range(1, 256));
    auto* quit_after = app.add_option("--quit-after", options.quit_after_seconds,
                                      "quit after SECONDS (with --screenshot: for docs and tests)")
                           ->check(seconds(0.0, true, "a positive number of seconds (e.g. 8)"));
    app.add_option("--screenshot", options.screenshot,
                   "save the window as PNG when --quit-after expires")
        ->type_name("FILE")
        ->needs(quit_after);
    app.add_option("--person", given.people,
                   "what to do with face TRACK once found: a short name, and follow it or leave "
                   "it out (the self-view), e.g. 1:client:follow or 0:therapist:leave-out; "
                   "repeatable (faces are numbered in the order found)")
        ->type_name("TRACK:NAME[:follow|:leave-out]");
    app.add_option("ARGUMENTS", given.positional)->group("");  // for a clear message below
}

}  // namespace

PersonOption parsePersonOption(const std::string& text) {
    const auto bad = [&text]() {
        return Error("--person \"" + text +
                     "\": expected TRACK:NAME[:follow|:leave-out], e.g. 1:client:follow");
    };
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t colon; (colon = text.find(':', start)) != std::string::npos; start = colon + 1)
        parts.push_back(text.substr(start, colon - start));
    parts.push_back(text.substr(start));
    if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() ||
        !std::all_of(parts[0].begin(), parts[0].end(),
                     [](unsigned char c) { return std::isdigit(c); }) ||
        parts[0].size() > 6)
        throw bad();
    PersonOption person;
    person.track = std::stoi(parts[0]);
    person.name = parts[1];
    if (parts.size() == 3) {
        if (parts[2] == "follow")
            person.follow = true;
        else if (parts[2] == "leave-out")
            person.leave_out = true;
        else
            throw bad();
    }
    return person;
}

std::string usage() {
    DashboardOptions options;
    Given given;
    CLI::App app{"", "emotrace"};
    declareOptions(app, options, given);
    return app.help();
}

DashboardOptions parseDashboardOptions(const std::vector<std::string>& arguments) {
    DashboardOptions options;
    Given given;
    CLI::App app{"", "emotrace"};
    declareOptions(app, options, given);
    const auto outcome = cli::parseCommandLine<Error>(app, arguments);
    options.help = outcome == cli::ParseOutcome::Help;
    options.version = outcome == cli::ParseOutcome::Version;
    if (outcome != cli::ParseOutcome::Run)
        return options;
    options.smoothing_given = app.count("--smoothing") > 0;
    if (!given.positional.empty()) {
        throw Error("unexpected argument \"" + given.positional.front() +
                    "\" (a video is given as --source FILE)");
    }
    if (!given.source.empty())
        options.source = ui::parseSourceSpec(given.source);
    for (const auto& person : given.people)
        options.people.push_back(parsePersonOption(person));
    if (!given.model.empty()) {
        options.model = given.model;
        options.default_model = false;
    } else if (given.no_model) {
        options.default_model = false;
    }
    try {
        options.detector.kind = parseDetectorKind(given.detector);
    } catch (const Error& e) {
        throw Error(std::string("--detector: ") + e.what());
    }
    return options;
}

DashboardOptions parseDashboardOptions(int argc, char* argv[]) {
    std::vector<std::string> arguments;
    for (int i = 1; i < argc; ++i)
        arguments.emplace_back(argv[i]);
    return parseDashboardOptions(arguments);
}

}  // namespace emotrace::dashboard
