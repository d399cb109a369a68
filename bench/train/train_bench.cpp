// emotrace-train-bench: seconds per training pass over the same N FER-2013 images, emotrace's
// trainer against bench/train/pytorch_train_baseline.py (torchvision), both with batch 32,
// AdamW, the paper's augmentation in one loader thread/worker and the same torch threads.
// emotrace's figure is the second epoch of a real train() run (the first warms up), from the end
// of one epoch to the end of the next: validation on 32 images and the checkpoint included. The
// baseline's is one pass after 3 warm-up steps. Wall and CPU time (all threads, and the
// baseline's loader worker) are both reported: on a shared machine CPU time is the steadier.
// Per-epoch times for FER-2013 (28,709 training images) are extrapolated linearly.
// --compare-channels-last times the training step alone instead, in the usual and the
// channels-last memory layout (docs/benchmarks.md, "Faster formats for Table 2's large networks").
#include <sys/resource.h>
#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "emotrace/command_line.h"
#include "emotrace/train/arguments.h"
#include "emotrace/train/data_sources.h"
#include "emotrace/train/train_setup.h"
#include "emotrace/zoo.h"

namespace {

using namespace emotrace;
using namespace emotrace::train;
namespace fs = std::filesystem;

constexpr double kFer2013TrainingItems = 28709.0;

struct BenchOptions {
    DataSources data;
    std::size_t items = 2000;
    std::vector<std::string> models{"resnet18", "mycnn_v1"};
    int threads = 2;
    std::string python = "/usr/bin/python3";
    bool baseline = true;
    bool compare_channels_last = false;
};

// The command line as a declaration; false when --help or --version was answered.
bool parse(int argc, char** argv, BenchOptions& o) {
    o.data.dataset = "fer2013";
    CLI::App app{
        "Training throughput end to end of emotrace against the PyTorch script beside "
        "it, on the same images.",
        "emotrace-train-bench"};
    cli::addStandardFlags(app);
    app.add_option("--items", o.items, "training images (default 2000)")
        ->check(CLI::Range(64, 1 << 20));
    app.add_option("--models", o.models, "comma-separated (default resnet18,mycnn_v1)")
        ->delimiter(',');
    app.add_option("--threads", o.threads, "(default 2)")->check(CLI::Range(1, 256));
    app.add_option("--python", o.python, "the Python with torch (default /usr/bin/python3)");
    app.add_flag_callback(
        "--no-baseline", [&o] { o.baseline = false; }, "skip the PyTorch baseline");
    app.add_flag("--compare-channels-last", o.compare_channels_last,
                 "instead: time each model's training step (random batch, no data) in the "
                 "contiguous and the channels-last layout, taking turns in rounds");
    addDataOptions(app, o.data);
    if (parseToolArguments(app, argc, argv))
        return false;
    o.data.max_train_items = o.items;
    o.data.max_eval_items = 32;
    return true;
}

struct Timing {
    double wall = 0.0;
    double cpu = 0.0;
};

double cpuSeconds() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

Timing emotraceTiming(const PreparedData& data, const std::string& model, int threads,
                      const fs::path& scratch) {
    TrainSetup setup;
    setup.train.model = model;
    setup.train.epochs = 2;
    setup.train.patience = 0;
    setup.train.threads = threads;
    setup.train.show_progress = false;
    setup.train.out_dir = scratch / ("emotrace-" + model);
    fs::remove_all(setup.train.out_dir);
    std::vector<Timing> epoch_ends;
    setup.train.on_epoch_end = [&](const EpochRecord&) {
        epoch_ends.push_back(
            {std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
                 .count(),
             cpuSeconds()});
    };
    Dataset training = data.train;
    applyBalancingAndAugmentation(setup, training, std::cerr);
    train::train(training, data.validation, setup.train);
    fs::remove_all(setup.train.out_dir);
    return {epoch_ends.at(1).wall - epoch_ends.at(0).wall,
            epoch_ends.at(1).cpu - epoch_ends.at(0).cpu};
}

std::string fixed(double value, int digits) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", digits, value);
    return text;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const auto middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : 0.5 * (values[middle - 1] + values[middle]);
}

// The training step alone (forward, loss, backward, AdamW) on a random batch of 32 faces, as
// train() runs it (the plain interpreter), once with contiguous weights and input and once
// channels-last. The two take turns in rounds of 4 steps, the first round a warm-up, so that a
// change in the machine's load falls on both: end to end, one pass of the same work varies by
// ±15 % here from one pass to the next.
void compareChannelsLast(const std::vector<std::string>& models, int threads) {
    at::set_num_threads(threads);
    torch::jit::GraphOptimizerEnabledGuard plain_interpreter(false);
    constexpr int kRounds = 6;
    constexpr int kStepsPerRound = 4;
    std::cout << "| model | contiguous step, median ms | channels-last step, median ms | "
                 "channels-last / contiguous |\n|---|---:|---:|---:|\n";
    for (const auto& name : models) {
        struct Layout {
            torch::jit::Module module;
            std::unique_ptr<torch::optim::AdamW> optimizer;
            torch::Tensor input;
            std::vector<double> milliseconds;
        };
        std::vector<Layout> layouts;
        for (const bool channels_last : {false, true}) {
            torch::manual_seed(0);
            Layout layout{nets::makeModel(name, 8, {.in_channels = 1, .input_size = 48}),
                          {},
                          torch::rand({32, 1, 48, 48}),
                          {}};
            layout.module.train();
            if (channels_last) {
                nets::setConvolutionLayout(layout.module, at::MemoryFormat::ChannelsLast);
                layout.input = layout.input.contiguous(at::MemoryFormat::ChannelsLast);
            }
            layout.optimizer = std::make_unique<torch::optim::AdamW>(
                nets::trainableParameters(layout.module),
                torch::optim::AdamWOptions(1e-3).weight_decay(1e-4));
            layouts.push_back(std::move(layout));
        }
        const auto labels = torch::randint(0, 8, {32}, torch::kLong);
        for (int round = 0; round < kRounds; ++round) {
            for (auto& layout : layouts) {
                for (int step = 0; step < kStepsPerRound; ++step) {
                    const auto started = std::chrono::steady_clock::now();
                    layout.optimizer->zero_grad();
                    auto logits = layout.module.forward({layout.input}).toTensor();
                    torch::nn::functional::cross_entropy(logits, labels).backward();
                    layout.optimizer->step();
                    const std::chrono::duration<double, std::milli> took =
                        std::chrono::steady_clock::now() - started;
                    if (round > 0)
                        layout.milliseconds.push_back(took.count());
                }
            }
        }
        const double contiguous = median(layouts[0].milliseconds);
        const double channels_last = median(layouts[1].milliseconds);
        std::cout << "| " << name << " | " << fixed(contiguous, 0) << " | "
                  << fixed(channels_last, 0) << " | " << fixed(channels_last / contiguous, 2)
                  << " |\n";
    }
    std::cout << "threads " << threads << ", batch 32, 48x48, AdamW; "
              << (kRounds - 1) * kStepsPerRound << " steps per layout after a warm-up round\n";
}

void writeRaw(const Dataset& data, const fs::path& path) {
    std::ofstream out(path, std::ios::binary);
    for (const auto& item : data.items)
        out.write(reinterpret_cast<const char*>(item.image.data), item.image.total());
    for (const auto& item : data.items) {
        const std::int64_t label = item.label;
        out.write(reinterpret_cast<const char*>(&label), sizeof label);
    }
    if (!out.flush())
        throw OutputError("could not write " + path.string());
}

std::map<std::string, Timing> baselineTimings(const BenchOptions& o, const std::string& models,
                                              const Dataset& data, const fs::path& scratch) {
    const auto raw = scratch / "faces.bin";
    if (!fs::exists(raw))
        writeRaw(data, raw);
    const auto command = o.python + " " + EMOTRACE_TRAIN_BASELINE_SCRIPT + " " + raw.string() +
                         " " + std::to_string(data.items.size()) + " --models " + models +
                         " --threads " + std::to_string(o.threads) + " --classes " +
                         std::to_string(data.labels.size());
    std::cerr << "baseline: " << command << '\n';
    std::map<std::string, Timing> seconds;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe)
        throw Error("could not run " + command);
    char line[4096];
    while (std::fgets(line, sizeof line, pipe)) {
        try {
            const auto json = nlohmann::json::parse(line);
            seconds[json.at("model").get<std::string>()] = {json.at("seconds").get<double>(),
                                                            json.at("cpu_seconds").get<double>()};
        } catch (const nlohmann::json::exception&) {
            std::cerr << "baseline: " << line;
        }
    }
    if (::pclose(pipe) != 0)
        throw Error("the PyTorch baseline failed (is python3-torch installed? see above): " +
                    command);
    return seconds;
}

int run(int argc, char** argv) {
    BenchOptions o;
    if (!parse(argc, argv, o))
        return 0;
    if (o.compare_channels_last) {
        compareChannelsLast(o.models, o.threads);
        return 0;
    }
    cv::setNumThreads(1);
    const auto data = prepareData(o.data, std::cerr);
    const auto scratch =
        fs::temp_directory_path() / ("emotrace-train-bench-" + std::to_string(::getpid()));
    fs::create_directories(scratch);
    // Each model's two measurements back to back, so a change in the machine's load between
    // them is as small as it can be.
    std::map<std::string, Timing> ours;
    std::map<std::string, Timing> theirs;
    for (const auto& model : o.models) {
        ours[model] = emotraceTiming(data, model, o.threads, scratch);
        std::cerr << model << ": emotrace " << ours[model].wall << " s a pass (" << ours[model].cpu
                  << " s CPU)\n";
        if (o.baseline)
            theirs.merge(baselineTimings(o, model, data.train, scratch));
    }
    fs::remove_all(scratch);

    const double scale = kFer2013TrainingItems / static_cast<double>(data.train.items.size());
    std::cout << "| model | items | emotrace s/pass (CPU s) | PyTorch s/pass (CPU s) | speed-up "
                 "wall (CPU) | emotrace epoch of FER-2013, extrapolated | PyTorch epoch, "
                 "extrapolated |\n|---|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& model : o.models) {
        const auto& a = ours[model];
        const bool have = theirs.contains(model);
        const Timing b = have ? theirs[model] : Timing{};
        std::cout << "| " << model << " | " << data.train.items.size() << " | " << fixed(a.wall, 2)
                  << " (" << fixed(a.cpu, 2) << ") | "
                  << (have ? fixed(b.wall, 2) + " (" + fixed(b.cpu, 2) + ")" : "—") << " | "
                  << (have ? fixed(b.wall / a.wall, 2) + "x (" + fixed(b.cpu / a.cpu, 2) + "x)"
                           : "—")
                  << " | " << fixed(a.wall * scale, 0) << " s | "
                  << (have ? fixed(b.wall * scale, 0) + " s" : "—") << " |\n";
    }
    std::cout << "threads " << o.threads << ", batch 32, AdamW, flip + rotation 15 + scale 10%\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "emotrace-train-bench: " << e.what() << '\n';
        return 1;
    }
}
