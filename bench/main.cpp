// emotrace-bench: the figures in docs/benchmarks.md, reproducible with one command.
// Each subcommand prints a markdown section on stdout (progress goes to stderr).
#include <iostream>
#include <sstream>

#include <opencv2/core.hpp>

#include "analysis_bench.h"
#include "bench_common.h"
#include "bench_model.h"
#include "bench_options.h"
#include "classifier_bench.h"
#include "detector_bench.h"
#include "emotrace/emotion_classifier.h"
#include "emotrace/error.h"
#include "live_store_bench.h"
#include "capture_bench.h"
#include "moments_bench.h"
#include "pipeline_bench.h"
#include "smoothing_bench.h"
#include "test_clip.h"
#include "baseline_bench.h"
#include "face_steps_bench.h"
#include "tracking_bench.h"

namespace emotrace::bench {

namespace {

struct Context {
    BenchOptions options;
    BenchPaths paths;
    std::filesystem::path model;
};

std::filesystem::path clipFor(const Context& context, int faces, double seconds) {
    return makeTestClip(context.paths.data, context.paths.work,
                        {.faces = faces, .seconds = seconds, .video = context.options.video});
}

PipelineBenchOptions pipelineOptions(const Context& context, int faces) {
    const auto& options = context.options;
    PipelineBenchOptions pipeline;
    pipeline.model = context.model;
    pipeline.faces = faces;
    pipeline.seconds = options.seconds;
    pipeline.warmup_seconds = options.warmup_seconds;
    pipeline.torch_threads = options.torch_threads;
    pipeline.cv_threads = options.cv_threads;
    pipeline.detector.kind = parseDetectorKind(options.detector);
    pipeline.detector.max_input_side = options.max_input_side;
    // One second spare, so the clip outlasts the measured window.
    pipeline.clip = clipFor(context, faces, pipeline.warmup_seconds + pipeline.seconds + 1.0);
    return pipeline;
}

ClassifierReport classifier(const Context& context) {
    ClassifierBenchOptions options;
    options.model = context.model;
    options.runs = context.options.runs;
    options.run_python = context.options.run_python;
    options.python = context.options.python;
    options.baseline_script = context.paths.repo_root / "bench" / "pytorch_baseline.py";
    return runClassifierBench(options);
}

DetectorReport detectors(const Context& context) {
    if (context.options.cv_threads >= 0)
        cv::setNumThreads(context.options.cv_threads);
    return runDetectorBench({.videos = context.paths.data / "videos",
                             .frames_per_clip = context.options.frames_per_clip,
                             .configurations = defaultDetectorConfigurations()});
}

// The thread splits worth comparing on 2 cores: torch 1 or 2, OpenCV sequential or its own pool.
std::vector<PipelineReport> pipelineSweep(const Context& context) {
    std::vector<PipelineReport> runs;
    for (int faces : {1, 4}) {
        auto options = pipelineOptions(context, faces);
        for (int torch_threads : {1, 2}) {
            for (int cv_threads : {0, -1}) {
                options.torch_threads = torch_threads;
                options.cv_threads = cv_threads;
                runs.push_back(runPipelineBench(options));
            }
        }
    }
    return runs;
}

SoakReport soak(const Context& context) {
    SoakOptions options;
    options.pipeline = pipelineOptions(context, context.options.faces);
    options.pipeline.seconds = context.options.minutes * 60.0;
    options.sample_seconds = context.options.sample_seconds;
    // A minute, or a fifth of a short soak.
    options.warmup_seconds = std::min(60.0, options.pipeline.seconds / 5.0);
    return runSoak(options);
}

AnalysisReport analysis(const Context& context) {
    const auto& options = context.options;
    return runAnalysisBench({.data = context.paths.data,
                             .work = context.paths.work,
                             .model = context.model,
                             .runs = options.runs_given ? options.runs : 3,
                             .clip_seconds = options.clip_seconds,
                             .long_minutes = options.long_minutes,
                             .detect_every = options.detect_every,
                             .torch_threads = options.torch_threads});
}

std::string machineMarkdown(const MachineInfo& machine, const std::string& command,
                            const std::string& load_after,
                            const std::optional<std::filesystem::path>& model) {
    std::ostringstream out;
    out << "- command: `" << command << "`\n"
        << "- date: " << machine.date << "\n"
        << "- machine: " << machine.cores << " cores (" << machine.cpu_model << "), "
        << fixed(machine.ram_gib) << " GiB RAM, no GPU\n"
        << "- load average (1, 5, 15 min): " << machine.load_average << " before, " << load_after
        << " after\n"
        << "- model: "
        << (model ? model->string()
                  : std::string("seeded untrained ResNet18 (standard stem, 1x48x48, 8 classes); "
                                "weights do not change the cost of a forward pass"))
        << "\n\n";
    return out.str();
}

int run(const BenchOptions& options, const std::string& command_line) {
    Context context{options, resolvePaths(options.data, options.work), {}};
    if (options.command == "smoothing" || options.command == "moments" ||
        options.command == "capture" || options.command == "baseline") {
        // Flicker and moments depend on what a model has learned: an untrained one says
        // nothing here, so these use the shipped model unless --model.
        const auto model = options.model.value_or(defaultEmotionModelPath());
        const auto videos = context.paths.data / "videos";
        const auto machine = describeMachine();
        std::string body;
        if (options.command == "smoothing") {
            SmoothingBenchOptions smoothing;
            smoothing.videos = videos;
            smoothing.model = model;
            smoothing.torch_threads = options.torch_threads;
            body = smoothingMarkdown(runSmoothingBench(smoothing));
        } else if (options.command == "baseline") {
            BaselineBenchOptions baseline;
            baseline.videos = videos;
            baseline.model = model;
            baseline.torch_threads = options.torch_threads;
            body = runBaselineBench(baseline);
        } else if (options.command == "capture") {
            CaptureBenchOptions capture;
            capture.videos = videos;
            capture.model = model;
            capture.torch_threads = options.torch_threads;
            body = runCaptureBench(capture);
        } else {
            MomentsBenchOptions moments;
            moments.videos = videos;
            moments.model = model;
            moments.torch_threads = options.torch_threads;
            body = runMomentsBench(moments);
        }
        std::cout << "## emotrace-bench " << options.command << "\n\n"
                  << machineMarkdown(machine, command_line, loadAverage(), model) << body;
        return 0;
    }
    if (options.command == "face-steps") {
        const auto machine = describeMachine();
        const auto body = runFaceStepsBench(
            {.videos = context.paths.data / "videos", .frames_per_clip = options.frames_per_clip});
        std::cout << "## emotrace-bench face-steps\n\n"
                  << machineMarkdown(machine, command_line, loadAverage(),
                                     std::filesystem::path("none (detection, crop and quality)"))
                  << body;
        return 0;
    }
    if (options.command == "tracking") {
        const auto machine = describeMachine();
        const auto body = runTrackingBench({.videos = context.paths.data / "videos"});
        std::cout << "## emotrace-bench tracking\n\n"
                  << machineMarkdown(machine, command_line, loadAverage(),
                                     std::filesystem::path("none (detection and tracking only)"))
                  << body;
        return 0;
    }
    context.model = options.model ? *options.model
                                  : writeBenchmarkModel(context.paths.work / "resnet18-seed42.pt");
    const auto machine = describeMachine();
    std::string body;
    if (options.command == "classifier") {
        body = classifierMarkdown(classifier(context));
    } else if (options.command == "detectors") {
        body = detectorMarkdown(detectors(context));
    } else if (options.command == "pipeline") {
        body = pipelineMarkdown({runPipelineBench(pipelineOptions(context, options.faces))});
    } else if (options.command == "analysis") {
        body = analysisMarkdown(analysis(context));
    } else if (options.command == "live-store") {
        body = liveStoreMarkdown(runLiveStoreBench(
            pipelineOptions(context, 1), pipelineOptions(context, 4), context.paths.work,
            options.runs_given ? options.runs : 3, options.long_minutes / 60.0));
    } else if (options.command == "soak") {
        body = soakMarkdown(soak(context));
    } else {
        body = classifierMarkdown(classifier(context)) + "\n" +
               detectorMarkdown(detectors(context)) + "\n" +
               pipelineMarkdown(pipelineSweep(context));
    }
    std::cout << "## emotrace-bench " << options.command << "\n\n"
              << machineMarkdown(machine, command_line, loadAverage(), options.model) << body;
    return 0;
}

}  // namespace

}  // namespace emotrace::bench

int main(int argc, char** argv) {
    using namespace emotrace::bench;
    std::vector<std::string> arguments(argv + 1, argv + argc);
    std::string command_line = "emotrace-bench";
    for (const auto& argument : arguments)
        command_line += " " + argument;
    BenchOptions options;
    try {
        options = parseBenchOptions(arguments);
    } catch (const std::invalid_argument& e) {
        std::cerr << "emotrace-bench: " << e.what() << "\nTry 'emotrace-bench --help'.\n";
        return 2;
    }
    if (options.help) {
        std::cout << benchUsage();
        return 0;
    }
    if (options.version) {
        std::cout << "emotrace-bench " << EMOTRACE_VERSION << '\n';
        return 0;
    }
    try {
        return run(options, command_line);
    } catch (const std::exception& e) {  // emotrace::Error and OpenCV's or torch's own
        std::cerr << "emotrace-bench: " << e.what() << "\n";
        return 1;
    }
}
