// What every benchmark of emotrace-bench shares: summary statistics of timings, where the repo,
// its shared data and scratch files are, the machine the figures were taken on, and the
// process's resident memory. Kept free of torch so most of the bench compiles quickly.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace emotrace::bench {

// Timings are reported as medians and tail percentiles: means hide the stalls that matter
// for a live view.
struct Summary {
    std::size_t count = 0;
    double mean = 0.0;
    double p50 = 0.0;
    double p95 = 0.0;
    double p99 = 0.0;
    double max = 0.0;
};

// Linear interpolation between closest ranks; an empty sample gives all zeros.
Summary summarize(std::vector<double> values);
double percentile(const std::vector<double>& sorted, double fraction);

// Timings of a long run in constant memory, so a 30-minute soak does not grow by its own
// bookkeeping: 0.1 ms buckets up to 5 s (slower values share the last bucket; max stays exact).
class TimingHistogram {
  public:
    void add(double ms);
    std::int64_t count() const { return count_; }
    // Percentiles are bucket midpoints, so they are exact to 0.05 ms.
    Summary summary() const;

  private:
    static constexpr double kBucketMs = 0.1;
    static constexpr std::size_t kBuckets = 50000;
    std::vector<std::int64_t> buckets_ = std::vector<std::int64_t>(kBuckets, 0);
    std::int64_t count_ = 0;
    double sum_ = 0.0;
    double max_ = 0.0;
};

// Milliseconds between two steady-clock points.
double millisecondsBetween(std::chrono::steady_clock::time_point from,
                           std::chrono::steady_clock::time_point to);

// Runs `work` `warmup` times untimed, then `runs` times, returning each run in milliseconds.
std::vector<double> timeRuns(int warmup, int runs, const std::function<void()>& work);

// "12.3" with the given number of decimals.
std::string fixed(double value, int decimals = 1);

struct BenchPaths {
    std::filesystem::path repo_root;  // holds bench/pytorch_baseline.py
    std::filesystem::path data;       // ../shared/data or --data / $EMOTRACE_DATA
    std::filesystem::path work;       // scratch: generated clips and the benchmark model
};

// Finds the repository by walking up from the executable and from the working directory
// until bench/pytorch_baseline.py appears. Throws Error saying where it looked.
std::filesystem::path findRepoRoot();
// data_override, else $EMOTRACE_DATA, else repo_root/../shared/data. Throws Error when the
// folder has no videos/ below it.
BenchPaths resolvePaths(const std::optional<std::filesystem::path>& data_override,
                        const std::optional<std::filesystem::path>& work_override);

struct MachineInfo {
    int cores = 0;
    std::string cpu_model;
    double ram_gib = 0.0;
    std::string load_average;  // the first three fields of /proc/loadavg
    std::string date;          // UTC, ISO 8601
};
MachineInfo describeMachine();
std::string loadAverage();

// Resident set size from /proc/self/statm, in bytes; 0 when it cannot be read.
std::int64_t residentBytes();

}  // namespace emotrace::bench
