#include "analyze_options.h"

#include <charconv>

#include "emotrace/atomic_file.h"
#include "emotrace/error.h"

namespace emotrace::analyze {
namespace {

int parseWholeNumber(const std::string& flag, const std::string& text, int low, int high) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value < low || value > high) {
        throw UsageError(flag + " expects a whole number from " + std::to_string(low) + " to " +
                         std::to_string(high) + ", got '" + text + "'");
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
    bool detect_every_given = false;
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
            options.default_model = false;
        } else if (name == "--no-model") {
            options.model.reset();
            options.default_model = false;
        } else if (name == "--detector") {
            options.detector = parseDetector(value());
        } else if (name == "--csv") {
            options.csv = value();
        } else if (name == "--json") {
            options.json = value();
        } else if (name == "--threads") {
            options.threads = parseWholeNumber("--threads", value(), 1, 256);
        } else if (name == "--no-progress") {
            options.progress = false;
        } else if (name == "--store") {
            options.store = value();
        } else if (name == "--no-store") {
            options.use_store = false;
        } else if (name == "--detect-every") {
            options.detect_every = parseWholeNumber("--detect-every", value(), 1, 300);
            detect_every_given = true;
        } else if (name == "--export") {
            options.export_dir = value();
        } else if (name == "--wait") {
            options.wait_for_other_analysis = true;
        } else if (name == "--output-mode") {
            try {
                options.output_mode = parseFileMode(value());
            } catch (const std::invalid_argument& e) {
                throw UsageError(std::string("--output-mode: ") + e.what());
            }
        } else if (name.starts_with("-") && name != "-") {
            throw UsageError("unknown option '" + name + "'");
        } else {
            options.videos.emplace_back(name);
        }
    }
    if (options.help)
        return options;
    if (options.videos.empty())
        throw UsageError("no video given");
    if (options.videos.size() > 1 && (options.csv || options.json)) {
        throw UsageError("--csv and --json name one file each, so they take one video; got " +
                         std::to_string(options.videos.size()) +
                         " videos (without them each video gets ./VIDEO_STEM.emotions.csv and "
                         "./VIDEO_STEM.summary.json)");
    }
    if (!options.use_store) {
        if (options.store)
            throw UsageError("--store and --no-store contradict each other");
        if (detect_every_given)
            throw UsageError(
                "--detect-every needs the session store: the --no-store path "
                "detects on every frame");
        if (options.export_dir)
            throw UsageError("--export writes the stored session: it cannot go with --no-store");
        if (options.wait_for_other_analysis)
            throw UsageError(
                "--wait waits for another analysis into the store: it cannot go "
                "with --no-store");
    }
    return options;
}

std::vector<RecordingJob> recordingJobs(const AnalyzeOptions& options) {
    std::vector<RecordingJob> jobs;
    for (const auto& video : options.videos) {
        // Outputs land in the current folder, named after the video, as OpenFace does.
        const auto stem = video.stem().string();
        jobs.push_back({video, options.csv.value_or(stem + ".emotions.csv"),
                        options.json.value_or(stem + ".summary.json")});
    }
    return jobs;
}

std::string usageText() {
    return R"(Usage: emotrace-analyze VIDEO... [options]

Analyses every frame of each VIDEO: finds faces and, with a model, the probability of each
emotion. Results go into the session store (the database the dashboard's review workspace
reads) and, per video, into a CSV with one row per face per frame (a frame without a face gets
one row with face = -1) and a JSON summary. The CSV columns are a stable contract: see
docs/csv-schema.md.

With the store, a video already analysed with the same model is not analysed again (its files
are written from the store), and an analysis that was interrupted resumes where it stopped.

Options:
  --model FILE       emotion model (emotrace model file, or TorchScript with FILE.json beside
                     it). Default: the shipped models/emotrace-resnet18.pt (or the one in
                     $EMOTRACE_MODELS) when it is there.
  --no-model         no emotion model: only face boxes are written
  --detector NAME    yunet (default, YuNet 2023mar), yunet2022 or haar
  --csv FILE         per-frame CSV (default: ./VIDEO_STEM.emotions.csv; one video only)
  --json FILE        summary JSON (default: ./VIDEO_STEM.summary.json; one video only)
  --store FILE       session store (default: the user's data folder,
                     $XDG_DATA_HOME/emotrace/sessions.sqlite or
                     ~/.local/share/emotrace/sessions.sqlite)
  --no-store         analyse without the store: detector on every frame, CSV and JSON only
  --detect-every N   with the store: run the detector on every N-th frame and track faces in
                     between (default 5; 1 detects on every frame)
  --export DIR       also write each stored session's exports into DIR: VIDEO_STEM.session.csv
                     (the CSV above plus a track column), VIDEO_STEM.session.json and, in builds
                     with the dashboard, VIDEO_STEM.timeline.png/.pdf and VIDEO_STEM.report.pdf
  --wait             when another emotrace is analysing the same video into the same store,
                     wait for it to finish (default: exit at once with status 8)
  --output-mode MODE permissions of every file written, in octal (default 0600: owner-only,
                     as they hold health data; e.g. 0640 to share with your group)
  --threads N        CPU threads for inference (default: 1 with the store, where decoding
                     runs on a thread of its own; one per core with --no-store)
  --no-progress      no progress bar on stderr
  -h, --help         this text

Exit status (with several videos: the first failure's; the other videos are still analysed):
  0  success
  1  unexpected error (please report it)
  2  usage error
  3  the video is missing or cannot be read
  4  the model file is missing, corrupt or of the wrong shape
  5  the face detector cannot be loaded
  6  the CSV, JSON, export or session store cannot be written (or the store is locked,
     corrupt or from a newer emotrace)
  7  the video broke midway; the rows up to there are written and valid, and the summary
     says where it broke
  8  another emotrace process is analysing this video into the same store right now; nothing
     was written (run again later, or with --wait)
)";
}

}  // namespace emotrace::analyze
