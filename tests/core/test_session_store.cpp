#include "emotrace/session_store.h"

#include <sqlite3.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test_support.h"

namespace emotrace {
namespace {

::testing::AssertionResult mentions(const std::string& text, const std::string& part) {
    if (text.find(part) != std::string::npos)
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "\"" << text << "\" does not mention \"" << part << "\"";
}

const std::vector<std::string> kLabels = {"angry", "happy", "neutral"};

RecordingFacts recordingFacts(const std::string& hash = "3-abc") {
    return {"/videos/session1.mp4", hash, 3, 30.0, 640, 480, 900};
}

AnalysisSetup analysisSetup(const std::string& model_hash = "model-1") {
    AnalysisSetup setup;
    setup.model_path = "/models/resnet18.pt";
    setup.model_architecture = "resnet18";
    setup.model_hash = model_hash;
    setup.model_description = "ResNet18, FER-2013 + CK+";
    setup.labels = kLabels;
    setup.detector = "yunet2023";
    setup.detector_version = "face_detection_yunet_2023mar.onnx";
    setup.detect_every = 5;
    setup.emotrace_version = "0.1.0";
    return setup;
}

// Frame i has one face of track 1 (detected on even frames), and from frame 2 on a second face
// of track 2 without probabilities; frame 4 has no face.
std::vector<FrameRecord> generatedFrames(std::int64_t first, std::int64_t count) {
    std::vector<FrameRecord> frames;
    for (std::int64_t i = first; i < first + count; ++i) {
        FrameRecord frame{i, static_cast<double>(i) * 33.333, {}};
        if (i != 4) {
            const float f = static_cast<float>(i);
            frame.faces.push_back({1,
                                   cv::Rect2f(10.5f + f, 20.25f, 100.0f, 120.0f),
                                   0.9f,
                                   i % 2 == 0,
                                   {0.125f, 0.5f + f / 1000.0f, 0.375f - f / 1000.0f}});
            if (i >= 2)
                frame.faces.push_back({2, cv::Rect2f(300, 40, 80, 90), 0.7f, true, {}});
        }
        frames.push_back(std::move(frame));
    }
    return frames;
}

void expectSameFrames(const std::vector<FrameRecord>& actual,
                      const std::vector<FrameRecord>& expected) {
    ASSERT_EQ(actual.size(), expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i) {
        SCOPED_TRACE("frame " + std::to_string(i));
        EXPECT_EQ(actual[i].frame_index, expected[i].frame_index);
        EXPECT_DOUBLE_EQ(actual[i].timestamp_ms, expected[i].timestamp_ms);
        ASSERT_EQ(actual[i].faces.size(), expected[i].faces.size());
        for (std::size_t f = 0; f < actual[i].faces.size(); ++f) {
            const auto& a = actual[i].faces[f];
            const auto& e = expected[i].faces[f];
            EXPECT_EQ(a.track_id, e.track_id);
            EXPECT_EQ(a.box, e.box);
            EXPECT_FLOAT_EQ(a.detection_confidence, e.detection_confidence);
            EXPECT_EQ(a.detected, e.detected);
            EXPECT_EQ(a.probabilities, e.probabilities);
        }
    }
}

std::string fileText(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void writeFile(const std::filesystem::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary);
    out << text;
}

mode_t permissionBits(const std::filesystem::path& file) {
    struct stat info {};
    EXPECT_EQ(::stat(file.c_str(), &info), 0) << file;
    return info.st_mode & 0777;
}

// A second connection through the SQLite API itself, as another process would hold it.
class RawConnection {
  public:
    explicit RawConnection(const std::filesystem::path& file) {
        EXPECT_EQ(sqlite3_open(file.c_str(), &database_), SQLITE_OK);
    }
    ~RawConnection() { sqlite3_close(database_); }
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;
    void execute(const std::string& sql) {
        ASSERT_EQ(sqlite3_exec(database_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
            << sqlite3_errmsg(database_);
    }

  private:
    sqlite3* database_ = nullptr;
};

// emotrace-analyze and the dashboard (or emotrace-sessions) may open a store that does not exist
// yet at the same moment. Each must find it created once, not fail because the other created
// it between its look and its write (a column added twice: seen as a failed analysis under load).
TEST(SessionStore, ProgramsCreatingOneStoreAtTheSameMomentAllOpenIt) {
    constexpr int kRounds = 20;
    constexpr int kOpeners = 4;
    for (int round = 0; round < kRounds; ++round) {
        test::TempDir dir;
        const auto path = dir / "sessions.sqlite";
        std::vector<std::string> failures(kOpeners);
        std::vector<std::thread> openers;
        for (int i = 0; i < kOpeners; ++i) {
            openers.emplace_back([&path, &failures, i] {
                try {
                    const SessionStore store(path);
                    (void)store.sessions();
                } catch (const std::exception& e) {
                    failures[static_cast<std::size_t>(i)] = e.what();
                }
            });
        }
        for (auto& opener : openers)
            opener.join();
        for (const auto& failure : failures)
            EXPECT_EQ(failure, "") << "round " << round;
        EXPECT_NO_THROW(SessionStore{path});
    }
}

TEST(SessionStore, RoundTripKeepsFacesTracksAndProbabilities) {
    test::TempDir dir;
    SessionStore store(dir / "sessions.sqlite");
    const auto id = store.createSession(recordingFacts(), analysisSetup());
    const auto frames = generatedFrames(0, 6);
    store.appendFrames(id, std::span(frames).first(3));
    store.appendFrames(id, std::span(frames).subspan(3));

    expectSameFrames(store.frames(id), frames);
    expectSameFrames(store.frames(id, 2, 3), generatedFrames(2, 3));
    EXPECT_TRUE(store.frames(id, 6).empty());

    const auto info = store.session(id);
    EXPECT_EQ(info.frames_stored, 6);
    EXPECT_EQ(info.state, AnalysisState::InProgress);
    EXPECT_EQ(info.recording.path, "/videos/session1.mp4");
    EXPECT_EQ(info.recording.frame_count, 900);
    EXPECT_EQ(info.recording.width, 640);
    EXPECT_EQ(info.setup.labels, kLabels);
    EXPECT_EQ(info.setup.detect_every, 5);
    EXPECT_EQ(info.setup.detector_version, "face_detection_yunet_2023mar.onnx");
    EXPECT_EQ(info.created_utc.size(), 20u) << info.created_utc;  // 2026-11-24T10:00:00Z
    EXPECT_EQ(info.created_utc.back(), 'Z');
}

ReadingQuality measuredQuality(bool with_pose) {
    ReadingQuality quality;
    if (with_pose)
        quality.pose = HeadPose{-8.5, 21.25, 3.0};
    quality.sharpness = 130.5;
    quality.brightness = 88.0;
    quality.clipped = 0.02;
    quality.quality = with_pose ? 0.42 : 0.7;
    quality.limited_by = with_pose ? "turned away" : "no landmarks";
    return quality;
}

TEST(SessionStore, ReadingQualityIsKeptWithPoseOnlyWhereMeasured) {
    test::TempDir dir;
    SessionStore store(dir / "sessions.sqlite");
    const auto id = store.createSession(recordingFacts(), analysisSetup());
    auto frames = generatedFrames(0, 3);
    frames[0].faces[0].quality = measuredQuality(true);
    frames[1].faces[0].quality = measuredQuality(false);
    store.appendFrames(id, frames);  // frame 2: not measured

    const auto stored = store.frames(id);
    ASSERT_EQ(stored.size(), 3u);
    const auto& with_pose = stored[0].faces[0].quality;
    ASSERT_TRUE(with_pose.has_value());
    ASSERT_TRUE(with_pose->pose.has_value());
    EXPECT_DOUBLE_EQ(with_pose->pose->roll, -8.5);
    EXPECT_DOUBLE_EQ(with_pose->pose->yaw, 21.25);
    EXPECT_DOUBLE_EQ(with_pose->pose->pitch, 3.0);
    EXPECT_DOUBLE_EQ(with_pose->quality, 0.42);
    EXPECT_DOUBLE_EQ(with_pose->sharpness, 130.5);
    EXPECT_DOUBLE_EQ(with_pose->brightness, 88.0);
    EXPECT_DOUBLE_EQ(with_pose->clipped, 0.02);
    EXPECT_EQ(with_pose->limited_by, "turned away");
    const auto& box = stored[0].faces[0].box;
    EXPECT_DOUBLE_EQ(with_pose->face_size_px, std::min(box.width, box.height));
    const auto& without_pose = stored[1].faces[0].quality;
    ASSERT_TRUE(without_pose.has_value());
    EXPECT_FALSE(without_pose->pose.has_value());
    EXPECT_EQ(without_pose->limited_by, "no landmarks");
    EXPECT_FALSE(stored[2].faces[0].quality.has_value());
}

// A store written before quality was measured (schema 4) opens, shows its faces with no
// quality, and takes new frames with theirs.
TEST(SessionStore, StoreFromBeforeQualityOpensWithNoQualityAndTakesNewOnes) {
    test::TempDir dir;
    const auto file = dir / "sessions.sqlite";
    std::int64_t id = 0;
    {
        SessionStore store(file);
        id = store.createSession(recordingFacts(), analysisSetup());
        store.appendFrames(id, generatedFrames(0, 2));
    }
    {
        RawConnection old(file);
        for (const char* column : {"quality", "head_roll", "head_yaw", "head_pitch", "sharpness",
                                   "brightness", "clipped_share", "quality_limited_by"})
            old.execute(std::string("ALTER TABLE faces DROP COLUMN ") + column);
        old.execute("DROP TABLE session_baselines");
        old.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'");
    }
    SessionStore store(file);
    expectSameFrames(store.frames(id), generatedFrames(0, 2));
    EXPECT_TRUE(store.baselines(id).empty()) << "no one had a baseline before";
    for (const auto& frame : store.frames(id)) {
        for (const auto& face : frame.faces)
            EXPECT_FALSE(face.quality.has_value()) << "frame " << frame.frame_index;
    }
    auto more = generatedFrames(2, 1);
    more[0].faces[0].quality = measuredQuality(true);
    store.appendFrames(id, more);
    const auto last = store.frames(id, 2, 1);
    ASSERT_EQ(last.size(), 1u);
    ASSERT_TRUE(last[0].faces[0].quality.has_value());
    EXPECT_DOUBLE_EQ(last[0].faces[0].quality->quality, 0.42);
}

TEST(SessionStore, APersonsBaselineIsKeptPerTrackAndGoesWithTheSession) {
    test::TempDir dir;
    const auto file = dir / "sessions.sqlite";
    std::int64_t id = 0;
    {
        SessionStore store(file);
        id = store.createSession(recordingFacts(), analysisSetup());
        StoredBaseline first{2, 1000.0, 4000.0, {{0.0, -0.5, 0.0, -1.25}, 75}};
        store.setBaseline(id, first);
        store.setBaseline(id, {1, 0.0, 3000.0, {{0.0, 0.0, -2.0, 0.0}, 90}});
        // Taken again for track 2: the new one replaces the old.
        store.setBaseline(id, {2, 5000.0, 8000.0, {{-0.75, 0.0, 0.0, 0.0}, 60}});
        EXPECT_THROW(store.setBaseline(id + 1, first), StoreError) << "no such session";
    }
    SessionStore store(file);
    const auto kept = store.baselines(id);
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_EQ(kept[0].track_id, 1);
    EXPECT_EQ(kept[0].baseline.log_offsets, (std::vector<double>{0.0, 0.0, -2.0, 0.0}));
    EXPECT_EQ(kept[0].baseline.frames, 90u);
    EXPECT_EQ(kept[1].track_id, 2);
    EXPECT_DOUBLE_EQ(kept[1].start_ms, 5000.0);
    EXPECT_DOUBLE_EQ(kept[1].end_ms, 8000.0);
    EXPECT_EQ(kept[1].baseline.log_offsets, (std::vector<double>{-0.75, 0.0, 0.0, 0.0}));
    store.removeSession(id);
    EXPECT_TRUE(store.baselines(id).empty());
}

TEST(SessionStore, ReopenedDatabaseHasEverythingWithoutReanalysis) {
    test::TempDir dir;
    std::int64_t id = 0;
    {
        SessionStore store(dir / "sessions.sqlite");
        id = store.createSession(recordingFacts(), analysisSetup());
        store.appendFrames(id, generatedFrames(0, 5));
        store.setState(id, AnalysisState::Complete);
        store.addMarker(id, {0, 1000.0, 1000.0, "laughs", "first time", false});
    }
    SessionStore reopened(dir / "sessions.sqlite");
    const auto found = reopened.findSession("3-abc", "model-1");
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->id, id);
    EXPECT_EQ(found->state, AnalysisState::Complete);
    expectSameFrames(reopened.frames(id), generatedFrames(0, 5));
    ASSERT_EQ(reopened.markers(id).size(), 1u);
    EXPECT_EQ(reopened.markers(id)[0].note, "first time");
}

TEST(SessionStore, BatchWithGapDuplicateOrWrongProbabilitiesStoresNothing) {
    test::TempDir dir;
    SessionStore store(dir / "sessions.sqlite");
    const auto id = store.createSession(recordingFacts(), analysisSetup());
    store.appendFrames(id, generatedFrames(0, 3));

    EXPECT_THROW(store.appendFrames(id, generatedFrames(4, 2)), std::invalid_argument);  // gap
    EXPECT_THROW(store.appendFrames(id, generatedFrames(2, 2)), std::invalid_argument);  // dup
    auto not_consecutive = generatedFrames(3, 3);
    not_consecutive[2].frame_index = 3;
    EXPECT_THROW(store.appendFrames(id, not_consecutive), std::invalid_argument);
    auto wrong_count = generatedFrames(3, 3);
    wrong_count[2].faces[0].probabilities.push_back(0.0f);  // the valid frames 3, 4 come first
    try {
        store.appendFrames(id, wrong_count);
        FAIL() << "a face with 4 probabilities in a 3-label session was stored";
    } catch (const std::invalid_argument& error) {
        EXPECT_TRUE(mentions(error.what(), "4 probabilities, the session has 3 labels"));
    }

    EXPECT_EQ(store.session(id).frames_stored, 3);
    EXPECT_EQ(store.frames(id).size(), 3u);
    store.appendFrames(id, generatedFrames(3, 3));  // the resume that fits still works
    expectSameFrames(store.frames(id), generatedFrames(0, 6));
}

TEST(SessionStore, AppendToUnknownSessionIsAStoreError) {
    test::TempDir dir;
    SessionStore store(dir / "sessions.sqlite");
    EXPECT_THROW(store.appendFrames(42, generatedFrames(0, 1)), StoreError);
    EXPECT_THROW(store.session(42), StoreError);
}

TEST(SessionStore, MarkersAreAddedListedByStartUpdatedAndRemoved) {
    test::TempDir dir;
    SessionStore store(dir / "sessions.sqlite");
    const auto id = store.createSession(recordingFacts(), analysisSetup());
    const auto late = store.addMarker(id, {0, 5000.0, 5000.0, "tears", "", false});
    const auto early = store.addMarker(id, {0, 1000.0, 3000.0, "phone call", "", true});

    auto markers = store.markers(id);
    ASSERT_EQ(markers.size(), 2u);
    EXPECT_EQ(markers[0].id, early);
    EXPECT_TRUE(markers[0].exclude);
    EXPECT_DOUBLE_EQ(markers[0].end_ms, 3000.0);
    EXPECT_EQ(markers[1].id, late);

    markers[1].start_ms = 500.0;
    markers[1].end_ms = 500.0;
    markers[1].note = "talking about her mother";
    store.updateMarker(markers[1]);
    markers = store.markers(id);
    EXPECT_EQ(markers[0].id, late);
    EXPECT_EQ(markers[0].note, "talking about her mother");

    store.removeMarker(early);
    ASSERT_EQ(store.markers(id).size(), 1u);
    EXPECT_THROW(store.removeMarker(early), StoreError);
    EXPECT_THROW(store.updateMarker({early, 0, 0, "", "", false}), StoreError);
    EXPECT_THROW(store.addMarker(id, {0, 2000.0, 1000.0, "backwards", "", false}),
                 std::invalid_argument);
    EXPECT_THROW(store.addMarker(id + 1, {0, 0, 0, "", "", false}), StoreError);
}

TEST(SessionStore, NoteRelocationAndStateAreKept) {
    test::TempDir dir;
    SessionStore store(dir / "sessions.sqlite");
    const auto id = store.createSession(recordingFacts(), analysisSetup());
    store.setNote(id, "Client calmer after minute 20.");
    store.relocateRecording(id, "/archive/session1.mp4");
    store.setState(id, AnalysisState::Failed, "decoding failed at frame 812");

    const auto info = SessionStore(dir / "sessions.sqlite").session(id);
    EXPECT_EQ(info.note, "Client calmer after minute 20.");
    EXPECT_EQ(info.recording.path, "/archive/session1.mp4");
    EXPECT_EQ(info.recording.content_hash, "3-abc");
    EXPECT_EQ(info.state, AnalysisState::Failed);
    EXPECT_EQ(info.error, "decoding failed at frame 812");
    EXPECT_THROW(store.setNote(id + 1, "x"), StoreError);
}

TEST(SessionStore, SessionsNewestFirstAndRemovalTakesFramesAndMarkers) {
    test::TempDir dir;
    SessionStore store(dir / "sessions.sqlite");
    const auto first = store.createSession(recordingFacts(), analysisSetup());
    const auto second = store.createSession(recordingFacts(), analysisSetup());
    const auto other_model = store.createSession(recordingFacts(), analysisSetup("model-2"));
    store.appendFrames(second, generatedFrames(0, 3));
    store.addMarker(second, {0, 0, 0, "start", "", false});

    const auto all = store.sessions();
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].id, other_model);
    EXPECT_EQ(all[2].id, first);
    EXPECT_EQ(store.findSession("3-abc", "model-1")->id, second);
    EXPECT_FALSE(store.findSession("3-abd", "model-1").has_value());

    store.removeSession(second);
    EXPECT_EQ(store.findSession("3-abc", "model-1")->id, first);
    EXPECT_TRUE(store.frames(second).empty());
    EXPECT_TRUE(store.markers(second).empty());
    EXPECT_THROW(store.removeSession(second), StoreError);
}

TEST(SessionStore, FolderAndFilesAreOwnerOnly) {
    test::TempDir dir;
    const auto folder = dir / "data" / "emotrace";
    SessionStore store(folder / "sessions.sqlite");
    store.createSession(recordingFacts(), analysisSetup());
    EXPECT_EQ(permissionBits(folder), 0700u);
    EXPECT_EQ(permissionBits(folder / "sessions.sqlite"), 0600u);
    // WAL mode keeps both journal files while the store is open.
    EXPECT_EQ(permissionBits(folder / "sessions.sqlite-wal"), 0600u);
    EXPECT_EQ(permissionBits(folder / "sessions.sqlite-shm"), 0600u);
}

TEST(SessionStore, NewerSchemaIsRefusedWithWhatToDo) {
    test::TempDir dir;
    const auto file = dir / "sessions.sqlite";
    { SessionStore store(file); }
    const auto newer = std::to_string(SessionStore::kSchemaVersion + 1);
    RawConnection(file).execute("UPDATE meta SET value = '" + newer +
                                "' WHERE key = 'schema_version'");
    try {
        SessionStore store(file);
        FAIL() << "a schema " << newer << " database was opened";
    } catch (const StoreError& error) {
        EXPECT_TRUE(mentions(error.what(), file.string()));
        EXPECT_TRUE(mentions(error.what(), "newer emotrace (schema " + newer +
                                               ", this build reads up to " +
                                               std::to_string(SessionStore::kSchemaVersion) + ")"));
        EXPECT_TRUE(mentions(error.what(), "update emotrace or choose another database"));
    }
}

TEST(SessionStore, GarbageFileIsRefusedAndLeftUntouched) {
    test::TempDir dir;
    const auto file = dir / "sessions.sqlite";
    const std::string garbage = "this is a spreadsheet, not a database\n";
    writeFile(file, garbage);
    try {
        SessionStore store(file);
        FAIL() << "a text file was opened as a session database";
    } catch (const StoreError& error) {
        EXPECT_TRUE(mentions(error.what(), file.string()));
        EXPECT_TRUE(mentions(error.what(), "can't be read"));
        EXPECT_TRUE(mentions(error.what(), "move the file aside"));
    }
    EXPECT_EQ(fileText(file), garbage);
}

TEST(SessionStore, DamagedPagesFailTheIntegrityCheck) {
    test::TempDir dir;
    const auto file = dir / "sessions.sqlite";
    {
        SessionStore store(file);
        const auto id = store.createSession(recordingFacts(), analysisSetup());
        store.appendFrames(id, generatedFrames(0, 2000));
    }
    auto bytes = fileText(file);
    ASSERT_GT(bytes.size(), 40000u);
    // Pages 3 onward hold the frames and faces; the header page stays intact.
    for (std::size_t i = 3 * 4096; i < 10 * 4096; ++i)
        bytes[i] = static_cast<char>(i * 7);
    writeFile(file, bytes);
    try {
        SessionStore store(file);
        FAIL() << "a database with damaged pages was opened";
    } catch (const StoreError& error) {
        EXPECT_TRUE(mentions(error.what(), "can't be read"));
    }
    EXPECT_EQ(fileText(file), bytes);
}

TEST(SessionStore, SqliteFileOfAnotherProgramIsRefused) {
    test::TempDir dir;
    const auto file = dir / "other.sqlite";
    RawConnection(file).execute("CREATE TABLE contacts(name TEXT)");
    EXPECT_THROW(SessionStore store(file), StoreError);
}

TEST(SessionStore, DatabaseLockedByAnotherWriterIsAStoreError) {
    test::TempDir dir;
    const auto file = dir / "sessions.sqlite";
    SessionStore store(file);
    const auto id = store.createSession(recordingFacts(), analysisSetup());
    RawConnection other(file);
    other.execute("BEGIN IMMEDIATE");
    try {
        store.appendFrames(id, generatedFrames(0, 2));  // waits out the busy timeout
        FAIL() << "wrote while another connection held the write lock";
    } catch (const StoreError& error) {
        EXPECT_TRUE(mentions(error.what(), "is locked by another process"));
    }
    other.execute("ROLLBACK");
    store.appendFrames(id, generatedFrames(0, 2));
    EXPECT_EQ(store.session(id).frames_stored, 2);
}

// A file-size limit makes SQLite's writes fail, in a child process so the limit does not reach
// the test runner. SQLite reports it as an I/O error, not as SQLITE_FULL (that needs ENOSPC),
// but the guarantee is the same: the failing batch is rolled back, earlier ones stay.
TEST(SessionStore, FullDiskKeepsEveryCommittedBatch) {
    test::TempDir dir;
    const auto file = dir / "sessions.sqlite";
    std::int64_t id = 0;
    {
        SessionStore store(file);
        id = store.createSession(recordingFacts(), analysisSetup());
    }
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{256 * 1024, 256 * 1024};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        try {
            SessionStore store(file);
            for (std::int64_t first = 0;; first += 100)
                store.appendFrames(id, generatedFrames(first, 100));
        } catch (const StoreError& error) {
            const std::string message = error.what();
            const bool clear = mentions(message, "cannot write results to " + file.string()) &&
                               mentions(message, "is the disk full or failing?") &&
                               mentions(message, "99 are kept");
            if (!clear)
                std::fprintf(stderr, "child: %s\n", message.c_str());
            ::_exit(clear ? 0 : 2);
        } catch (...) {
            ::_exit(3);
        }
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "2: unclear message, 3: not a StoreError";

    SessionStore store(file);
    const auto stored = store.session(id).frames_stored;
    EXPECT_GT(stored, 0);
    EXPECT_EQ(stored % 100, 0);  // whole batches only
    expectSameFrames(store.frames(id), generatedFrames(0, stored));
}

TEST(RecordingFingerprint, SmallFileIsSizeAndSha256OfItsContent) {
    test::TempDir dir;
    writeFile(dir / "abc", "abc");
    EXPECT_EQ(recordingFingerprint(dir / "abc"),
              "3-ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    writeFile(dir / "two-blocks", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq");
    EXPECT_EQ(recordingFingerprint(dir / "two-blocks"),
              "56-248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    writeFile(dir / "million", std::string(1000000, 'a'));
    EXPECT_EQ(recordingFingerprint(dir / "million"),
              "1000000-cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    writeFile(dir / "empty", "");
    EXPECT_EQ(recordingFingerprint(dir / "empty"),
              "0-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(ModelFingerprint, IsTheFilesAloneAndJoinsTheCompanionForTiltedFacesWhenOneIsBesideIt) {
    test::TempDir dir;
    writeFile(dir / "model.pt", "abc");
    // Without a companion: the same key as before companions existed, so stored sessions stay
    // found.
    EXPECT_EQ(modelFingerprint(dir / "model.pt"), recordingFingerprint(dir / "model.pt"));
    writeFile(dir / "model.tilted.pt", "tilted");
    const auto paired = modelFingerprint(dir / "model.pt");
    EXPECT_EQ(paired, recordingFingerprint(dir / "model.pt") + "+tilted-" +
                          recordingFingerprint(dir / "model.tilted.pt"));
    writeFile(dir / "model.tilted.pt", "another");
    EXPECT_NE(modelFingerprint(dir / "model.pt"), paired) << "a new companion reads differently";
    EXPECT_THROW(modelFingerprint(dir / "missing.pt"), SourceError);
}

TEST(RecordingFingerprint, LargeFileIsSampledAtStartMiddleAndEnd) {
    test::TempDir dir;
    const std::size_t mib = 1 << 20;
    std::string content(5 * mib, '\0');
    for (std::size_t i = 0; i < content.size(); ++i)
        content[i] = static_cast<char>((i * 31) >> 8);
    writeFile(dir / "video", content);
    const auto original = recordingFingerprint(dir / "video");
    // Pinned: stores written before SHA-256 came from OpenSSL must still recognise their
    // recordings (Python's hashlib over the same three samples gives this digest).
    EXPECT_EQ(original, "5242880-9d7b814daff9c0f0c746ed3650023a338e033d08334607745bd3eb4967c78909");

    auto changed = content;
    changed[content.size() / 2] ^= 1;  // inside the middle sample
    writeFile(dir / "video", changed);
    EXPECT_NE(recordingFingerprint(dir / "video"), original);

    changed = content;
    changed[mib + 10] ^= 1;  // between the first and the middle sample: the price of speed
    writeFile(dir / "video", changed);
    EXPECT_EQ(recordingFingerprint(dir / "video"), original);

    EXPECT_THROW(recordingFingerprint(dir / "missing.mp4"), SourceError);
}

TEST(DefaultStorePath, FollowsXdgDataHomeElseHome) {
    const char* saved_xdg = std::getenv("XDG_DATA_HOME");
    const std::string xdg = saved_xdg ? saved_xdg : "";
    ::setenv("XDG_DATA_HOME", "/data/alice", 1);
    EXPECT_EQ(defaultStorePath(), "/data/alice/emotrace/sessions.sqlite");
    ::unsetenv("XDG_DATA_HOME");
    const std::filesystem::path home = std::getenv("HOME");
    EXPECT_EQ(defaultStorePath(), home / ".local/share/emotrace/sessions.sqlite");
    if (saved_xdg)
        ::setenv("XDG_DATA_HOME", xdg.c_str(), 1);
}

TEST(AnalysisState, NamesAreStable) {
    EXPECT_EQ(toString(AnalysisState::InProgress), "in_progress");
    EXPECT_EQ(toString(AnalysisState::Complete), "complete");
    EXPECT_EQ(toString(AnalysisState::Failed), "failed");
}

}  // namespace
}  // namespace emotrace
