#include "bench_options.h"

#include <set>
#include <stdexcept>

namespace emotrace::bench {

namespace {

const std::set<std::string> kCommands = {"classifier", "pipeline",  "soak", "detectors",
                                         "analysis",   "smoothing", "all"};

double parseNumber(const std::string& option, const std::string& text, double minimum) {
    std::size_t used = 0;
    double value = 0.0;
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || text.empty() || value < minimum) {
        throw std::invalid_argument(option + " expects a number of at least " +
                                    std::to_string(minimum) + ", got '" + text + "'");
    }
    return value;
}

int parseInteger(const std::string& option, const std::string& text, int minimum) {
    const double value = parseNumber(option, text, minimum);
    if (value != static_cast<double>(static_cast<int>(value)))
        throw std::invalid_argument(option + " expects a whole number, got '" + text + "'");
    return static_cast<int>(value);
}

}  // namespace

std::string benchUsage() {
    return R"(usage: emotrace-bench COMMAND [options]

commands:
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
  all          everything but the soak, the analysis and the smoothing, as markdown for docs/benchmarks.md

options:
  --data DIR            shared data (default $EMOTRACE_DATA or ../shared/data of the checkout)
  --work-dir DIR        scratch for clips and the model (default /tmp/emotrace-bench)
  --model FILE          emotrace model file (default: a seeded untrained ResNet18; for
                        smoothing, the shipped model)
  --runs N              classifier: timed runs per configuration (default 50); analysis:
                        runs of each path (default 3)
  --no-python           classifier: skip the PyTorch baseline
  --python EXE          classifier: interpreter with python3-torch (default /usr/bin/python3)
  --faces 1|4           pipeline, soak: faces in the clip (default 1)
  --seconds S           pipeline: measured seconds after a 2 s warm-up (default 20)
  --video FILE          pipeline, soak: make the clip from this video instead
  --torch-threads N     pipeline, soak: LibTorch threads (default 2)
  --cv-threads N        pipeline, soak, detectors: cv::setNumThreads (0 sequential; default
                        OpenCV's own)
  --detector NAME       pipeline, soak: yunet2023 (default), yunet2022, haar
  --max-input-side N    pipeline, soak: detector input side (default 320, 0 full frame)
  --minutes M           soak: duration (default 30)
  --sample-seconds S    soak: RSS sampling interval (default 10)
  --frames-per-clip N   detectors: frames sampled from each clip (default 60)
  --clip-seconds S      analysis: length of the compared recording (default 60)
  --long-minutes M      analysis: length of the long recording (default 120; 0 skips it)
  --detect-every N      analysis: detector on every N-th frame of the tracked path (default 5)
)";
}

BenchOptions parseBenchOptions(const std::vector<std::string>& arguments) {
    BenchOptions options;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string& argument = arguments[i];
        auto value = [&]() -> const std::string& {
            if (i + 1 >= arguments.size())
                throw std::invalid_argument(argument + " expects a value");
            return arguments[++i];
        };
        if (argument == "-h" || argument == "--help") {
            options.help = true;
        } else if (argument == "--data") {
            options.data = value();
        } else if (argument == "--work-dir") {
            options.work = value();
        } else if (argument == "--model") {
            options.model = value();
        } else if (argument == "--runs") {
            options.runs = parseInteger(argument, value(), 1);
            options.runs_given = true;
        } else if (argument == "--no-python") {
            options.run_python = false;
        } else if (argument == "--python") {
            options.python = value();
        } else if (argument == "--faces") {
            options.faces = parseInteger(argument, value(), 1);
            if (options.faces != 1 && options.faces != 4)
                throw std::invalid_argument("--faces expects 1 or 4, got " +
                                            std::to_string(options.faces));
        } else if (argument == "--seconds") {
            options.seconds = parseNumber(argument, value(), 1.0);
        } else if (argument == "--video") {
            options.video = value();
        } else if (argument == "--torch-threads") {
            options.torch_threads = parseInteger(argument, value(), 1);
        } else if (argument == "--cv-threads") {
            options.cv_threads = parseInteger(argument, value(), 0);
        } else if (argument == "--detector") {
            options.detector = value();
        } else if (argument == "--max-input-side") {
            options.max_input_side = parseInteger(argument, value(), 0);
        } else if (argument == "--minutes") {
            options.minutes = parseNumber(argument, value(), 0.1);
        } else if (argument == "--sample-seconds") {
            options.sample_seconds = parseNumber(argument, value(), 1.0);
        } else if (argument == "--frames-per-clip") {
            options.frames_per_clip = parseInteger(argument, value(), 1);
        } else if (argument == "--clip-seconds") {
            options.clip_seconds = parseNumber(argument, value(), 1.0);
        } else if (argument == "--long-minutes") {
            options.long_minutes = parseNumber(argument, value(), 0.0);
        } else if (argument == "--detect-every") {
            options.detect_every = parseInteger(argument, value(), 1);
        } else if (!argument.starts_with("-") && options.command.empty()) {
            if (!kCommands.contains(argument))
                throw std::invalid_argument("unknown command '" + argument +
                                            "'; expected classifier, pipeline, soak, detectors, "
                                            "analysis, smoothing or all");
            options.command = argument;
        } else {
            throw std::invalid_argument("unknown option '" + argument + "'");
        }
    }
    if (options.command.empty() && !options.help)
        throw std::invalid_argument("no command given");
    return options;
}

}  // namespace emotrace::bench
