#include "bench_common.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <numeric>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "emotrace/error.h"

namespace emotrace::bench {

namespace fs = std::filesystem;

double percentile(const std::vector<double>& sorted, double fraction) {
    if (sorted.empty())
        return 0.0;
    const double rank = fraction * static_cast<double>(sorted.size() - 1);
    const auto lower = static_cast<std::size_t>(std::floor(rank));
    const auto upper = std::min(lower + 1, sorted.size() - 1);
    const double weight = rank - static_cast<double>(lower);
    return sorted[lower] + weight * (sorted[upper] - sorted[lower]);
}

Summary summarize(std::vector<double> values) {
    Summary summary;
    if (values.empty())
        return summary;
    std::sort(values.begin(), values.end());
    summary.count = values.size();
    summary.mean =
        std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
    summary.p50 = percentile(values, 0.50);
    summary.p95 = percentile(values, 0.95);
    summary.p99 = percentile(values, 0.99);
    summary.max = values.back();
    return summary;
}

void TimingHistogram::add(double ms) {
    ms = std::max(ms, 0.0);
    const auto bucket = std::min(static_cast<std::size_t>(ms / kBucketMs), kBuckets - 1);
    ++buckets_[bucket];
    ++count_;
    sum_ += ms;
    max_ = std::max(max_, ms);
}

Summary TimingHistogram::summary() const {
    Summary summary;
    if (count_ == 0)
        return summary;
    summary.count = static_cast<std::size_t>(count_);
    summary.mean = sum_ / static_cast<double>(count_);
    summary.max = max_;
    auto at = [&](double fraction) {
        // The value of nearest rank ceil(fraction * count), 1-based.
        const auto rank = std::max<std::int64_t>(
            1, static_cast<std::int64_t>(std::ceil(fraction * static_cast<double>(count_))));
        std::int64_t seen = 0;
        for (std::size_t i = 0; i < kBuckets; ++i) {
            seen += buckets_[i];
            if (seen >= rank)
                return std::min((static_cast<double>(i) + 0.5) * kBucketMs, max_);
        }
        return max_;
    };
    summary.p50 = at(0.50);
    summary.p95 = at(0.95);
    summary.p99 = at(0.99);
    return summary;
}

double millisecondsBetween(std::chrono::steady_clock::time_point from,
                           std::chrono::steady_clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

std::vector<double> timeRuns(int warmup, int runs, const std::function<void()>& work) {
    for (int i = 0; i < warmup; ++i)
        work();
    std::vector<double> times;
    times.reserve(static_cast<std::size_t>(std::max(runs, 0)));
    for (int i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        work();
        times.push_back(millisecondsBetween(start, std::chrono::steady_clock::now()));
    }
    return times;
}

std::string fixed(double value, int decimals) {
    std::ostringstream text;
    text << std::fixed << std::setprecision(decimals) << value;
    return text.str();
}

namespace {

std::optional<fs::path> searchUpwards(fs::path from) {
    std::error_code error;
    for (; !from.empty(); from = from.parent_path()) {
        if (fs::is_regular_file(from / "bench" / "pytorch_baseline.py", error))
            return from;
        if (from == from.root_path())
            break;
    }
    return std::nullopt;
}

std::string firstLineOf(const fs::path& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

}  // namespace

fs::path findRepoRoot() {
    std::error_code error;
    const fs::path executable = fs::read_symlink("/proc/self/exe", error);
    if (!error) {
        if (auto root = searchUpwards(executable.parent_path()))
            return *root;
    }
    if (auto root = searchUpwards(fs::current_path()))
        return *root;
    throw Error(
        "cannot find emotrace's source tree (a folder with bench/pytorch_baseline.py) "
        "above the executable " +
        executable.string() + " or the working directory " + fs::current_path().string() +
        "; run emotrace-bench from inside the checkout");
}

BenchPaths resolvePaths(const std::optional<fs::path>& data_override,
                        const std::optional<fs::path>& work_override) {
    BenchPaths paths;
    paths.repo_root = findRepoRoot();
    if (data_override) {
        paths.data = *data_override;
    } else if (const char* env = std::getenv("EMOTRACE_DATA"); env && *env) {
        paths.data = env;
    } else {
        paths.data = (paths.repo_root / ".." / "shared" / "data").lexically_normal();
    }
    std::error_code error;
    if (!fs::is_directory(paths.data / "videos", error)) {
        throw Error("shared data not found: expected the folder " +
                    (paths.data / "videos").string() +
                    " with the face clips (give --data DIR or set EMOTRACE_DATA)");
    }
    paths.work = work_override ? *work_override : fs::temp_directory_path() / "emotrace-bench";
    fs::create_directories(paths.work, error);
    if (error) {
        throw Error("cannot create the scratch folder " + paths.work.string() + ": " +
                    error.message());
    }
    return paths;
}

std::string loadAverage() {
    std::istringstream fields(firstLineOf("/proc/loadavg"));
    std::string one, five, fifteen;
    fields >> one >> five >> fifteen;
    return one + " " + five + " " + fifteen;
}

MachineInfo describeMachine() {
    MachineInfo info;
    info.cores = static_cast<int>(std::thread::hardware_concurrency());
    std::ifstream cpuinfo("/proc/cpuinfo");
    for (std::string line; std::getline(cpuinfo, line);) {
        if (line.rfind("model name", 0) == 0) {
            info.cpu_model = line.substr(line.find(':') + 2);
            break;
        }
    }
    std::istringstream meminfo(firstLineOf("/proc/meminfo"));  // "MemTotal: 24684084 kB"
    std::string label;
    double kib = 0.0;
    meminfo >> label >> kib;
    info.ram_gib = kib / (1024.0 * 1024.0);
    info.load_average = loadAverage();
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::ostringstream date;
    date << std::put_time(&utc, "%Y-%m-%d %H:%M UTC");
    info.date = date.str();
    return info;
}

std::int64_t residentBytes() {
    std::istringstream fields(firstLineOf("/proc/self/statm"));
    std::int64_t size_pages = 0;
    std::int64_t resident_pages = 0;
    if (!(fields >> size_pages >> resident_pages))
        return 0;
    return resident_pages * static_cast<std::int64_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace emotrace::bench
