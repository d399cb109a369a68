// Outputs that never lose data (AtomicFile, and the CSV writer built on it), and the lock that
// keeps two analyses of one recording on one store apart (AnalysisLock). Kills happen in child
// processes, so what the kernel leaves behind is what is checked.
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "emotrace/analysis_lock.h"
#include "emotrace/atomic_file.h"
#include "emotrace/error.h"
#include "emotrace/result_csv.h"
#include "test_support.h"

namespace emotrace {
namespace {

using test::readFile;

unsigned modeOf(const std::filesystem::path& path) {
    struct stat status {};
    EXPECT_EQ(::stat(path.c_str(), &status), 0);
    return status.st_mode & 0777;
}

std::size_t filesIn(const std::filesystem::path& folder) {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(folder))
        ++count;
    return count;
}

// Runs `work` in a child process; `work` ends by killing it (SIGKILL) while its objects are
// alive, as a kill -9 mid-run would.
template <typename Work>
void inChildKilledMidway(Work work) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        work();
        ::raise(SIGKILL);
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status));
    ASSERT_EQ(WTERMSIG(status), SIGKILL);
}

FrameResult frameWithoutFace(std::int64_t index) {
    FrameResult result;
    result.frame_index = index;
    result.timestamp_ms = static_cast<double>(index) * 40.0;
    return result;
}

TEST(AtomicFile, CommitReplacesTheFileAndLeavesNoTemporary) {
    test::TempDir dir;
    std::ofstream(dir / "out.csv") << "old";
    {
        AtomicFile file(dir / "out.csv");
        file.write("new ");
        file.write("content");
        EXPECT_EQ(readFile(dir / "out.csv"), "old") << "nothing shows before commit";
        file.commit();
    }
    EXPECT_EQ(readFile(dir / "out.csv"), "new content");
    EXPECT_EQ(filesIn(dir.path()), 1u);
}

TEST(AtomicFile, WithoutCommitTheEarlierFileStaysAsItWas) {
    test::TempDir dir;
    std::ofstream(dir / "out.json") << "earlier good file";
    {
        AtomicFile file(dir / "out.json");
        file.write("half of a new");
    }
    EXPECT_EQ(readFile(dir / "out.json"), "earlier good file");
    EXPECT_EQ(filesIn(dir.path()), 1u) << "the temporary is removed";
}

TEST(AtomicFile, IsOwnerOnlyByDefaultWhateverTheUmask) {
    test::TempDir dir;
    const mode_t before = ::umask(022);
    {
        AtomicFile file(dir / "report.pdf");
        file.write("%PDF");
        file.commit();
    }
    {
        AtomicFile shared(dir / "shared.csv", 0640);
        shared.write("a,b\n");
        shared.commit();
    }
    ::umask(before);
    EXPECT_EQ(modeOf(dir / "report.pdf"), 0600u);
    EXPECT_EQ(modeOf(dir / "shared.csv"), 0640u);
}

TEST(AtomicFile, PublishesWhatAnotherWriterPutAtTheTemporaryPath) {
    test::TempDir dir;
    AtomicFile file(dir / "timeline.png");
    std::ofstream(file.temporaryPath(), std::ios::binary) << "PNG bytes";
    file.commit();
    EXPECT_EQ(readFile(dir / "timeline.png"), "PNG bytes");
    EXPECT_EQ(modeOf(dir / "timeline.png"), 0600u);
}

TEST(AtomicFile, AMissingFolderIsNamed) {
    test::TempDir dir;
    try {
        AtomicFile file(dir / "missing" / "out.csv");
        FAIL() << "expected OutputError";
    } catch (const OutputError& e) {
        EXPECT_NE(std::string(e.what()).find("missing/out.csv"), std::string::npos) << e.what();
    }
}

TEST(AtomicFile, AKilledWriterLeavesTheEarlierFileAndItsTemporaryGoesNextTime) {
    test::TempDir dir;
    const auto target = dir / "session1.emotions.csv";
    std::ofstream(target) << "frame,timestamp_ms\n0,0.000\n";
    inChildKilledMidway([&] {
        AtomicFile file(target);
        file.write("frame,timestamp_ms\n");
        file.write("0,0.000\n1,40.000\n");
        ::raise(SIGKILL);
    });
    EXPECT_EQ(readFile(target), "frame,timestamp_ms\n0,0.000\n");
    EXPECT_EQ(filesIn(dir.path()), 2u) << "the killed run's temporary is still there";
    {
        AtomicFile next(target);  // a later run clears what the killed one left
        next.write("x");
        next.commit();
    }
    EXPECT_EQ(filesIn(dir.path()), 1u);
}

// A disk that fills up mid-write (here: a file size limit in a child process, which fails writes
// past it as a full disk does) gives an OutputError naming the file; the earlier file stays.
TEST(AtomicFile, AWriteTheDiskRefusesNamesTheFileAndKeepsTheEarlierOne) {
    test::TempDir dir;
    const auto target = dir / "clip.summary.json";
    std::ofstream(target) << "{\"earlier\": true}";
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{4096, 4096};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        try {
            AtomicFile file(target);
            file.write(std::string(10000, 'x'));
            file.commit();
        } catch (const OutputError& e) {
            const std::string message = e.what();
            ::_exit(message.find(target.string()) != std::string::npos &&
                            message.find("an earlier file of that name is unchanged") !=
                                std::string::npos
                        ? 0
                        : 1);
        }
        ::_exit(2);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: the message did not name the file; 2: no error";
    EXPECT_EQ(readFile(target), "{\"earlier\": true}");
    EXPECT_EQ(filesIn(dir.path()), 1u);
}

TEST(ParseFileMode, TakesOctalModesThatKeepTheOwnersAccess) {
    EXPECT_EQ(parseFileMode("0600"), 0600u);
    EXPECT_EQ(parseFileMode("640"), 0640u);
    EXPECT_THROW(parseFileMode("0400"), std::invalid_argument);
    EXPECT_THROW(parseFileMode("0968"), std::invalid_argument);
    EXPECT_THROW(parseFileMode("rw-r--r--"), std::invalid_argument);
}

TEST(ResultCsvWriter, AKilledRunLeavesThePreviousCsvIntact) {
    test::TempDir dir;
    const auto csv = dir / "clip.emotions.csv";
    {
        ResultCsvWriter writer(csv, {"happy", "sad"});
        for (int i = 0; i < 3; ++i)
            writer.write(frameWithoutFace(i));
        writer.close();
    }
    const std::string good = readFile(csv);
    ASSERT_EQ(std::count(good.begin(), good.end(), '\n'), 4);
    inChildKilledMidway([&] {
        ResultCsvWriter writer(csv, {"happy", "sad"});
        for (int i = 0; i < 5000; ++i)
            writer.write(frameWithoutFace(i));
        ::raise(SIGKILL);
    });
    EXPECT_EQ(readFile(csv), good);
}

TEST(ResultCsvWriter, FailingBeforeCloseKeepsThePreviousCsv) {
    test::TempDir dir;
    const auto csv = dir / "clip.emotions.csv";
    std::ofstream(csv) << "previous run\n";
    {
        ResultCsvWriter writer(csv, {"happy"});
        writer.write(frameWithoutFace(0));
    }  // destroyed without close(): as when the analysis throws
    EXPECT_EQ(readFile(csv), "previous run\n");
}

TEST(AnalysisLock, ASecondHolderIsRefusedUntilTheFirstLetsGo) {
    test::TempDir dir;
    const auto store = dir / "sessions.sqlite";
    const auto key = AnalysisLock::keyFor("1234-abcd", "99-ef");
    {
        auto first = AnalysisLock::tryAcquire(store, key);
        ASSERT_TRUE(first);
        EXPECT_FALSE(AnalysisLock::tryAcquire(store, key));
        EXPECT_TRUE(AnalysisLock::tryAcquire(store, AnalysisLock::keyFor("1234-abcd", "")))
            << "another model's analysis of the same recording is another lock";
    }
    EXPECT_TRUE(AnalysisLock::tryAcquire(store, key));
    EXPECT_EQ(modeOf(dir / "sessions.sqlite.locks"), 0700u);
}

TEST(AnalysisLock, AProcessKilledWhileHoldingItLeavesNoStaleLock) {
    test::TempDir dir;
    const auto store = dir / "sessions.sqlite";
    const auto key = AnalysisLock::keyFor("1234-abcd", "99-ef");
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto lock = AnalysisLock::tryAcquire(store, key);
        const char held = lock ? 'y' : 'n';
        [[maybe_unused]] const auto written = ::write(ready[1], &held, 1);
        ::pause();  // killed here, holding the lock
        ::_exit(0);
    }
    char held = 0;
    ASSERT_EQ(::read(ready[0], &held, 1), 1);
    ASSERT_EQ(held, 'y');
    EXPECT_FALSE(AnalysisLock::tryAcquire(store, key)) << "held by the child";
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(AnalysisLock::tryAcquire(store, key));
    ::close(ready[0]);
    ::close(ready[1]);
}

}  // namespace
}  // namespace emotrace
