#include "bench_options.h"

#include <set>
#include <stdexcept>

#include "emotrace/command_line.h"

namespace emotrace::bench {

namespace {

const std::set<std::string> kCommands = {
    "classifier", "pipeline", "soak",     "detectors",  "analysis", "smoothing", "live-store",
    "moments",    "capture",  "tracking", "face-steps", "baseline", "all"};

constexpr const char* kCommandsHelp = R"(commands:
  classifier   ResNet18 per-face inference, C++ plain vs optimised vs PyTorch from Python
  pipeline     the live pipeline on a 640x480 30 fps clip: fps, drops, latency
  soak         the pipeline looping its clip for --minutes, sampling resident memory
  detectors    YuNet 2023mar, YuNet 2022mar and Haar on the shared clips: time, faces found
  analysis     recorded-session analysis on a 640x480 30 fps H.264 recording: the live
               frame-by-frame path against analyzeRecording (detector on every frame and on
               every n-th), then peak memory and reopening time on a long recording
  smoothing    the live overlay's smoothing on the shared clips with a trained model (the
               shipped one unless --model): flicker against the annotated expressions shown,
               for time constants 0 (raw), 0.25, 0.5, 1 and 2 s
  moments      the moment detector on the shared clips with a trained model (the shipped one
               unless --model): documented expressions found, false moments on neutral
               stretches, live delay and cost, for the three sensitivities
  tracking     telling a call's people apart: the appearance signature's cost and distances,
               tracks per shared clip, and two-tile gallery swaps over every pair of clips
  baseline     the per-person neutral baseline on the clips that rest neutral (the shipped
               model unless --model): neutral frames read as neutral and documented
               expressions kept, raw against baselined
  face-steps   reading a face after detection: the crop as before, the crop with the eyes
               levelled, and the reading quality, per face on the shared clips
  capture      capturing a call's window (needs an X display: xvfb-run): a 1280x720 window
               showing eight shared clips, captured as a window and as a screen region, then
               the live pipeline reading it (the shipped model unless --model)
  live-store   keeping live sessions: the pipeline (1 and 4 faces) with the session store
               off, on, and on with the recording, one after the other; then a simulated
               --long-minutes live session for the writer's memory and the store's size
  all          everything but the soak, the analysis and the smoothing, as markdown for
               docs/benchmarks.md)";

// The command line as a declaration of its options, bound into `o`.
void declareOptions(CLI::App& app, BenchOptions& o) {
    app.description("emotrace's benchmarks. Usage: emotrace-bench COMMAND [options]");
    app.footer(kCommandsHelp);
    cli::addStandardFlags(app);
    app.add_option("COMMAND", o.command, "what to measure (below)")
        ->check(CLI::IsMember(kCommands));
    app.add_option("--data", o.data,
                   "shared data (default $EMOTRACE_DATA or ../shared/data of the checkout)");
    app.add_option("--work-dir", o.work,
                   "scratch for clips and the model (default "
                   "/tmp/emotrace-bench)");
    app.add_option("--model", o.model,
                   "emotrace model file (default: a seeded untrained ResNet18; for smoothing, "
                   "the shipped model)");
    app.add_option("--runs", o.runs,
                   "classifier: timed runs per configuration (default 50); analysis: runs of "
                   "each path (default 3); live-store: rounds (default 3)")
        ->check(CLI::PositiveNumber);
    app.add_flag_callback(
        "--no-python", [&o] { o.run_python = false; }, "classifier: skip the PyTorch baseline");
    app.add_option("--python", o.python,
                   "classifier: interpreter with python3-torch (default /usr/bin/python3)");
    app.add_option("--faces", o.faces, "pipeline, soak: faces in the clip (default 1)")
        ->check(CLI::IsMember({1, 4}));
    app.add_option("--seconds", o.seconds,
                   "pipeline: measured seconds after a 2 s warm-up (default 20)")
        ->check(CLI::Range(1.0, 1e6));
    app.add_option("--video", o.video, "pipeline, soak: make the clip from this video instead");
    app.add_option("--torch-threads", o.torch_threads,
                   "pipeline, soak: LibTorch threads (default 2)")
        ->check(CLI::Range(1, 256));
    app.add_option("--cv-threads", o.cv_threads,
                   "pipeline, soak, detectors: cv::setNumThreads (0 sequential; default "
                   "OpenCV's own)")
        ->check(CLI::Range(0, 256));
    app.add_option("--detector", o.detector,
                   "pipeline, soak: yunet2023 (default), yunet2022, haar");
    app.add_option("--max-input-side", o.max_input_side,
                   "pipeline, soak: detector input side (default 320, 0 full frame)")
        ->check(CLI::Range(0, 100000));
    app.add_option("--minutes", o.minutes, "soak: duration (default 30)")
        ->check(CLI::Range(0.1, 1e6));
    app.add_option("--sample-seconds", o.sample_seconds, "soak: RSS sampling interval (default 10)")
        ->check(CLI::Range(1.0, 1e6));
    app.add_option("--frames-per-clip", o.frames_per_clip,
                   "detectors, face-steps: frames sampled from each clip (default 60)")
        ->check(CLI::PositiveNumber);
    app.add_option("--clip-seconds", o.clip_seconds,
                   "analysis: length of the compared recording (default 60)")
        ->check(CLI::Range(1.0, 1e6));
    app.add_option("--long-minutes", o.long_minutes,
                   "analysis: length of the long recording; live-store: of the simulated live "
                   "session (default 120; 0 skips it)")
        ->check(CLI::Range(0.0, 1e6));
    app.add_option("--detect-every", o.detect_every,
                   "analysis: detector on every N-th frame of the tracked path (default 5)")
        ->check(CLI::PositiveNumber);
}

}  // namespace

std::string benchUsage() {
    BenchOptions options;
    CLI::App app{"", "emotrace-bench"};
    declareOptions(app, options);
    return app.help();
}

BenchOptions parseBenchOptions(const std::vector<std::string>& arguments) {
    BenchOptions options;
    CLI::App app{"", "emotrace-bench"};
    declareOptions(app, options);
    const auto outcome = cli::parseCommandLine<std::invalid_argument>(app, arguments);
    options.help = outcome == cli::ParseOutcome::Help;
    options.version = outcome == cli::ParseOutcome::Version;
    options.runs_given = app.count("--runs") > 0;
    if (outcome == cli::ParseOutcome::Run && options.command.empty())
        throw std::invalid_argument("no command given");
    return options;
}

}  // namespace emotrace::bench
