#include "analyze_options.h"

#include <charconv>

#include "emotrace/error.h"

namespace emotrace::analyze {
namespace {

int parseThreads(const std::string& text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value < 1 || value > 256) {
        throw UsageError("--threads expects a whole number from 1 to 256, got '" + text + "'");
    }
    return value;
}

DetectorKind parseDetector(const std::string& text) {
    try {
        return parseDetectorKind(text);
    } catch (const Error& e) {
        throw UsageError(std::string("--detector: ") + e.what());
    }
}

// Splits "--name=value" so both "--csv out.csv" and "--csv=out.csv" work.
std::pair<std::string, std::optional<std::string>> splitInlineValue(const std::string& arg) {
    const auto equals = arg.find('=');
    if (!arg.starts_with("--") || equals == std::string::npos)
        return {arg, std::nullopt};
    return {arg.substr(0, equals), arg.substr(equals + 1)};
}

}  // namespace

AnalyzeOptions parseAnalyzeOptions(const std::vector<std::string>& args) {
    AnalyzeOptions options;
    std::optional<std::filesystem::path> csv;
    std::optional<std::filesystem::path> json;
    bool have_video = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto [name, inline_value] = splitInlineValue(args[i]);
        const auto value = [&, &flag = name, &attached = inline_value]() -> std::string {
            if (attached)
                return *attached;
            if (i + 1 >= args.size())
                throw UsageError(flag + " needs a value");
            return args[++i];
        };
        if (name == "--help" || name == "-h") {
            options.help = true;
        } else if (name == "--model") {
            options.model = value();
        } else if (name == "--detector") {
            options.detector = parseDetector(value());
        } else if (name == "--csv") {
            csv = value();
        } else if (name == "--json") {
            json = value();
        } else if (name == "--threads") {
            options.threads = parseThreads(value());
        } else if (name == "--no-progress") {
            options.progress = false;
        } else if (name.starts_with("-") && name != "-") {
            throw UsageError("unknown option '" + name + "'");
        } else if (have_video) {
            throw UsageError("one video at a time: got '" + options.video.string() + "' and '" +
                             name + "'");
        } else {
            options.video = name;
            have_video = true;
        }
    }
    if (options.help)
        return options;
    if (!have_video)
        throw UsageError("no video given");
    // Outputs land in the current folder, named after the video, as OpenFace does.
    const auto stem = options.video.stem().string();
    options.csv = csv.value_or(stem + ".emotions.csv");
    options.json = json.value_or(stem + ".summary.json");
    return options;
}

std::string usageText() {
    return R"(Usage: emotrace-analyze VIDEO [options]

Analyses every frame of VIDEO: finds faces and, with a model, the probability of each emotion.
Writes one CSV row per face per frame (a frame without a face gets one row with face = -1) and
a JSON summary. The CSV columns are a stable contract: see docs/csv-schema.md.

Options:
  --model FILE       emotion model (emotrace model file, or TorchScript with FILE.json beside
                     it). Without a model only face boxes are written.
  --detector NAME    yunet (default, YuNet 2023mar), yunet2022 or haar
  --csv FILE         per-frame CSV (default: ./VIDEO_STEM.emotions.csv)
  --json FILE        summary JSON (default: ./VIDEO_STEM.summary.json)
  --threads N        CPU threads for inference (default: one per core)
  --no-progress      no progress bar on stderr
  -h, --help         this text

Exit status:
  0  success
  1  unexpected error (please report it)
  2  usage error
  3  the video is missing or cannot be read
  4  the model file is missing, corrupt or of the wrong shape
  5  the face detector cannot be loaded
  6  the CSV or JSON file cannot be written
  7  the video broke midway; the rows up to there are written and valid, and the summary
     says where it broke
)";
}

}  // namespace emotrace::analyze
