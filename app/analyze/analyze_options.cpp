#include "analyze_options.h"

#include "emotrace/command_line.h"

#include "emotrace/atomic_file.h"
#include "emotrace/error.h"

namespace emotrace::analyze {
namespace {

constexpr const char* kDescription =
    R"(Analyses every frame of each VIDEO: finds faces and, with a model, the probability of each
emotion. Results go into the session store (the database the dashboard's review workspace
reads) and, per video, into a CSV with one row per face per frame (a frame without a face gets
one row with face = -1) and a JSON summary. The CSV columns are a stable contract: see
docs/csv-schema.md.

With the store, a video already analysed with the same model is not analysed again (its files
are written from the store), and an analysis that was interrupted resumes where it stopped.)";

constexpr const char* kExitCodes =
    R"(Exit status (with several videos: the first failure's; the other videos are still analysed):
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

// What the command line says before it is checked and turned into AnalyzeOptions.
struct Given {
    std::vector<std::string> videos;
    std::string model;
    bool no_model = false;
    std::string detector = "yunet";
    std::string csv;
    std::string json;
    std::string store;
    bool no_store = false;
    std::string export_dir;
    std::string output_mode = "0600";
    bool no_progress = false;
};

// The options as a declaration: names, help, value ranges. Binds into `options` and `given`.
void declareOptions(CLI::App& app, AnalyzeOptions& options, Given& given) {
    app.description(kDescription);
    app.footer(kExitCodes);
    cli::addStandardFlags(app);
    app.add_option("VIDEO", given.videos, "recordings to analyse");
    auto* model = app.add_option("--model", given.model,
                                 "emotion model (emotrace model file, or TorchScript with "
                                 "FILE.json beside it). Default: the shipped "
                                 "models/emotrace-resnet18.pt (or the one in $EMOTRACE_MODELS) "
                                 "when it is there")
                      ->type_name("FILE");
    app.add_flag("--no-model", given.no_model, "no emotion model: only face boxes are written")
        ->excludes(model);
    app.add_option("--detector", given.detector,
                   "yunet (default, YuNet 2023mar), yunet2022 or haar")
        ->type_name("NAME");
    app.add_option("--csv", given.csv,
                   "per-frame CSV (default: ./VIDEO_STEM.emotions.csv; one video only)")
        ->type_name("FILE");
    app.add_option("--json", given.json,
                   "summary JSON (default: ./VIDEO_STEM.summary.json; one video only)")
        ->type_name("FILE");
    auto* store = app.add_option("--store", given.store,
                                 "session store (default: the user's data folder, "
                                 "$XDG_DATA_HOME/emotrace/sessions.sqlite or "
                                 "~/.local/share/emotrace/sessions.sqlite)")
                      ->type_name("FILE");
    auto* no_store =
        app.add_flag("--no-store", given.no_store,
                     "analyse without the store: detector on every frame, CSV and JSON only")
            ->excludes(store);
    app.add_option("--detect-every", options.detect_every,
                   "with the store: run the detector on every N-th frame and track faces in "
                   "between (default 5; 1 detects on every frame)")
        ->check(CLI::Range(1, 300))
        ->excludes(no_store);
    app.add_option("--export", given.export_dir,
                   "also write each stored session's exports into DIR: VIDEO_STEM.session.csv "
                   "(the CSV above plus a track column), VIDEO_STEM.session.json and, in builds "
                   "with the dashboard, VIDEO_STEM.timeline.png/.pdf and VIDEO_STEM.report.pdf")
        ->type_name("DIR")
        ->excludes(no_store);
    app.add_option("--resting-face-first", options.resting_face_first_seconds,
                   "with the store: take each session's first SECONDS as the resting face of the "
                   "person its exports describe (docs/baseline.md), unless one was taken before; "
                   "the exports then carry the readings relative to it too (default 0: off)")
        ->type_name("SECONDS")
        ->check(CLI::NonNegativeNumber)
        ->excludes(no_store);
    app.add_flag("--wait", options.wait_for_other_analysis,
                 "when another emotrace is analysing the same video into the same store, wait "
                 "for it to finish (default: exit at once with status 8)")
        ->excludes(no_store);
    app.add_option("--output-mode", given.output_mode,
                   "permissions of every file written, in octal (default 0600: owner-only, as "
                   "they hold health data; e.g. 0640 to share with your group)")
        ->type_name("MODE");
    app.add_option("--threads", options.threads,
                   "CPU threads for inference (default: 1 with the store, where decoding runs "
                   "on a thread of its own; one per core with --no-store)")
        ->check(CLI::Range(1, 256));
    app.add_flag("--no-progress", given.no_progress, "no progress bar on stderr");
}

// The checks that need more than one option, in the words the docs use.
void finish(AnalyzeOptions& options, const Given& given) {
    try {
        options.detector = parseDetectorKind(given.detector);
    } catch (const Error& e) {
        throw UsageError(std::string("--detector: ") + e.what());
    }
    try {
        options.output_mode = parseFileMode(given.output_mode);
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--output-mode: ") + e.what());
    }
    for (const auto& video : given.videos)
        options.videos.emplace_back(video);
    if (!given.model.empty()) {
        options.model = given.model;
        options.default_model = false;
    } else if (given.no_model) {
        options.default_model = false;
    }
    if (!given.csv.empty())
        options.csv = given.csv;
    if (!given.json.empty())
        options.json = given.json;
    if (!given.store.empty())
        options.store = given.store;
    options.use_store = !given.no_store;
    options.progress = !given.no_progress;
    if (!given.export_dir.empty())
        options.export_dir = given.export_dir;
    if (options.videos.empty())
        throw UsageError("no video given");
    if (options.videos.size() > 1 && (options.csv || options.json)) {
        throw UsageError("--csv and --json name one file each, so they take one video; got " +
                         std::to_string(options.videos.size()) +
                         " videos (without them each video gets ./VIDEO_STEM.emotions.csv and "
                         "./VIDEO_STEM.summary.json)");
    }
}

}  // namespace

AnalyzeOptions parseAnalyzeOptions(const std::vector<std::string>& args) {
    AnalyzeOptions options;
    Given given;
    CLI::App app{"", "emotrace-analyze"};
    declareOptions(app, options, given);
    const auto outcome = cli::parseCommandLine<UsageError>(app, args);
    options.help = outcome == cli::ParseOutcome::Help;
    options.version = outcome == cli::ParseOutcome::Version;
    if (outcome == cli::ParseOutcome::Run)
        finish(options, given);
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
    AnalyzeOptions options;
    Given given;
    CLI::App app{"", "emotrace-analyze"};
    declareOptions(app, options, given);
    return app.help();
}

}  // namespace emotrace::analyze
