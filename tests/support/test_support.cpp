#include "test_support.h"

#include <gtest/gtest.h>

#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>
#include <sstream>

#include <opencv2/videoio.hpp>

namespace emotrace::test {

std::optional<std::filesystem::path> sharedData(const std::string& relative) {
    const char* env = std::getenv("EMOTRACE_DATA");
    std::filesystem::path root = env ? env : EMOTRACE_TEST_DATA;
    auto path = relative.empty() ? root : root / relative;
    if (!std::filesystem::exists(path))
        return std::nullopt;
    return path;
}

pid_t currentThreadId() {
    return static_cast<pid_t>(::syscall(SYS_gettid));
}

bool waitUntilSleeping(pid_t tid, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    const auto stat = "/proc/self/task/" + std::to_string(tid) + "/stat";
    do {
        // "tid (name) S ...": the state follows the last ')', since a name may hold one.
        const auto text = readFile(stat);
        const auto paren = text.rfind(')');
        if (paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] == 'S')
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
}

std::string missingDataReason(const std::string& relative) {
    const char* env = std::getenv("EMOTRACE_DATA");
    std::filesystem::path root = env ? env : EMOTRACE_TEST_DATA;
    return "shared data not found: " + (root / relative).string() +
           " (set EMOTRACE_DATA to the folder with emotrace's data)";
}

bool prerequisitesRequired() {
    const char* ci = std::getenv("CI");
    const char* all = std::getenv("EMOTRACE_REQUIRE_ALL");
    return (ci && std::string(ci) == "true") || (all && std::string(all) == "1");
}

void failIfRequired(const std::string& reason) {
    if (prerequisitesRequired())
        ADD_FAILURE() << reason << " — required under CI (CI=true or EMOTRACE_REQUIRE_ALL=1): "
                      << "a test must not pass by skipping there";
}

std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> result;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        result.push_back(line);
    return result;
}

CommandResult runProgram(const std::filesystem::path& program, const std::filesystem::path& workdir,
                         const std::vector<std::string>& args) {
    const auto out_file = workdir / "stdout.txt";
    const auto err_file = workdir / "stderr.txt";
    std::string command =
        "cd " + shellQuoted(workdir.string()) + " && " + shellQuoted(program.string());
    for (const auto& arg : args)
        command += " " + shellQuoted(arg);
    command += " >" + shellQuoted(out_file.string()) + " 2>" + shellQuoted(err_file.string());
    const int status = std::system(command.c_str());
    CommandResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.out = readFile(out_file);
    result.err = readFile(err_file);
    return result;
}

std::string shellQuoted(const std::string& text) {
    std::string result = "'";
    for (char c : text)
        result += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return result + "'";
}

bool runQuietly(const std::string& command) {
    const std::string line = "(" + command + ") >/dev/null 2>&1";
    return std::system(line.c_str()) == 0;
}

bool haveFfmpegTools() {
    return runQuietly("command -v ffmpeg && command -v ffprobe");
}

TempDir::TempDir() {
    std::random_device random;
    auto base = std::filesystem::temp_directory_path();
    do {
        path_ = base / ("emotrace-test-" + std::to_string(random()));
    } while (std::filesystem::exists(path_));
    std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

namespace {

// Every test process (and the tools it starts) keeps out of the user's real data and settings:
// sessions go to a per-process folder that is removed at the end, and the tools' default
// emotion model is looked up in a folder that does not exist, so a test sees only the model it
// names. Registered before main() so it also covers tests that run emotrace-analyze.
class IsolatedUserData : public ::testing::Environment {
  public:
    void SetUp() override {
        root_ = std::filesystem::temp_directory_path() /
                ("emotrace-test-user-" + std::to_string(::getpid()));
        std::filesystem::create_directories(root_);
        ::setenv("XDG_DATA_HOME", root_.c_str(), 1);
        // The dashboard's remembered choices (QSettings) too: no test sees another's.
        ::setenv("XDG_CONFIG_HOME", (root_ / "config").c_str(), 1);
        ::setenv("EMOTRACE_MODELS", (root_ / "no-default-model").c_str(), 1);
    }
    void TearDown() override {
        std::error_code ignored;
        std::filesystem::remove_all(root_, ignored);
    }

  private:
    std::filesystem::path root_;
};

[[maybe_unused]] ::testing::Environment* const isolated_user_data =
    ::testing::AddGlobalTestEnvironment(new IsolatedUserData);

}  // namespace

cv::Mat firstFrame(const std::filesystem::path& clip) {
    cv::VideoCapture capture(clip.string());
    cv::Mat frame;
    capture.read(frame);
    return frame;
}

}  // namespace emotrace::test
