#include "classifier_bench.h"

#include <cstdio>
#include <iostream>
#include <random>
#include <sstream>

#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "emotrace/emotion_classifier.h"
#include "emotrace/error.h"

namespace emotrace::bench {

namespace {

std::vector<cv::Mat> randomFaces(int count, cv::Size size) {
    std::vector<cv::Mat> faces;
    cv::RNG rng(7);
    for (int i = 0; i < count; ++i) {
        cv::Mat face(size, CV_32FC1);
        rng.fill(face, cv::RNG::UNIFORM, 0.0f, 1.0f);
        faces.push_back(face);
    }
    return faces;
}

std::vector<InferenceTiming> timeCpp(const ClassifierBenchOptions& options) {
    std::vector<InferenceTiming> timings;
    struct Variant {
        const char* name;
        ClassifierOptions options;
    };
    // The first two match PyTorch's single pass; the others are what the app runs for a model
    // whose metadata asks for averaging over views: each face and its mirror image (2 views), and
    // those moved 2 pixels each way too (10 views), all in one batch.
    const Variant variants[] = {
        {"plain", {.optimize = false, .flip_average = false, .shift_average = 0}},
        {"optimised", {.optimize = true, .flip_average = false, .shift_average = 0}},
        {"flip-averaged", {.optimize = true, .flip_average = true, .shift_average = 0}},
        {"flip+shift-averaged", {.optimize = true, .flip_average = true, .shift_average = 2}}};
    for (const auto& variant : variants) {
        for (int threads : options.threads) {
            // Before loading: the optimised path warms its executor up at load time.
            setInferenceThreads(threads);
            auto classifier = loadEmotionClassifier(options.model, variant.options);
            const auto& info = classifier->info();
            for (int batch : options.batches) {
                const auto faces = randomFaces(batch, {info.input_width, info.input_height});
                const auto times =
                    timeRuns(options.warmup, options.runs, [&] { classifier->classify(faces); });
                timings.push_back({variant.name, threads, batch, summarize(times)});
                std::cerr << "  C++ " << timings.back().variant << ", " << threads
                          << " thread(s), batch " << batch << ": "
                          << fixed(timings.back().ms.p50, 2) << " ms median\n";
            }
        }
    }
    return timings;
}

std::string joined(const std::vector<int>& values) {
    std::string text;
    for (int value : values)
        text += (text.empty() ? "" : ",") + std::to_string(value);
    return text;
}

std::string shellQuoted(const std::string& text) {
    std::string quoted = "'";
    for (char c : text)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

// Runs the baseline script and returns its stdout; throws Error with the exit status.
std::string runBaselineScript(const ClassifierBenchOptions& options) {
    const std::string command =
        shellQuoted(options.python) + " " + shellQuoted(options.baseline_script.string()) +
        " --runs " + std::to_string(options.runs) + " --warmup " + std::to_string(options.warmup) +
        " --threads " + joined(options.threads) + " --batches " + joined(options.batches);
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe)
        throw Error("could not start the PyTorch baseline: " + command);
    std::string output;
    char buffer[4096];
    while (std::size_t read = std::fread(buffer, 1, sizeof buffer, pipe))
        output.append(buffer, read);
    const int status = ::pclose(pipe);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        const std::string how = status != -1 && WIFEXITED(status)
                                    ? "exit status " + std::to_string(WEXITSTATUS(status))
                                    : "did not exit normally";
        throw Error("the PyTorch baseline failed (" + how + "): " + command +
                    " (needs an interpreter with python3-torch and python3-torchvision; exit "
                    "status 127: the interpreter was not found)");
    }
    return output;
}

void timePython(const ClassifierBenchOptions& options, ClassifierReport& report) {
    try {
        const auto document = nlohmann::json::parse(runBaselineScript(options));
        report.python_versions = "torch " + document.at("torch_version").get<std::string>() +
                                 ", torchvision " +
                                 document.at("torchvision_version").get<std::string>() +
                                 ", Python " + document.at("python").get<std::string>();
        for (const auto& result : document.at("results")) {
            report.python.push_back({result.at("variant").get<std::string>(),
                                     result.at("threads").get<int>(), result.at("batch").get<int>(),
                                     summarize(result.at("times_ms").get<std::vector<double>>())});
        }
    } catch (const std::exception& e) {  // Error, or nlohmann's parse and type errors
        report.python_error = e.what();
        std::cerr << "  PyTorch baseline unavailable: " << e.what() << "\n";
    }
}

const InferenceTiming* find(const std::vector<InferenceTiming>& timings, const std::string& variant,
                            int threads, int batch) {
    for (const auto& timing : timings) {
        if (timing.variant == variant && timing.threads == threads && timing.batch == batch)
            return &timing;
    }
    return nullptr;
}

// The fastest thread count for a variant and batch.
const InferenceTiming* best(const std::vector<InferenceTiming>& timings, const std::string& variant,
                            int batch) {
    const InferenceTiming* fastest = nullptr;
    for (const auto& timing : timings) {
        if (timing.variant == variant && timing.batch == batch &&
            (!fastest || timing.ms.p50 < fastest->ms.p50))
            fastest = &timing;
    }
    return fastest;
}

std::string cell(const InferenceTiming* timing) {
    if (!timing)
        return "—";
    return fixed(timing->ms.p50, 2) + " (" + fixed(timing->ms.p95, 2) + ", " +
           fixed(timing->ms.p99, 2) + ")";
}

std::string ratio(const InferenceTiming* numerator, const InferenceTiming* denominator) {
    if (!numerator || !denominator || denominator->ms.p50 <= 0.0)
        return "—";
    return fixed(numerator->ms.p50 / denominator->ms.p50, 2);
}

double facesPerSecond(const InferenceTiming& timing) {
    return timing.ms.p50 > 0.0 ? 1000.0 * timing.batch / timing.ms.p50 : 0.0;
}

void writeVerdicts(const ClassifierReport& report, std::ostream& out) {
    if (const auto* fastest = best(report.cpp, "optimised", 1)) {
        out << "- **Batch 1 at most 3 ms (median): " << (fastest->ms.p50 <= 3.0 ? "met" : "missed")
            << "** — " << fixed(fastest->ms.p50, 2) << " ms optimised with " << fastest->threads
            << " thread(s)";
        if (const auto* plain = find(report.cpp, "plain", fastest->threads, 1))
            out << "; the plain module takes " << fixed(plain->ms.p50, 2) << " ms";
        out << ".\n";
    }
    const auto* cpp = best(report.cpp, "optimised", 32);
    const auto* python = best(report.python, "frozen", 32);
    if (cpp && python) {
        out << "- **Batch-32 throughput at least PyTorch's: "
            << (facesPerSecond(*cpp) >= facesPerSecond(*python) ? "met" : "missed") << "** — C++ "
            << fixed(facesPerSecond(*cpp), 0) << " faces/s (optimised, " << cpp->threads
            << " thread(s)) vs PyTorch " << fixed(facesPerSecond(*python), 0)
            << " faces/s (frozen, " << python->threads << " thread(s)), best of each side.\n";
    } else if (cpp) {
        out << "- Batch-32 throughput vs PyTorch: not measured (" << report.python_error << ").\n";
    }
}

}  // namespace

ClassifierReport runClassifierBench(const ClassifierBenchOptions& options) {
    ClassifierReport report;
    report.runs = options.runs;
    std::cerr << "classifier: " << options.model.string() << ", " << options.runs
              << " runs per configuration\n";
    report.cpp = timeCpp(options);
    if (options.run_python)
        timePython(options, report);
    else
        report.python_error = "skipped (--no-python)";
    return report;
}

std::string classifierMarkdown(const ClassifierReport& report) {
    std::ostringstream out;
    out << "### Classifier: ResNet18, 48x48 grey, 8 classes\n\n"
        << "Milliseconds for one forward pass of the whole batch, softmax included: median "
           "(p95, p99) of "
        << report.runs
        << " runs after 5 warm-up runs. C++ goes through `EmotionClassifier::classify` (the "
           "cv::Mat to tensor copy included); PyTorch is "
        << (report.python_versions.empty() ? report.python_error : report.python_versions)
        << ", run by this benchmark in the same run. Ratio: C++ optimised / PyTorch frozen "
           "(below 1: C++ faster).\n\n"
        << "The averaged columns are the optimised path classifying each face with its mirror "
           "image (2 views), and with copies moved 2 pixels each way and their mirror images "
           "(10 views): what the app runs for a model whose metadata asks for it.\n\n"
        << "| threads | batch | C++ plain | C++ optimised | PyTorch eager | PyTorch frozen | "
           "ratio | C++ flip-averaged | C++ flip+shift-averaged |\n"
           "|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& timing : report.cpp) {
        if (timing.variant != "plain")
            continue;
        const int t = timing.threads;
        const int b = timing.batch;
        const auto* optimised = find(report.cpp, "optimised", t, b);
        out << "| " << t << " | " << b << " | " << cell(&timing) << " | " << cell(optimised)
            << " | " << cell(find(report.python, "eager", t, b)) << " | "
            << cell(find(report.python, "frozen", t, b)) << " | "
            << ratio(optimised, find(report.python, "frozen", t, b)) << " | "
            << cell(find(report.cpp, "flip-averaged", t, b)) << " | "
            << cell(find(report.cpp, "flip+shift-averaged", t, b)) << " |\n";
    }
    out << "\n";
    writeVerdicts(report, out);
    return out.str();
}

}  // namespace emotrace::bench
