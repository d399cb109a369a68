#include "review_workspace.h"

#include <algorithm>
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>
#include <QAction>
#include <QListWidget>
#include <QTest>
#include <QTreeWidget>
#include <qcustomplot.h>
#include <nlohmann/json.hpp>

#include "moment_list.h"
#include "review_markers.h"
#include "review_moments.h"
#include "review_player.h"
#include "review_summary.h"
#include "review_test_support.h"
#include "review_timeline.h"
#include "review_video_view.h"
#include "test_support.h"
#include "ui_test_support.h"

namespace emotrace::ui {
namespace {

class ReviewWorkspaceTest : public ::testing::Test {
  protected:
    void SetUp() override { stored = test::storeReviewSession(folder.path()); }

    ReviewSetup setup() const {
        ReviewSetup review;
        review.store_path = stored.store;
        review.locate_recording = [](const QString&) { return QString(); };
        return review;
    }

    // Happy's spread over the frames before the gap, as the timeline plots it.
    double happySpread(ReviewWorkspace& workspace) const {
        const auto* data = workspace.timeline()->plot()->graph(4)->data().data();
        double low = 1.0;
        double high = 0.0;
        for (auto it = data->constBegin(); it != data->constEnd(); ++it) {
            // Away from the start and the gap, where a centred window is cut short.
            if (it->key < 0.6 || it->key > 1.3 || std::isnan(it->value))
                continue;
            low = std::min(low, it->value);
            high = std::max(high, it->value);
        }
        return high - low;
    }

    test::TempDir folder;
    test::StoredReviewSession stored;
};

TEST_F(ReviewWorkspaceTest, AStoredSessionIsShownWithoutAnalysis) {
    ReviewWorkspace workspace(setup());
    ASSERT_TRUE(workspace.openSession(stored.id)) << workspace.errorText().toStdString();
    EXPECT_FALSE(workspace.isAnalysing());
    EXPECT_EQ(workspace.frames().size(), static_cast<std::size_t>(test::kReviewFrames));
    EXPECT_EQ(workspace.track(), 1);  // the most present face
    EXPECT_EQ(workspace.timeline()->plot()->graphCount(), 8);
    EXPECT_TRUE(workspace.player()->isOpen());
    EXPECT_TRUE(workspace.errorText().isEmpty()) << workspace.errorText().toStdString();
    EXPECT_TRUE(workspace.summaryPanel()->facePresenceText().contains("83.3%"))
        << workspace.summaryPanel()->facePresenceText().toStdString();
}

TEST_F(ReviewWorkspaceTest, LowQualityReadingsAreGreyedAndCanBeLeftOutOfTheSummary) {
    ReviewWorkspace workspace(setup());
    ASSERT_TRUE(workspace.openSession(stored.id)) << workspace.errorText().toStdString();
    EXPECT_EQ(workspace.timeline()->lowQualityStretchCount(), 1);
    auto* summary = workspace.summaryPanel();
    // 10 of track 1's 50 frames with the face: 20 %, counted by default.
    EXPECT_TRUE(summary->facePresenceText().contains("20.0%"))
        << summary->facePresenceText().toStdString();
    EXPECT_TRUE(summary->facePresenceText().contains("(counted)"));
    const auto sad_bar = [&] {
        // One bar per label, in the labels' order: sad is the seventh.
        auto* bars = qobject_cast<QCPBars*>(summary->distributionPlot()->plottable(6));
        return bars ? bars->data()->at(0)->value : -1.0;
    };
    const double sad_counted = sad_bar();
    summary->setLowQualityReadings(LowQualityReadings::LeftOut);
    EXPECT_TRUE(summary->facePresenceText().contains("left out"))
        << summary->facePresenceText().toStdString();
    // The low frames all read sad (after the gap): leaving them out lowers sad's mean.
    EXPECT_LT(sad_bar(), sad_counted - 0.05);
    EXPECT_TRUE(summary->facePresenceText().contains("83.3%")) << "the face is still present";
}

TEST_F(ReviewWorkspaceTest, ClickingTheTimelineSeeksThePlayer) {
    ReviewWorkspace workspace(setup());
    ASSERT_TRUE(workspace.openSession(stored.id));
    workspace.show();
    auto* plot = workspace.timeline()->plot();
    plot->replot();
    const auto span = workspace.timeline()->axisSpan();
    const QPointF at(pixelAtTime(span, 3.05), plot->axisRect()->rect().center().y());
    test::click(plot, at);
    EXPECT_EQ(workspace.player()->currentFrame(), 30);  // 3.05 s at 10 fps
    EXPECT_NEAR(workspace.timeline()->playhead(), 3.0, 1e-9);
}

TEST_F(ReviewWorkspaceTest, MarkersAndExclusionsLandInTheStore) {
    ReviewWorkspace workspace(setup());
    ASSERT_TRUE(workspace.openSession(stored.id));
    const QString presence_before = workspace.summaryPanel()->facePresenceText();

    workspace.player()->seekToSeconds(1.5);
    auto* add_marker = workspace.findChild<QAction*>("addMarker");
    ASSERT_NE(add_marker, nullptr);
    EXPECT_EQ(add_marker->shortcut(), QKeySequence(Qt::Key_M));
    add_marker->trigger();
    workspace.player()->seekToSeconds(2.0);
    workspace.toggleExclusion();
    workspace.player()->seekToSeconds(4.0);
    workspace.toggleExclusion();

    const auto markers = SessionStore(stored.store).markers(stored.id);
    ASSERT_EQ(markers.size(), 2u);
    EXPECT_DOUBLE_EQ(markers[0].start_ms, 1500.0);
    EXPECT_FALSE(markers[0].exclude);
    EXPECT_DOUBLE_EQ(markers[1].start_ms, 2000.0);
    EXPECT_DOUBLE_EQ(markers[1].end_ms, 4000.0);
    EXPECT_TRUE(markers[1].exclude);
    // The exclusion changes what the summary counts.
    EXPECT_NE(workspace.summaryPanel()->facePresenceText(), presence_before);
}

TEST_F(ReviewWorkspaceTest, EditingAMarkerInTheListStoresIt) {
    ReviewWorkspace workspace(setup());
    ASSERT_TRUE(workspace.openSession(stored.id));
    const auto id = workspace.addMarkerAtCurrentTime();
    ASSERT_TRUE(id);
    auto* list = workspace.markerPanel()->list();
    ASSERT_EQ(list->topLevelItemCount(), 1);
    list->topLevelItem(0)->setText(1, "client laughs");
    list->topLevelItem(0)->setText(2, "first time this session");
    ASSERT_TRUE(test::waitUntil([&] {
        const auto markers = SessionStore(stored.store).markers(stored.id);
        return markers.size() == 1 && markers[0].note == "first time this session";
    }));
    EXPECT_EQ(SessionStore(stored.store).markers(stored.id)[0].label, "client laughs");
}

TEST_F(ReviewWorkspaceTest, SmoothingEvensOutTheLines) {
    ReviewWorkspace workspace(setup());
    ASSERT_TRUE(workspace.openSession(stored.id));
    EXPECT_NEAR(happySpread(workspace), 0.4, 1e-6);  // 0.9 and 0.5 alternating
    workspace.setSmoothing({SmoothingKind::MovingAverage, 1.0});
    EXPECT_LT(happySpread(workspace), 0.1);
    workspace.setSmoothing({SmoothingKind::Exponential, 1.0});
    EXPECT_LT(happySpread(workspace), 0.15);
    workspace.setSmoothing({SmoothingKind::None, 1.0});
    EXPECT_NEAR(happySpread(workspace), 0.4, 1e-6);
}

TEST_F(ReviewWorkspaceTest, EmotionsCanBeHidden) {
    ReviewWorkspace workspace(setup());
    ASSERT_TRUE(workspace.openSession(stored.id));
    workspace.setEmotionVisible(4, false);
    EXPECT_FALSE(workspace.timeline()->isEmotionVisible(4));
    EXPECT_TRUE(workspace.timeline()->isEmotionVisible(0));
}

TEST_F(ReviewWorkspaceTest, ExportsWriteTheOpenSession) {
    ReviewWorkspace workspace(setup());
    ASSERT_TRUE(workspace.openSession(stored.id));
    ASSERT_TRUE(workspace.exportFramesCsv(folder / "frames.csv"))
        << workspace.errorText().toStdString();
    std::ifstream csv(folder / "frames.csv");
    std::string header;
    std::getline(csv, header);
    EXPECT_NE(header.find(",track,quality,head_roll,head_yaw,head_pitch,face_size_px,sharpness,"
                          "brightness,clipped_share,quality_limited_by,relative_p_angry,"),
              std::string::npos)
        << header;
    ASSERT_TRUE(workspace.exportSessionJson(folder / "session.json"));
    EXPECT_GT(std::filesystem::file_size(folder / "session.json"), 0u);
    ASSERT_TRUE(workspace.exportTimeline(folder / "timeline.png"));
    ASSERT_TRUE(workspace.exportTimeline(folder / "timeline.pdf"));
    ASSERT_TRUE(workspace.exportReport(folder / "report.pdf"));
    EXPECT_FALSE(workspace.exportReport(folder / "missing-folder" / "report.pdf"));
    EXPECT_TRUE(workspace.errorText().contains("missing-folder"))
        << workspace.errorText().toStdString();
}

// The value the timeline plots for emotion `label` nearest to `seconds`.
double plotted(ReviewWorkspace& workspace, int label, double seconds) {
    const auto* data = workspace.timeline()->plot()->graph(label)->data().data();
    const auto at = data->findBegin(seconds, false);
    return at == data->constEnd() ? std::nan("") : at->value;
}

TEST_F(ReviewWorkspaceTest, ARestingFaceTakenInReviewIsKeptAndReadingsAreShownBothWays) {
    constexpr int kNeutral = 5;
    constexpr int kSad = 6;
    std::int64_t resting_session = 0;
    {
        // Track 1 rests reading a little sad (sad 45 %, neutral 40 %) for 3 s, then smiles.
        SessionStore store(stored.store);
        auto facts = store.session(stored.id).recording;
        facts.content_hash = "resting-face";
        resting_session = store.createSession(facts, store.session(stored.id).setup);
        std::vector<FrameRecord> frames;
        for (int i = 0; i < test::kReviewFrames; ++i) {
            TrackedFace face;
            face.track_id = 1;
            face.box = cv::Rect2f(8, 8, 24, 24);
            face.probabilities.assign(8, 0.025f);
            face.probabilities[kNeutral] = i < 30 ? 0.4f : 0.1f;
            face.probabilities[kSad] = i < 30 ? 0.45f : 0.05f;
            face.probabilities[4] = i < 30 ? 0.0f : 0.7f;  // happy
            frames.push_back({i, i * 1000.0 / test::kReviewFps, {face}});
        }
        store.appendFrames(resting_session, frames);
        store.setState(resting_session, AnalysisState::Complete);
    }
    ReviewWorkspace workspace(setup());
    ASSERT_TRUE(workspace.openSession(stored.id));
    // The first session's track 1 is smiling in its first seconds: refused, with the reason.
    EXPECT_FALSE(workspace.takeRestingFace(0.0, 2.0));
    EXPECT_TRUE(workspace.errorText().contains("the face shows happy (70 % on average)"))
        << workspace.errorText().toStdString();
    EXPECT_TRUE(workspace.restingFaces().empty());

    ASSERT_TRUE(workspace.openSession(resting_session)) << workspace.errorText().toStdString();
    EXPECT_FALSE(workspace.isRelativeToRest());
    EXPECT_GT(plotted(workspace, kSad, 1.0), plotted(workspace, kNeutral, 1.0)) << "as read";
    ASSERT_TRUE(workspace.takeRestingFace(0.0, 2.0)) << workspace.errorText().toStdString();
    ASSERT_EQ(workspace.restingFaces().size(), 1u);
    EXPECT_EQ(workspace.restingFaces()[0].track_id, 1);
    EXPECT_DOUBLE_EQ(workspace.restingFaces()[0].end_ms, 2000.0);
    EXPECT_EQ(SessionStore(stored.store).baselines(resting_session).size(), 1u) << "kept";
    EXPECT_TRUE(workspace.isRelativeToRest()) << "shown relative to it once taken";
    EXPECT_TRUE(workspace.timeline()->hasRestingFaceStretch()) << "its stretch is marked";
    EXPECT_GT(plotted(workspace, kNeutral, 1.0), 0.6) << "the resting face reads neutral";
    EXPECT_LT(plotted(workspace, kSad, 1.0), 0.1);
    EXPECT_GT(plotted(workspace, 4, 4.0), 0.5) << "the smile still reads happy";
    workspace.setRelativeToRest(false);
    EXPECT_NEAR(plotted(workspace, kSad, 1.0), 0.45, 1e-6) << "the switch shows it as read";

    // The exports carry both, whichever way the workspace shows it.
    ASSERT_TRUE(workspace.exportFramesCsv(folder / "rest.csv"));
    std::ifstream csv(folder / "rest.csv");
    std::string header;
    std::string first_row;
    std::getline(csv, header);
    std::getline(csv, first_row);
    EXPECT_TRUE(header.ends_with(",relative_p_sad,relative_p_surprise")) << header;
    EXPECT_EQ(std::count(first_row.begin(), first_row.end(), ','),
              std::count(header.begin(), header.end(), ','));
    EXPECT_FALSE(first_row.ends_with(",,,,,,,,")) << "track 1's relative readings: " << first_row;
    ASSERT_TRUE(workspace.exportSessionJson(folder / "rest.json"));
    std::ifstream json_file(folder / "rest.json");
    const auto json = nlohmann::json::parse(json_file);
    ASSERT_EQ(json["resting_faces"].size(), 1u);
    EXPECT_GT(json["statistics_relative_to_rest"]["mean_probability"]["neutral"].get<double>(),
              json["statistics"]["mean_probability"]["neutral"].get<double>());

    // Reopened, the resting face is there.
    ReviewWorkspace again(setup());
    ASSERT_TRUE(again.openSession(resting_session));
    EXPECT_EQ(again.restingFaces().size(), 1u);
    EXPECT_TRUE(again.isRelativeToRest()) << "a session with a resting face opens relative to it";
}

TEST_F(ReviewWorkspaceTest, AMovedRecordingIsRelocated) {
    const auto moved = folder / "moved.avi";
    std::filesystem::rename(stored.video, moved);
    auto review = setup();
    QString asked_for;
    review.locate_recording = [&](const QString& missing) {
        asked_for = missing;
        return QString::fromStdString(moved.string());
    };
    ReviewWorkspace workspace(review);
    ASSERT_TRUE(workspace.openSession(stored.id));
    EXPECT_EQ(asked_for.toStdString(), stored.video.string());
    EXPECT_TRUE(workspace.player()->isOpen());
    EXPECT_EQ(SessionStore(stored.store).session(stored.id).recording.path, moved.string());
}

TEST_F(ReviewWorkspaceTest, AMissingRecordingStillShowsTheStoredResults) {
    std::filesystem::remove(stored.video);
    ReviewWorkspace workspace(setup());
    ASSERT_TRUE(workspace.openSession(stored.id));
    EXPECT_FALSE(workspace.player()->isOpen());
    EXPECT_EQ(workspace.frames().size(), static_cast<std::size_t>(test::kReviewFrames));
    EXPECT_TRUE(workspace.errorText().contains("missing")) << workspace.errorText().toStdString();
    EXPECT_TRUE(workspace.errorText().contains(QString::fromStdString(stored.video.string())));
}

// A live session kept without a recording: everything but the picture, and no error about it.
TEST_F(ReviewWorkspaceTest, ALiveSessionWithoutARecordingOpensWithANoteInThePlayersPlace) {
    std::int64_t id = 0;
    {
        SessionStore store(stored.store);
        LiveSessionFacts facts;
        facts.source = "camera:0";
        facts.label = "C-017 week 3";
        AnalysisSetup setup;
        setup.labels = paperLabels();
        id = store.createLiveSession(facts, setup);
        store.appendFrames(id, test::reviewFrames(setup.labels.size()));
        store.addMarker(id, {0, 500.0, 500.0, "tearful", "", false});
        store.setState(id, AnalysisState::Complete);
    }
    ReviewWorkspace workspace(setup());
    ASSERT_TRUE(workspace.openSession(id));
    EXPECT_FALSE(workspace.isAnalysing());
    EXPECT_FALSE(workspace.player()->isOpen());
    EXPECT_TRUE(workspace.errorText().isEmpty()) << workspace.errorText().toStdString();
    EXPECT_TRUE(workspace.videoView()->placeholder().contains("without a recording"))
        << workspace.videoView()->placeholder().toStdString();
    EXPECT_EQ(workspace.frames().size(), static_cast<std::size_t>(test::kReviewFrames));
    EXPECT_EQ(workspace.markers().size(), 1u);
    ASSERT_TRUE(workspace.exportSessionJson(folder / "live.json"));
    const auto json = test::readFile(folder / "live.json");
    EXPECT_NE(json.find("\"kind\": \"live\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"label\": \"C-017 week 3\""), std::string::npos);
    EXPECT_TRUE(workspace.exportReport(folder / "live.pdf")) << workspace.errorText().toStdString();
    // The label corrected after the call, in the workspace: stored at once.
    ASSERT_TRUE(workspace.setSessionLabel(QStringLiteral("C-017 week 3, second half")));
    EXPECT_EQ(SessionStore(stored.store).session(id).label, "C-017 week 3, second half");

    // Opening a recording's session next puts the player back.
    ASSERT_TRUE(workspace.openSession(stored.id));
    EXPECT_TRUE(workspace.player()->isOpen());
}

// A live session whose dashboard was killed: shown, and said to have ended early.
TEST_F(ReviewWorkspaceTest, ALiveSessionThatEndedEarlyIsShownAndSaysSo) {
    std::int64_t id = 0;
    {
        SessionStore store(stored.store);
        AnalysisSetup setup;
        setup.labels = paperLabels();
        id = store.createLiveSession({"camera:0", "", 30.0, 64, 48, ""}, setup);
        store.appendFrames(id, test::reviewFrames(setup.labels.size()));
        // Left in progress with no writer holding its lock: as a kill -9 leaves it.
    }
    ReviewWorkspace workspace(setup());
    ASSERT_TRUE(workspace.openSession(id));
    EXPECT_FALSE(workspace.isAnalysing()) << "a live session has nothing to analyse";
    EXPECT_TRUE(workspace.errorText().contains("ended early"))
        << workspace.errorText().toStdString();
    EXPECT_EQ(workspace.frames().size(), static_cast<std::size_t>(test::kReviewFrames));
}

TEST_F(ReviewWorkspaceTest, AStoreThatIsNotADatabaseIsReportedClearly) {
    const auto broken = folder / "broken.sqlite";
    {
        std::ofstream out(broken);
        out << "this is not an SQLite database, it is a text file of some length";
    }
    auto review = setup();
    review.store_path = broken;
    ReviewWorkspace workspace(review);
    EXPECT_TRUE(workspace.errorText().contains("session store"))
        << workspace.errorText().toStdString();
    EXPECT_TRUE(workspace.errorText().contains(QString::fromStdString(broken.string())))
        << workspace.errorText().toStdString();
    EXPECT_FALSE(workspace.openRecording(stored.video));
}

}  // namespace
}  // namespace emotrace::ui

namespace emotrace::ui {
namespace {

// The stored session's track 1 turns from happy to sad after its gap: one moment (sad, from
// about 3 s), found from the stored readings with the live rule.
TEST_F(ReviewWorkspaceTest, TheMomentsTabListsTheSessionsMomentsAndAClickSeeksToOne) {
    ReviewWorkspace workspace(setup());
    ASSERT_TRUE(workspace.openSession(stored.id));
    workspace.show();
    ASSERT_EQ(workspace.moments().size(), 1u);
    const auto moment = workspace.moments()[0];
    EXPECT_EQ(moment.track_id, 1);
    EXPECT_EQ(paperLabels()[static_cast<std::size_t>(moment.label)], "sad");
    EXPECT_NEAR(moment.start_ms, 3000.0, 150.0);
    auto* list = workspace.momentPanel()->list();
    ASSERT_EQ(list->count(), 1);
    EXPECT_TRUE(list->rowText(0).contains(QStringLiteral("sad"))) << list->rowText(0).toStdString();
    EXPECT_EQ(workspace.timeline()->momentCount(), 1);
    // The face at the peak, cut from the recording a few at a time.
    ASSERT_TRUE(test::waitUntil([&] { return !list->thumbnail(0).isNull(); }));

    auto* widget = list->findChild<QListWidget*>(QStringLiteral("momentList"));
    ASSERT_TRUE(widget);
    QTest::mouseClick(widget->viewport(), Qt::LeftButton, {},
                      widget->visualItemRect(widget->item(0)).center());
    EXPECT_EQ(workspace.player()->currentFrame(),
              static_cast<std::int64_t>(std::llround(moment.start_ms / 100.0)));
}

// Accepted: a marker at the moment's start, labelled with its emotion, and the row says so;
// dismissed: kept greyed, also after the workspace is opened again and at another sensitivity.
TEST_F(ReviewWorkspaceTest, AMomentIsAcceptedAsAMarkerOrDismissedAndTheStoreKeepsIt) {
    {
        ReviewWorkspace workspace(setup());
        ASSERT_TRUE(workspace.openSession(stored.id));
        ASSERT_EQ(workspace.moments().size(), 1u);
        workspace.momentPanel()->list()->findChild<QListWidget*>()->setCurrentRow(0);
        workspace.momentPanel()->acceptSelected();
        const auto markers = SessionStore(stored.store).markers(stored.id);
        ASSERT_EQ(markers.size(), 1u);
        EXPECT_EQ(markers[0].label, "sad");
        EXPECT_EQ(markers[0].start_ms, workspace.moments()[0].start_ms);
        EXPECT_EQ(workspace.markers().size(), 1u);
        EXPECT_EQ(workspace.momentPanel()->list()->momentState(0), QStringLiteral("marker"));
        workspace.momentPanel()->acceptSelected();  // a second accept makes no second marker
        EXPECT_EQ(SessionStore(stored.store).markers(stored.id).size(), 1u);
        workspace.momentPanel()->dismissOrRestoreSelected();
        EXPECT_EQ(workspace.momentPanel()->list()->momentState(0), QStringLiteral("dismissed"));
    }
    ReviewWorkspace again(setup());
    ASSERT_TRUE(again.openSession(stored.id));
    EXPECT_EQ(again.momentPanel()->list()->momentState(0), QStringLiteral("dismissed"));
    again.setMomentSensitivity(MomentSensitivity::Low);
    EXPECT_EQ(again.momentPanel()->sensitivity(), MomentSensitivity::Low);
    ASSERT_EQ(again.moments().size(), 1u);
    EXPECT_EQ(again.momentPanel()->list()->momentState(0), QStringLiteral("dismissed"));
    again.momentPanel()->list()->findChild<QListWidget*>()->setCurrentRow(0);
    again.momentPanel()->dismissOrRestoreSelected();  // restore
    EXPECT_TRUE(again.momentPanel()->list()->momentState(0).isEmpty());
    EXPECT_TRUE(SessionStore(stored.store).momentDecisions(stored.id).empty());
}

// The sensitivity changes the list: a slight smile (happy 0.45 over a calm face) is a moment at
// high sensitivity only.
TEST(ReviewMoments, TheListFollowsTheSensitivity) {
    test::TempDir folder;
    const auto store_path = folder / "sessions.sqlite";
    std::int64_t id = 0;
    {
        SessionStore store(store_path);
        LiveSessionFacts facts;
        facts.source = "camera:0";
        AnalysisSetup analysis;
        analysis.labels = paperLabels();
        analysis.detector = "yunet2023";
        analysis.emotrace_version = "test";
        id = store.createLiveSession(facts, analysis);
        std::vector<FrameRecord> frames;
        for (int i = 0; i < 300; ++i) {
            std::vector<float> p(8, 0.15f / 6.0f);
            const bool smiling = i >= 150 && i < 210;  // 5 to 7 s at 30 fps
            p[4] = smiling ? 0.45f : 0.02f;            // happy
            p[5] = smiling ? 0.45f : 0.85f;            // neutral
            frames.push_back(
                {i, i * 1000.0 / 30.0, {{0, cv::Rect2f(0, 0, 40, 40), 0.9f, true, p}}});
        }
        store.appendFrames(id, frames);
        store.setState(id, AnalysisState::Complete);
    }
    ReviewSetup setup;
    setup.store_path = store_path;
    ReviewWorkspace workspace(setup);
    ASSERT_TRUE(workspace.openSession(id));
    EXPECT_TRUE(workspace.moments().empty());
    EXPECT_EQ(workspace.momentPanel()->list()->count(), 0);
    workspace.setMomentSensitivity(MomentSensitivity::High);
    ASSERT_EQ(workspace.moments().size(), 1u);
    EXPECT_NEAR(workspace.moments()[0].start_ms, 5000.0, 300.0);
    EXPECT_EQ(workspace.momentPanel()->list()->count(), 1);
    EXPECT_TRUE(workspace.momentPanel()->list()->thumbnail(0).isNull())
        << "no recording, no live thumbnail: none";
    workspace.setMomentSensitivity(MomentSensitivity::Default);
    EXPECT_TRUE(workspace.moments().empty());
}

}  // namespace
}  // namespace emotrace::ui
