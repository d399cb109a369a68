#include "private_desktop.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

extern char** environ;

namespace emotrace::test {

cv::Mat sharedScreenPicture() {
    constexpr int w = kSharedScreenWidth;
    constexpr int h = kSharedScreenHeight;
    cv::Mat screen(h, w, CV_8UC3, cv::Scalar(0, 0, 255));
    screen.colRange(w / 2, w).setTo(cv::Scalar(255, 0, 0));
    if (const auto clip = sharedData("videos/liveportrait_d0.mp4")) {
        const auto face = firstFrame(*clip);
        if (!face.empty()) {
            cv::Mat fitted;
            cv::resize(face, fitted, {h * face.cols / face.rows, h});
            const int width = std::min(fitted.cols, w / 2);
            fitted.colRange(0, width).copyTo(screen(cv::Rect(0, 0, width, h)));
        }
    }
    return screen;
}

PrivateDesktop::PrivateDesktop(const std::string& answer) {
    using namespace std::chrono_literals;
    const std::string fake_back_end = EMOTRACE_FAKE_SCREENCAST_BACKEND;
    const std::string script = EMOTRACE_TEST_SUPPORT_DIR "/wayland-desktop.sh";
    const auto background = (dir_ / "background.png").string();
    cv::imwrite(background, sharedScreenPicture());
    const auto folder = dir_ / "desktop";
    std::filesystem::create_directories(folder);
    const std::string folder_text = folder.string();
    const char* argv[] = {script.c_str(), folder_text.c_str(),   background.c_str(),
                          answer.c_str(), fake_back_end.c_str(), nullptr};
    // Its complaints go to a file, read back for the skip's reason.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const auto errors = (dir_ / "desktop.err").string();
    posix_spawn_file_actions_addopen(&actions, 2, errors.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    // A process group of its own, so that it can stop everything it started at the end.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
    const int spawned = posix_spawn(&pid_, script.c_str(), &actions, &attributes,
                                    const_cast<char**>(argv), environ);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        why_not_ = "cannot run " + script;
        pid_ = 0;
        return;
    }
    const auto bus_file = folder / "bus";
    for (int attempt = 0; attempt < 300; ++attempt) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = 0;
            why_not_ = WIFEXITED(status) && WEXITSTATUS(status) == 77
                           ? "the private desktop needs " + readFile(dir_ / "desktop.err") +
                                 " (tools/setup.sh deps installs sway, swaybg, pipewire, "
                                 "wireplumber, xdg-desktop-portal and -wlr)"
                           : "the private desktop did not start: " + readFile(dir_ / "desktop.err");
            return;
        }
        std::error_code ignored;
        if (std::filesystem::file_size(bus_file, ignored) > 0 && !ignored) {
            auto address = readFile(bus_file);
            while (!address.empty() && address.back() == '\n')
                address.pop_back();
            ::setenv("DBUS_SESSION_BUS_ADDRESS", address.c_str(), 1);
            ready_ = true;
            return;
        }
        std::this_thread::sleep_for(100ms);
    }
    why_not_ = "the private desktop did not answer within 30 s";
}

PrivateDesktop::~PrivateDesktop() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, nullptr, 0);
    }
}

bool PrivateDesktop::stopScreenCastBackEnd() const {
    const auto pid = std::atoi(readFile(dir_.path() / "desktop" / "backend.pid").c_str());
    return pid > 0 && ::kill(pid, SIGTERM) == 0;
}

bool PrivateDesktop::hideSharedWindow(bool hidden) const {
    const auto pid = std::atoi(readFile(dir_.path() / "desktop" / "backend.pid").c_str());
    return pid > 0 && ::kill(pid, hidden ? SIGUSR1 : SIGUSR2) == 0;
}

std::string PrivateDesktop::log(const std::string& name) const {
    return readFile(dir_.path() / "desktop" / (name + ".log"));
}

}  // namespace emotrace::test
