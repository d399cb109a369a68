// emotrace-train-bench: seconds per training pass over the same N FER-2013 images, emotrace's
// trainer against bench/train/pytorch_train_baseline.py (torchvision), both with batch 32,
// AdamW, the paper's augmentation in one loader thread/worker and the same torch threads.
// emotrace's figure is the second epoch of a real train() run (the first warms up), validation
// on 32 images included, checkpoint writing not; the baseline's is one pass after 3 warm-up
// steps. Per-epoch times for FER-2013 (28,709 training images) are extrapolated linearly.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "emotrace/train/arguments.h"
#include "emotrace/train/data_sources.h"
#include "emotrace/train/train_setup.h"

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
};

BenchOptions parse(int argc, char** argv) {
    BenchOptions o;
    o.data.dataset = "fer2013";
    Arguments args(argc, argv);
    while (args.next()) {
        if (args.is("--help") || args.is("-h")) {
            std::cout << "usage: emotrace-train-bench [--items N (2000)] [--models A,B] "
                         "[--threads N (2)] [--python PATH] [--no-baseline] [data options]\n"
                      << dataOptionsHelp();
            std::exit(0);
        } else if (args.is("--items")) {
            o.items = static_cast<std::size_t>(args.integer(64, 1 << 20));
        } else if (args.is("--models")) {
            o.models = args.list();
        } else if (args.is("--threads")) {
            o.threads = args.integer(1, 256);
        } else if (args.is("--python")) {
            o.python = args.text();
        } else if (args.is("--no-baseline")) {
            args.flag();
            o.baseline = false;
        } else if (!parseDataOption(args, o.data)) {
            throw UsageError("unknown option '" + args.name() + "'");
        }
    }
    o.data.max_train_items = o.items;
    o.data.max_eval_items = 32;
    return o;
}

double emotraceSeconds(const PreparedData& data, const std::string& model, int threads,
                       const fs::path& scratch) {
    TrainSetup setup;
    setup.train.model = model;
    setup.train.epochs = 2;
    setup.train.patience = 0;
    setup.train.threads = threads;
    setup.train.show_progress = false;
    setup.train.out_dir = scratch / ("emotrace-" + model);
    fs::remove_all(setup.train.out_dir);
    Dataset training = data.train;
    applyBalancingAndAugmentation(setup, training, std::cerr);
    const auto result = train::train(training, data.validation, setup.train);
    fs::remove_all(setup.train.out_dir);
    return result.history.at(1).seconds;
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

std::map<std::string, double> baselineSeconds(const BenchOptions& o, const Dataset& data,
                                              const fs::path& scratch) {
    const auto raw = scratch / "faces.bin";
    writeRaw(data, raw);
    std::string models;
    for (const auto& m : o.models)
        models += (models.empty() ? "" : ",") + m;
    const auto command = o.python + " " + EMOTRACE_TRAIN_BASELINE_SCRIPT + " " + raw.string() +
                         " " + std::to_string(data.items.size()) + " --models " + models +
                         " --threads " + std::to_string(o.threads) + " --classes " +
                         std::to_string(data.labels.size());
    std::cerr << "baseline: " << command << '\n';
    std::map<std::string, double> seconds;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe)
        throw Error("could not run " + command);
    char line[4096];
    while (std::fgets(line, sizeof line, pipe)) {
        try {
            const auto json = nlohmann::json::parse(line);
            seconds[json.at("model").get<std::string>()] = json.at("seconds").get<double>();
        } catch (const nlohmann::json::exception&) {
            std::cerr << "baseline: " << line;
        }
    }
    if (::pclose(pipe) != 0)
        throw Error("the PyTorch baseline failed (is python3-torch installed? see above): " +
                    command);
    return seconds;
}

std::string fixed(double value, int digits) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", digits, value);
    return text;
}

int run(int argc, char** argv) {
    const auto o = parse(argc, argv);
    cv::setNumThreads(1);
    const auto data = prepareData(o.data, std::cerr);
    const auto scratch =
        fs::temp_directory_path() / ("emotrace-train-bench-" + std::to_string(::getpid()));
    fs::create_directories(scratch);
    std::map<std::string, double> ours;
    for (const auto& model : o.models) {
        ours[model] = emotraceSeconds(data, model, o.threads, scratch);
        std::cerr << model << ": emotrace " << ours[model] << " s a pass\n";
    }
    std::map<std::string, double> theirs;
    if (o.baseline)
        theirs = baselineSeconds(o, data.train, scratch);
    fs::remove_all(scratch);

    const double scale = kFer2013TrainingItems / static_cast<double>(data.train.items.size());
    std::cout << "| model | items | emotrace s/pass | PyTorch s/pass | speed-up | emotrace "
                 "epoch of FER-2013 (extrapolated) | PyTorch epoch (extrapolated) |\n"
                 "|---|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& model : o.models) {
        const bool have = theirs.contains(model);
        std::cout << "| " << model << " | " << data.train.items.size() << " | "
                  << fixed(ours[model], 2) << " | " << (have ? fixed(theirs[model], 2) : "—")
                  << " | " << (have ? fixed(theirs[model] / ours[model], 2) + "x" : "—") << " | "
                  << fixed(ours[model] * scale, 0) << " s | "
                  << (have ? fixed(theirs[model] * scale, 0) + " s" : "—") << " |\n";
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
