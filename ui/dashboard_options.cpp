#include "dashboard_options.h"

#include <charconv>
#include <cmath>

#include "emotrace/error.h"

namespace emotrace::dashboard {
namespace {

template <typename Number>
Number parseNumber(const std::string& option, const std::string& text, const char* expected) {
    Number value{};
    const auto* end = text.data() + text.size();
    const auto [stop, error] = std::from_chars(text.data(), end, value);
    if (text.empty() || error != std::errc{} || stop != end) {
        throw Error(option + ": expected " + expected + ", got \"" + text + "\"");
    }
    return value;
}

}  // namespace

std::string usage() {
    return "Usage: emotrace [options]\n"
           "Live facial-expression dashboard.\n\n"
           "  --source SOURCE       start at once with SOURCE: a video file, camera:N, or\n"
           "                        screen[:X,Y,W,H] (a region of the primary screen)\n"
           "  --model FILE          emotion model (emotrace model file or TorchScript with\n"
           "                        FILE.json); default: the shipped models/emotrace-resnet18.pt\n"
           "                        (or the one in $EMOTRACE_MODELS) when it is there\n"
           "  --no-model            no emotion model: faces are boxed, emotions not shown\n"
           "  --detector NAME       yunet (default), yunet2022 or haar\n"
           "  --loop                replay a video file from the start when it ends\n"
           "  --smoothing SECONDS   steady the overlay: each face's emotions averaged over\n"
           "                        about this long (default 0.5; 0 shows every frame as is)\n"
           "  --review FILE         review a recorded session: reopen its stored analysis or\n"
           "                        analyse it in the background\n"
           "  --review-at SECONDS   start the review's player at this session time\n"
           "  --store FILE          the session store (default: the user's data directory,\n"
           "                        ~/.local/share/emotrace/sessions.sqlite)\n"
           "  --threads N           threads for the emotion model and OpenCV (default: the\n"
           "                        libraries' own, 1 for the model, leaving a core to the UI)\n"
           "  --screenshot FILE     save the window as PNG when --quit-after expires\n"
           "  --quit-after SECONDS  quit after SECONDS (with --screenshot: for docs and tests)\n"
           "  --help                show this help\n";
}

DashboardOptions parseDashboardOptions(const std::vector<std::string>& arguments) {
    DashboardOptions options;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        std::string name = arguments[i];
        std::optional<std::string> inline_value;
        if (const auto equals = name.find('='); name.starts_with("--") && equals != name.npos) {
            inline_value = name.substr(equals + 1);
            name.resize(equals);
        }
        const auto value = [&]() -> std::string {
            if (inline_value)
                return *inline_value;
            if (i + 1 >= arguments.size())
                throw Error(name + ": expected a value after it");
            return arguments[++i];
        };
        const auto flag = [&] {
            if (inline_value)
                throw Error(name + ": takes no value, got \"" + *inline_value + "\"");
        };
        if (name == "--help" || name == "-h") {
            flag();
            options.help = true;
        } else if (name == "--source") {
            options.source = ui::parseSourceSpec(value());
        } else if (name == "--model") {
            options.model = value();
            options.default_model = false;
        } else if (name == "--no-model") {
            flag();
            options.model.clear();
            options.default_model = false;
        } else if (name == "--detector") {
            options.detector.kind = parseDetectorKind(value());
        } else if (name == "--loop") {
            flag();
            options.loop = true;
        } else if (name == "--smoothing") {
            options.smoothing_seconds = parseNumber<double>(name, value(), "seconds (e.g. 0.5)");
            if (!(options.smoothing_seconds >= 0.0) || !std::isfinite(options.smoothing_seconds))
                throw Error("--smoothing: expected 0 or more seconds");
        } else if (name == "--threads") {
            options.threads = parseNumber<int>(name, value(), "a positive whole number");
            if (options.threads <= 0)
                throw Error("--threads: expected a positive whole number");
        } else if (name == "--review") {
            options.review = value();
        } else if (name == "--review-at") {
            options.review_at_seconds = parseNumber<double>(name, value(), "seconds (e.g. 12.5)");
            if (!(options.review_at_seconds >= 0.0) || !std::isfinite(options.review_at_seconds))
                throw Error("--review-at: expected a session time in seconds, 0 or more");
        } else if (name == "--store") {
            options.store = value();
        } else if (name == "--screenshot") {
            options.screenshot = value();
        } else if (name == "--quit-after") {
            options.quit_after_seconds = parseNumber<double>(name, value(), "seconds (e.g. 8)");
            if (!(options.quit_after_seconds > 0.0) || !std::isfinite(options.quit_after_seconds)) {
                throw Error("--quit-after: expected a positive number of seconds");
            }
        } else if (!name.starts_with("-")) {
            throw Error("unexpected argument \"" + name + "\" (a video is given as --source FILE)");
        } else {
            throw Error("unknown option \"" + name + "\"");
        }
    }
    if (options.source && !options.review.empty()) {
        throw Error("--review: reviews a recording; it cannot be combined with --source");
    }
    if (!options.screenshot.empty() && options.quit_after_seconds <= 0.0) {
        throw Error("--screenshot: needs --quit-after SECONDS to say when to take it");
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
