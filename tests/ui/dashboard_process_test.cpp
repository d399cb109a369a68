// The real dashboard program, run headless (offscreen) in child processes on a generated clip:
// killed with SIGKILL mid-session it keeps its readings up to the last second, and the session
// is listed as ended early; two dashboards on one store at once both keep their sessions.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "emotrace/live_session_writer.h"
#include "emotrace/session_store.h"
#include "generated_video.h"
#include "test_support.h"

namespace emotrace {
namespace {

using Clock = std::chrono::steady_clock;

// Starts the dashboard with `arguments`, offscreen, its output to `log`.
pid_t startDashboard(const std::vector<std::string>& arguments, const std::filesystem::path& log) {
    const pid_t child = ::fork();
    if (child != 0)
        return child;
    ::setenv("QT_QPA_PLATFORM", "offscreen", 1);
    std::vector<char*> argv;
    std::string program = EMOTRACE_DASHBOARD_BIN;
    argv.push_back(program.data());
    std::vector<std::string> copies = arguments;
    for (auto& argument : copies)
        argv.push_back(argument.data());
    argv.push_back(nullptr);
    if (std::FILE* out = std::freopen(log.c_str(), "w", stderr))
        ::dup2(::fileno(out), STDOUT_FILENO);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
}

// What a poll of the store sees, read-only so the poll never creates or changes it.
struct StoreView {
    bool has_session = false;
    std::int64_t frames_stored = 0;
};

StoreView pollStore(const std::filesystem::path& store) {
    StoreView view;
    if (!std::filesystem::exists(store))
        return view;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(store.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 1000);
        sqlite3_stmt* query = nullptr;
        if (sqlite3_prepare_v2(db, "SELECT frames_stored FROM sessions", -1, &query, nullptr) ==
                SQLITE_OK &&
            sqlite3_step(query) == SQLITE_ROW) {
            view.has_session = true;
            view.frames_stored = sqlite3_column_int64(query, 0);
        }
        sqlite3_finalize(query);
    }
    sqlite3_close(db);
    return view;
}

double millisecondsBetween(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

// Issue 20's bar: kill -9 mid-session loses at most the last second of readings.
TEST(DashboardProcess, KilledMidSessionKeepsItsReadingsUpToTheLastSecond) {
    test::TempDir dir;
    const auto clip = dir / "call.avi";
    test::writeTestVideo(clip, 250, 25.0, {160, 120});  // 10 s, played at its own rate
    const auto store = dir / "sessions.sqlite";
    const pid_t dashboard = startDashboard(
        {"--source", clip.string(), "--no-model", "--store", store.string(), "--label", "C-017"},
        dir / "dashboard.log");
    ASSERT_GT(dashboard, 0);

    // The last moment the store had no session: the session's clock starts after it, so at
    // the kill the session is at most (kill - before_session) into the clip.
    auto before_session = Clock::now();
    const auto give_up = Clock::now() + std::chrono::seconds(60);
    while (!pollStore(store).has_session && Clock::now() < give_up) {
        before_session = Clock::now();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(pollStore(store).has_session) << test::readFile(dir / "dashboard.log");
    while (pollStore(store).frames_stored < 50 && Clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    // Commits come every 250 ms from the one that stored frame 50: 1450 ms kills just before
    // the sixth after it, when the most readings wait uncommitted.
    std::this_thread::sleep_for(std::chrono::milliseconds(1450));
    const auto kill_time = Clock::now();
    ASSERT_EQ(::kill(dashboard, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(dashboard, &status, 0), dashboard);
    ASSERT_TRUE(WIFSIGNALED(status)) << test::readFile(dir / "dashboard.log");

    const SessionStore kept(store);
    ASSERT_EQ(kept.sessions().size(), 1u);
    const auto session = kept.sessions().front();
    const auto frames = kept.frames(session.id);
    ASSERT_EQ(static_cast<std::int64_t>(frames.size()), session.frames_stored);
    ASSERT_FALSE(frames.empty());
    for (std::size_t i = 0; i < frames.size(); ++i)
        ASSERT_EQ(frames[i].frame_index, static_cast<std::int64_t>(i)) << "no gap";
    const double session_ms_at_kill_at_most = millisecondsBetween(before_session, kill_time);
    EXPECT_GE(frames.back().timestamp_ms, session_ms_at_kill_at_most - 1000.0)
        << "the session was at most " << session_ms_at_kill_at_most << " ms in";
    EXPECT_LT(frames.back().timestamp_ms, session_ms_at_kill_at_most);
    EXPECT_EQ(session.label, "C-017");
    EXPECT_EQ(sessionStatus(session, store), "ended early");
}

TEST(DashboardProcess, TwoDashboardsOnOneStoreBothKeepTheirSessions) {
    test::TempDir dir;
    const auto clip = dir / "call.avi";
    test::writeTestVideo(clip, 50, 25.0, {160, 120});  // 2 s
    const auto store = dir / "sessions.sqlite";
    std::vector<pid_t> dashboards;
    for (const char* label : {"first", "second"}) {
        dashboards.push_back(startDashboard({"--source", clip.string(), "--no-model", "--store",
                                             store.string(), "--label", label, "--quit-after", "6"},
                                            dir / (std::string(label) + ".log")));
    }
    for (const pid_t dashboard : dashboards) {
        int status = 0;
        ASSERT_EQ(::waitpid(dashboard, &status, 0), dashboard);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
            << test::readFile(dir / "first.log") << test::readFile(dir / "second.log");
    }
    const SessionStore kept(store);
    const auto sessions = kept.sessions();
    ASSERT_EQ(sessions.size(), 2u);
    for (const auto& session : sessions) {
        EXPECT_EQ(session.kind, SessionKind::Live);
        EXPECT_EQ(session.state, AnalysisState::Complete) << session.label;
        EXPECT_GT(session.frames_stored, 25) << session.label;
        EXPECT_EQ(static_cast<std::int64_t>(kept.frames(session.id).size()), session.frames_stored);
    }
    EXPECT_NE(sessions[0].label, sessions[1].label);
}

}  // namespace
}  // namespace emotrace
