// Live sessions kept while they run (LiveSessionWriter), and the store's upgrade from schema 1,
// whose sessions are recordings. Kills and a filling disk happen in child processes, so what
// the kernel leaves behind is what is checked.
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "emotrace/live_session_writer.h"
#include "emotrace/session_store.h"
#include "emotrace/video_reader.h"
#include "test_support.h"

namespace emotrace {
namespace {

AnalysisSetup liveSetup() {
    AnalysisSetup setup;
    setup.labels = {"happy", "sad"};
    setup.detector = "yunet2023";
    setup.emotrace_version = EMOTRACE_VERSION;
    return setup;
}

LiveSessionFacts cameraFacts() {
    LiveSessionFacts facts;
    facts.source = "camera:0";
    facts.label = "C-017";
    facts.fps = 30.0;
    facts.width = 640;
    facts.height = 480;
    return facts;
}

// One face moving right by a pixel a frame, at 30 fps of session time; the live pipeline's own
// index skips every third frame (dropped by the latest-frame slot).
FrameResult reading(int n) {
    FrameResult result;
    result.frame_index = n + n / 2;
    result.timestamp_ms = n * 1000.0 / 30.0;
    FaceResult face;
    face.box = {100.0f + static_cast<float>(n), 80.0f, 120.0f, 140.0f};
    face.detection_confidence = 0.9f;
    face.probabilities = {0.75f, 0.25f};
    face.quality = ReadingQuality{};
    face.quality->quality = 0.5 + n / 100.0;
    face.quality->pose = HeadPose{1.0, static_cast<double>(n), -2.0};
    result.faces.push_back(face);
    return result;
}

std::int64_t onlySessionId(const SessionStore& store) {
    const auto sessions = store.sessions();
    EXPECT_EQ(sessions.size(), 1u);
    return sessions.empty() ? -1 : sessions.front().id;
}

TEST(LiveSessionWriter, KeepsEveryReadingWithItsTrackMarkersAndLabel) {
    test::TempDir dir;
    const auto path = dir / "sessions.sqlite";
    {
        LiveSessionWriter writer(path, cameraFacts(), liveSetup());
        for (int n = 0; n < 50; ++n)
            writer.add(reading(n));
        EXPECT_EQ(writer.addMarker({0, 500.0, 500.0, "tearful", "", false}), 0);
        const int later = writer.addMarker({0, 1200.0, 1200.0, "", "", false});
        EXPECT_EQ(later, 1);
        writer.setLabel("C-017 second session");
        writer.finish();
        writer.setMarkerLabel(later, "laughed");  // typed after the session: stored at once
        EXPECT_EQ(writer.framesKept(), 50);
        EXPECT_EQ(writer.framesDropped(), 0);
        EXPECT_FALSE(writer.failure());
    }
    const SessionStore store(path);
    const auto id = onlySessionId(store);
    const auto session = store.session(id);
    EXPECT_EQ(session.kind, SessionKind::Live);
    EXPECT_EQ(session.source, "camera:0");
    EXPECT_EQ(session.label, "C-017 second session");
    EXPECT_FALSE(session.started_utc.empty());
    EXPECT_EQ(session.state, AnalysisState::Complete);
    EXPECT_EQ(sessionStatus(session, path), "complete");
    const auto frames = store.frames(id);
    ASSERT_EQ(frames.size(), 50u);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(frames[i].frame_index, static_cast<std::int64_t>(i)) << "numbered as kept";
        EXPECT_DOUBLE_EQ(frames[i].timestamp_ms, reading(static_cast<int>(i)).timestamp_ms);
        ASSERT_EQ(frames[i].faces.size(), 1u);
        EXPECT_EQ(frames[i].faces[0].track_id, frames[0].faces[0].track_id) << "one person";
        EXPECT_EQ(frames[i].faces[0].probabilities, (std::vector<float>{0.75f, 0.25f}));
        const auto& quality = frames[i].faces[0].quality;
        ASSERT_TRUE(quality && quality->pose) << "the live reading's quality is kept";
        EXPECT_DOUBLE_EQ(quality->quality, 0.5 + static_cast<double>(i) / 100.0);
        EXPECT_DOUBLE_EQ(quality->pose->yaw, static_cast<double>(i));
    }
    const auto markers = store.markers(id);
    ASSERT_EQ(markers.size(), 2u);
    EXPECT_EQ(markers[0].label, "tearful");
    EXPECT_DOUBLE_EQ(markers[1].start_ms, 1200.0);
    EXPECT_EQ(markers[1].label, "laughed");
    EXPECT_NEAR(sessionDurationSeconds(session), 49.0 / 30.0 + 1.0 / 30.0, 1e-9);
}

TEST(LiveSessionWriter, ReadingsArriveInTheStoreWhileTheSessionRuns) {
    test::TempDir dir;
    const auto path = dir / "sessions.sqlite";
    LiveSessionOptions options;
    options.commit_interval = std::chrono::milliseconds(50);
    LiveSessionWriter writer(path, cameraFacts(), liveSetup(), options);
    for (int n = 0; n < 10; ++n)
        writer.add(reading(n));
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (writer.framesKept() < 10 && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const SessionStore reader(path);
    const auto session = reader.session(writer.sessionId());
    EXPECT_EQ(session.frames_stored, 10);
    EXPECT_EQ(sessionStatus(session, path), "running");
}

// M keeps the moment at once; the label typed a few seconds later reaches the same marker.
TEST(LiveSessionWriter, AMarkersLabelMayFollowItWhileTheSessionRuns) {
    test::TempDir dir;
    const auto path = dir / "sessions.sqlite";
    LiveSessionOptions options;
    options.commit_interval = std::chrono::milliseconds(20);
    LiveSessionWriter writer(path, cameraFacts(), liveSetup(), options);
    const int marker = writer.addMarker({0, 800.0, 800.0, "", "", false});
    const SessionStore reader(path);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (reader.markers(writer.sessionId()).empty() && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_EQ(reader.markers(writer.sessionId()).size(), 1u) << "kept before its label";
    writer.setMarkerLabel(marker, "topic change");
    writer.finish();
    const auto markers = reader.markers(writer.sessionId());
    ASSERT_EQ(markers.size(), 1u);
    EXPECT_EQ(markers[0].label, "topic change");
    EXPECT_DOUBLE_EQ(markers[0].start_ms, 800.0);
}

// A resting face taken live is kept with the session; one taken again replaces it, also after
// the session has ended.
TEST(LiveSessionWriter, KeepsEachPersonsRestingFace) {
    test::TempDir dir;
    const auto path = dir / "sessions.sqlite";
    LiveSessionWriter writer(path, cameraFacts(), liveSetup());
    for (int n = 0; n < 10; ++n)
        writer.add(reading(n));
    writer.setBaseline({1, 0.0, 3000.0, {{-1.5, 0.0}, 90}});
    writer.setBaseline({2, 1000.0, 4000.0, {{0.0, -0.5}, 80}});
    writer.finish();
    writer.setBaseline({1, 5000.0, 8000.0, {{-2.0, 0.0}, 88}});
    const SessionStore store(path);
    const auto baselines = store.baselines(writer.sessionId());
    ASSERT_EQ(baselines.size(), 2u);
    EXPECT_EQ(baselines[0].track_id, 1);
    EXPECT_DOUBLE_EQ(baselines[0].start_ms, 5000.0) << "the later one replaced the first";
    EXPECT_EQ(baselines[0].baseline.log_offsets, (std::vector<double>{-2.0, 0.0}));
    EXPECT_EQ(baselines[1].track_id, 2);
    EXPECT_EQ(baselines[1].baseline.frames, 80u);
}

// The dashboard names people by the ids the live pipeline linked; the store must name them
// alike, also where the writer's own tracker would have seen a new person (here a face that
// reappears after a gap longer than a track survives, which the pipeline still linked).
TEST(LiveSessionWriter, KeepsTheTrackIdsTheReadingsCameWith) {
    test::TempDir dir;
    const auto path = dir / "sessions.sqlite";
    LiveSessionWriter writer(path, cameraFacts(), liveSetup());
    for (int n = 0; n < 4; ++n) {
        auto result = reading(n);
        result.timestamp_ms = n * 5000.0;
        result.faces[0].track_id = 3;
        writer.add(result);
    }
    auto unlinked = reading(4);
    unlinked.timestamp_ms = 20000.0;
    writer.add(unlinked);
    writer.finish();
    const SessionStore store(path);
    const auto frames = store.frames(writer.sessionId());
    ASSERT_EQ(frames.size(), 5u);
    for (int n = 0; n < 4; ++n) {
        ASSERT_EQ(frames[static_cast<std::size_t>(n)].faces.size(), 1u);
        EXPECT_EQ(frames[static_cast<std::size_t>(n)].faces[0].track_id, 3) << "frame " << n;
    }
    ASSERT_EQ(frames[4].faces.size(), 1u);
    EXPECT_EQ(frames[4].faces[0].track_id, 0) << "a reading without ids is linked here";
}

// The bar of issue 20: kill -9 mid-session loses at most the last second of readings, and the
// session is then listed as ended early.
TEST(LiveSessionWriter, AKilledSessionKeepsItsReadingsUpToTheLastSecond) {
    test::TempDir dir;
    const auto path = dir / "sessions.sqlite";
    int report[2];
    ASSERT_EQ(::pipe(report), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        LiveSessionWriter writer(path, cameraFacts(), liveSetup());
        int added = 0;
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
        while (std::chrono::steady_clock::now() < until) {
            writer.add(reading(added++));
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        [[maybe_unused]] const auto written = ::write(report[1], &added, sizeof added);
        ::raise(SIGKILL);
    }
    int added = 0;
    ASSERT_EQ(::read(report[0], &added, sizeof added), static_cast<ssize_t>(sizeof added));
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status));
    ::close(report[0]);
    ::close(report[1]);
    const SessionStore store(path);
    const auto session = store.session(onlySessionId(store));
    // About 100 readings a second were added: at most a second's worth may be missing.
    EXPECT_GT(session.frames_stored, 0);
    EXPECT_GE(session.frames_stored, added - 100) << added << " added";
    EXPECT_EQ(static_cast<std::int64_t>(store.frames(session.id).size()), session.frames_stored);
    EXPECT_EQ(sessionStatus(session, path), "ended early");
}

// A disk that fills mid-session (a file size limit in a child process fails the store's writes
// as a full disk does): the session says why readings are no longer kept, and those kept until
// then stay readable.
TEST(LiveSessionWriter, AFullDiskStopsKeepingAndSaysWhyAndWhatWasKeptStays) {
    test::TempDir dir;
    const auto path = dir / "sessions.sqlite";
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        LiveSessionOptions options;
        options.commit_interval = std::chrono::milliseconds(20);
        LiveSessionWriter writer(path, cameraFacts(), liveSetup(), options);
        for (int n = 0; n < 20; ++n)
            writer.add(reading(n));
        while (writer.framesKept() < 20)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{1 << 20, 1 << 20};  // the store's files may not grow past 1 MiB
        ::setrlimit(RLIMIT_FSIZE, &limit);
        for (int n = 20; n < 20000 && !writer.failure(); ++n) {
            writer.add(reading(n));
            if (n % 100 == 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(30));
        }
        const auto failure = writer.failure();
        ::_exit(failure && failure->find("readings are no longer kept") != std::string::npos ? 0
                                                                                             : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "no failure was reported";
    const SessionStore store(path);
    const auto session = store.session(onlySessionId(store));
    EXPECT_GE(session.frames_stored, 20);
    EXPECT_EQ(static_cast<std::int64_t>(store.frames(session.id).size()), session.frames_stored);
}

// A reading with its frame: one grey level per frame (see frameNumberOf) at irregular live
// times, 28-52 ms apart.
FrameResult readingWithImage(int n) {
    FrameResult result = reading(n);
    result.timestamp_ms = n * 40.0 + ((n * 7) % 25) - 12.0 + 12.0 * (n == 0);
    result.image = cv::Mat(120, 160, CV_8UC3, cv::Scalar::all(20 + (n % 12) * 18));
    return result;
}

int greyNumber(const cv::Mat& image) {
    return static_cast<int>(std::lround((cv::mean(image)[0] - 20.0) / 18.0));
}

// The frame a player shows at `ms`: the last whose time has come (RecordingPlayer's rule).
std::size_t frameShownAt(const std::vector<double>& frame_ms, double ms) {
    const auto after = std::upper_bound(frame_ms.begin(), frame_ms.end(), ms + 1e-3);
    return static_cast<std::size_t>(after - frame_ms.begin()) - 1;
}

// Issue 20's recording bar: recorded frame i is stored reading i, presented at its time.
TEST(LiveSessionWriter, RecordsEveryKeptFrameWhereItsReadingIs) {
    test::TempDir dir;
    const auto path = dir / "sessions.sqlite";
    LiveSessionOptions options;
    options.record = true;
    std::filesystem::path recording;
    {
        LiveSessionWriter writer(path, cameraFacts(), liveSetup(), options);
        recording = writer.recordingPath();
        EXPECT_TRUE(writer.isRecording());
        for (int n = 0; n < 45; ++n)
            writer.add(readingWithImage(n));
        writer.finish();
        EXPECT_EQ(writer.framesRecorded(), 45);
        EXPECT_EQ(writer.framesKept(), 45);
        EXPECT_FALSE(writer.recordingFailure());
    }
    EXPECT_EQ(recording.parent_path(), dir / "recordings");
    EXPECT_EQ(std::filesystem::status(recording).permissions(),
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    EXPECT_EQ(std::filesystem::status(recording.parent_path()).permissions(),
              std::filesystem::perms::owner_all);
    const SessionStore store(path);
    const auto session = store.session(onlySessionId(store));
    EXPECT_EQ(session.recording.path, recording.string());
    const auto frames = store.frames(session.id);
    const auto frame_ms = videoFrameTimes(recording);
    ASSERT_EQ(frame_ms.size(), frames.size());
    VideoReader reader(recording);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(frameShownAt(frame_ms, frames[i].timestamp_ms), i) << "reading " << i;
        const auto frame = reader.read();
        ASSERT_TRUE(frame);
        EXPECT_EQ(greyNumber(frame->image), static_cast<int>(i % 12)) << "frame " << i;
    }
}

// A recording folder that cannot be made: no recording, every reading kept, and why is said.
TEST(LiveSessionWriter, ARecordingThatCannotStartLeavesTheReadingsKept) {
    test::TempDir dir;
    const auto path = dir / "sessions.sqlite";
    std::ofstream(dir / "not-a-folder") << "a file where the folder should be";
    LiveSessionOptions options;
    options.record = true;
    options.recording_folder = dir / "not-a-folder" / "recordings";
    LiveSessionWriter writer(path, cameraFacts(), liveSetup(), options);
    EXPECT_FALSE(writer.isRecording());
    ASSERT_TRUE(writer.recordingFailure());
    EXPECT_NE(writer.recordingFailure()->find("not recorded"), std::string::npos);
    for (int n = 0; n < 10; ++n)
        writer.add(readingWithImage(n));
    writer.finish();
    EXPECT_EQ(writer.framesKept(), 10);
    EXPECT_FALSE(writer.failure());
    const SessionStore store(path);
    EXPECT_EQ(store.session(writer.sessionId()).recording.path, "");
}

// Frames piling up faster than they are encoded stop the recording, not the readings.
TEST(LiveSessionWriter, AnEncoderThatFallsBehindStopsTheRecordingNotTheReadings) {
    test::TempDir dir;
    const auto path = dir / "sessions.sqlite";
    LiveSessionOptions options;
    options.record = true;
    options.max_pending_frames = 3;
    LiveSessionWriter writer(path, cameraFacts(), liveSetup(), options);
    // Handed over in a tight loop, a frame every microsecond or so: no encoder keeps up.
    for (int n = 0; n < 300; ++n)
        writer.add(readingWithImage(n));
    EXPECT_FALSE(writer.isRecording());
    ASSERT_TRUE(writer.recordingFailure());
    EXPECT_NE(writer.recordingFailure()->find("could not encode"), std::string::npos)
        << *writer.recordingFailure();
    writer.finish();
    EXPECT_EQ(writer.framesKept(), 300);
    EXPECT_FALSE(writer.failure());
    EXPECT_GE(writer.framesRecorded(), 3) << "the frames taken before the stop are recorded";
    EXPECT_LT(writer.framesRecorded(), 300);
    EXPECT_EQ(static_cast<std::int64_t>(videoFrameTimes(writer.recordingPath()).size()),
              writer.framesRecorded());
}

// The disk fills with the recording (its file outgrows a size limit the store's files stay
// under): the recording stops and says so; every reading is still kept.
TEST(LiveSessionWriter, AFullDiskStopsTheRecordingAndTheReadingsAreStillKept) {
    test::TempDir dir;
    const auto path = dir / "sessions.sqlite";
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::signal(SIGXFSZ, SIG_IGN);
        LiveSessionOptions options;
        options.record = true;
        options.commit_interval = std::chrono::milliseconds(20);
        LiveSessionWriter writer(path, cameraFacts(), liveSetup(), options);
        const rlimit limit{512 << 10, 512 << 10};
        ::setrlimit(RLIMIT_FSIZE, &limit);
        cv::Mat noise(240, 320, CV_8UC3);  // noise does not compress: 512 KiB in a few frames
        for (int n = 0; n < 60; ++n) {
            auto result = reading(n);
            cv::randu(noise, 0, 255);
            result.image = noise.clone();
            writer.add(result);
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        writer.finish();
        const auto why = writer.recordingFailure().value_or("");
        const bool said = why.find("the recording stopped") != std::string::npos &&
                          why.find("readings are still kept") != std::string::npos;
        ::_exit(!said ? 1 : writer.failure() ? 2 : writer.framesKept() != 60 ? 3 : 0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0)
        << "1: the recording's failure was not said; 2: the readings failed; 3: not all kept";
    const SessionStore store(path);
    const auto session = store.session(onlySessionId(store));
    EXPECT_EQ(session.frames_stored, 60);
    EXPECT_EQ(session.state, AnalysisState::Complete);
    const auto recorded = videoFrameTimes(session.recording.path).size();
    EXPECT_GT(recorded, 0u);
    EXPECT_LT(recorded, 60u);
}

// A store written before live sessions existed opens, upgraded: its sessions are recordings.
TEST(SessionStoreUpgrade, ASchemaOneStoreOpensWithItsSessionsAsRecordings) {
    test::TempDir dir;
    const auto path = dir / "old.sqlite";
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    const char* schema_one = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sessions(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    recording_path TEXT NOT NULL, content_hash TEXT NOT NULL, size_bytes INTEGER NOT NULL,
    fps REAL NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,
    frame_count INTEGER NOT NULL,
    model_path TEXT NOT NULL, model_architecture TEXT NOT NULL, model_hash TEXT NOT NULL,
    model_description TEXT NOT NULL, labels TEXT NOT NULL, detector TEXT NOT NULL,
    detector_version TEXT NOT NULL, detect_every INTEGER NOT NULL,
    emotrace_version TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('in_progress', 'complete', 'failed')),
    error TEXT NOT NULL DEFAULT '', frames_stored INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '', created_utc TEXT NOT NULL, updated_utc TEXT NOT NULL);
CREATE INDEX sessions_by_content ON sessions(content_hash, model_hash);
CREATE TABLE frames(
    session_id INTEGER NOT NULL, frame_index INTEGER NOT NULL, timestamp_ms REAL NOT NULL,
    PRIMARY KEY (session_id, frame_index)) WITHOUT ROWID;
CREATE TABLE faces(
    session_id INTEGER NOT NULL, frame_index INTEGER NOT NULL, face_index INTEGER NOT NULL,
    track_id INTEGER NOT NULL, x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL,
    h REAL NOT NULL, confidence REAL NOT NULL, detected INTEGER NOT NULL,
    probabilities BLOB NOT NULL,
    PRIMARY KEY (session_id, frame_index, face_index)) WITHOUT ROWID;
CREATE TABLE markers(
    id INTEGER PRIMARY KEY AUTOINCREMENT, session_id INTEGER NOT NULL,
    start_ms REAL NOT NULL, end_ms REAL NOT NULL, label TEXT NOT NULL, note TEXT NOT NULL,
    exclude INTEGER NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO sessions(recording_path, content_hash, size_bytes, fps, width, height, frame_count,
    model_path, model_architecture, model_hash, model_description, labels, detector,
    detector_version, detect_every, emotrace_version, state, created_utc, updated_utc)
VALUES ('/clinic/s1.mp4', '3-abc', 3, 25.0, 640, 480, 100, '', '', '', '', '[]', 'yunet2023',
    'face_detection_yunet_2023mar.onnx', 5, '0.1.0', 'complete', '2026-11-20T10:00:00Z',
    '2026-11-20T10:05:00Z');
)sql";
    ASSERT_EQ(sqlite3_exec(raw, schema_one, nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);

    SessionStore store(path);
    const auto sessions = store.sessions();
    ASSERT_EQ(sessions.size(), 1u);
    EXPECT_EQ(sessions[0].kind, SessionKind::Recording);
    EXPECT_EQ(sessions[0].recording.content_hash, "3-abc");
    EXPECT_EQ(sessions[0].started_utc, "2026-11-20T10:00:00Z");
    EXPECT_EQ(sessions[0].label, "");
    EXPECT_EQ(sessions[0].followed_track, -1);
    EXPECT_TRUE(store.findSession("3-abc", ""));
    store.setLabel(sessions[0].id, "C-003");
    EXPECT_EQ(store.session(sessions[0].id).label, "C-003");
    // Upgraded through to the moments' tables.
    const Moment moment{.track_id = 0, .label = 1, .start_ms = 100.0, .end_ms = 900.0};
    store.decideMoment(sessions[0].id, moment, MomentDecision::Dismissed);
    EXPECT_EQ(store.momentDecisions(sessions[0].id).size(), 1u);
    // ... and through to the people's table: an older session has none named.
    EXPECT_TRUE(store.people(sessions[0].id).empty());
    store.setPerson(sessions[0].id, {.track_id = 0, .name = "client", .followed = true});
    EXPECT_EQ(store.people(sessions[0].id).size(), 1u);
}

// The moments found live are kept with the session, each with the face at its peak; the same
// moment kept again when it ends replaces the one kept when it was found.
TEST(LiveSessionWriter, KeepsTheMomentsFoundLiveWithTheirThumbnails) {
    test::TempDir dir;
    const auto path = dir / "sessions.sqlite";
    const std::vector<std::byte> jpeg = {std::byte{0xFF}, std::byte{0xD8}, std::byte{0x42}};
    Moment moment{.track_id = 0,
                  .label = 0,
                  .start_ms = 400.0,
                  .end_ms = 1000.0,
                  .peak_ms = 800.0,
                  .peak_frame = 24,
                  .peak_probability = 0.81,
                  .reported_ms = 1000.0};
    {
        LiveSessionWriter writer(path, cameraFacts(), liveSetup());
        for (int n = 0; n < 60; ++n)
            writer.add(reading(n));
        writer.keepMoment(moment, jpeg);
        moment.end_ms = 1900.0;  // it ended later
        writer.keepMoment(moment, jpeg);
        writer.finish();
    }
    SessionStore store(path);
    const auto kept = store.liveMoments(onlySessionId(store));
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0].moment.end_ms, 1900.0);
    EXPECT_EQ(kept[0].moment.peak_frame, 24);
    EXPECT_NEAR(kept[0].moment.peak_probability, 0.81, 1e-12);
    EXPECT_EQ(kept[0].moment.reported_ms, 1000.0);
    EXPECT_EQ(kept[0].thumbnail_jpeg, jpeg);
}

// The person followed live is kept with the session (the store's track id, as the writer links
// faces); a session where nobody was chosen says -1.
TEST(LiveSessionWriter, KeepsThePersonFollowed) {
    test::TempDir dir;
    const auto path = dir / "sessions.sqlite";
    {
        LiveSessionWriter writer(path, cameraFacts(), liveSetup());
        for (int n = 0; n < 10; ++n)
            writer.add(reading(n));
        writer.setFollowedTrack(0);
        writer.finish();
    }
    {
        SessionStore store(path);
        EXPECT_EQ(store.session(onlySessionId(store)).followed_track, 0);
        EXPECT_EQ(store.createLiveSession(cameraFacts(), liveSetup()) > 0, true);
        EXPECT_EQ(store.sessions().front().followed_track, -1);
    }
}

// Two people in a call: the client on the left, the therapist's self-view small on the right.
FrameResult callReading(int n) {
    FrameResult result = reading(n);
    FaceResult self_view;
    self_view.box = {500.0f, 300.0f, 60.0f, 70.0f};
    self_view.detection_confidence = 0.8f;
    self_view.probabilities = {0.4f, 0.6f};
    result.faces.push_back(self_view);
    return result;
}

int facesOfTrack(const std::vector<FrameRecord>& frames, int track) {
    int count = 0;
    for (const auto& frame : frames) {
        for (const auto& face : frame.faces)
            count += face.track_id == track ? 1 : 0;
    }
    return count;
}

// The people as the therapist told them apart are kept; a person left out (the self-view) has
// none of their readings kept, also those kept before they were left out, while the frames and
// the other person's readings stay. Included again, their later readings are kept.
TEST(LiveSessionWriter, KeepsNamesAndLeavesOutTheSelfView) {
    test::TempDir dir;
    const auto path = dir / "sessions.sqlite";
    LiveSessionOptions options;
    options.commit_interval = std::chrono::milliseconds(5);
    {
        LiveSessionWriter writer(path, cameraFacts(), liveSetup(), options);
        for (int n = 0; n < 30; ++n)
            writer.add(callReading(n));
        writer.setPerson({.track_id = 0, .name = "client", .followed = true});
        // Some of the self-view's readings may be committed already: they go too.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        writer.setPerson({.track_id = 1, .name = "therapist", .excluded = true});
        for (int n = 30; n < 60; ++n)
            writer.add(callReading(n));
        writer.setPerson({.track_id = 1, .name = "therapist", .excluded = false});
        for (int n = 60; n < 70; ++n)
            writer.add(callReading(n));
        writer.finish();
    }
    SessionStore store(path);
    const auto id = onlySessionId(store);
    const auto frames = store.frames(id);
    EXPECT_EQ(frames.size(), 70u) << "every frame is kept";
    EXPECT_EQ(facesOfTrack(frames, 0), 70) << "the client's readings are all kept";
    EXPECT_EQ(facesOfTrack(frames, 1), 10) << "only what followed 'include again'";
    const auto people = store.people(id);
    ASSERT_EQ(people.size(), 2u);
    EXPECT_EQ(people[0], (Person{.track_id = 0, .name = "client", .followed = true}));
    EXPECT_EQ(people[1], (Person{.track_id = 1, .name = "therapist"}));
    store.removeSession(id);
    EXPECT_TRUE(store.people(id).empty());
}

// Review decisions: found again by track, emotion and overlapping time (a moment found at
// another sensitivity starts a little earlier), replaced, forgotten, removed with the session.
TEST(SessionStore, KeepsTheReviewersDecisionsOnMoments) {
    test::TempDir dir;
    SessionStore store(dir / "sessions.sqlite");
    const auto id = store.createLiveSession(cameraFacts(), liveSetup());
    const Moment smile{.track_id = 2, .label = 0, .start_ms = 1000.0, .end_ms = 2000.0};
    store.decideMoment(id, smile, MomentDecision::Accepted);
    store.decideMoment(id, smile, MomentDecision::Dismissed);
    auto decided = store.momentDecisions(id);
    ASSERT_EQ(decided.size(), 1u);
    EXPECT_EQ(decided[0].decision, MomentDecision::Dismissed);
    const Moment found_earlier{.track_id = 2, .label = 0, .start_ms = 900.0, .end_ms = 1500.0};
    EXPECT_TRUE(isSameMoment(decided[0].moment, found_earlier));
    EXPECT_FALSE(
        isSameMoment(decided[0].moment,
                     Moment{.track_id = 2, .label = 1, .start_ms = 1000.0, .end_ms = 2000.0}));
    EXPECT_FALSE(
        isSameMoment(decided[0].moment,
                     Moment{.track_id = 3, .label = 0, .start_ms = 1000.0, .end_ms = 2000.0}));
    EXPECT_FALSE(
        isSameMoment(decided[0].moment,
                     Moment{.track_id = 2, .label = 0, .start_ms = 2100.0, .end_ms = 2500.0}));
    store.forgetMomentDecision(id, found_earlier);
    EXPECT_TRUE(store.momentDecisions(id).empty());
    store.decideMoment(id, smile, MomentDecision::Accepted);
    store.keepLiveMoment(id, smile, {});
    store.removeSession(id);
    EXPECT_TRUE(store.momentDecisions(id).empty());
    EXPECT_TRUE(store.liveMoments(id).empty());
    EXPECT_THROW(store.decideMoment(id, smile, MomentDecision::Accepted), StoreError);
}

}  // namespace
}  // namespace emotrace
