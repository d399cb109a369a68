// The dashboard's moments rail, headless: a clip in which the face brightens for a second and a
// half (a classifier that reads a bright face as happy) plays through the dashboard with the
// session kept. Checked: the moment appears in the rail with the face at its peak and on the
// timeline as it happens; one click makes it a marker at its start, labelled with its emotion;
// the store keeps the moment, its thumbnail and the marker.
#include <QApplication>
#include <QListWidget>
#include <QMenu>
#include <QTableWidget>
#include <QTest>

#include <qcustomplot.h>

#include <gtest/gtest.h>

#include "emotion_timeline.h"
#include "emotrace/live_moments.h"
#include "emotrace/session_store.h"
#include "generated_video.h"
#include "main_window.h"
#include "moment_list.h"
#include "people_list.h"
#include "review_workspace.h"
#include "session_controller.h"
#include "test_support.h"
#include "ui_test_support.h"
#include "video_view.h"

namespace emotrace::ui {
namespace {

using test::waitUntil;

constexpr int kClipFrames = 100;  // 4 s at 25 fps
constexpr double kClipFps = 25.0;

bool brightFrame(int index) {
    return index >= 40 && index < 78;  // 1.6 s to 3.1 s
}

// happy when the face crop is bright, neutral when it is dark: a smile the test can script.
class BrightnessClassifier : public EmotionClassifier {
  public:
    BrightnessClassifier() { info_.labels = {"happy", "neutral"}; }
    const ModelInfo& info() const override { return info_; }
    std::vector<std::vector<float>> classify(std::span<const cv::Mat> faces) override {
        std::vector<std::vector<float>> out;
        for (const auto& face : faces) {
            const double full = face.depth() == CV_8U ? 255.0 : 1.0;
            const bool bright = cv::mean(face)[0] > 0.5 * full;
            out.push_back(bright ? std::vector<float>{0.9f, 0.1f}
                                 : std::vector<float>{0.05f, 0.95f});
        }
        return out;
    }

  private:
    ModelInfo info_;
};

TEST(MomentsRail, AMomentAppearsLiveWithItsFaceAndOneClickMakesItAMarker) {
    test::TempDir dir;
    const auto clip = dir / "call.avi";
    test::writeTestVideo(clip, kClipFrames, kClipFps, {160, 120}, [](cv::Mat& frame, int index) {
        frame.setTo(cv::Scalar::all(brightFrame(index) ? 230 : 30));
    });
    const auto store_path = dir / "sessions.sqlite";

    SessionController controller([] { return std::make_unique<test::FixedFaceDetector>(); },
                                 std::make_unique<BrightnessClassifier>());
    SessionKeeping keeping;
    keeping.store = store_path;
    keeping.setup.labels = {"happy", "neutral"};
    keeping.setup.detector = "fixed";
    controller.setKeeping(keeping);
    MainWindow window(controller);
    window.show();
    bool finished = false;
    QObject::connect(&controller, &SessionController::sessionFinished,
                     [&](const QString&) { finished = true; });
    double found_at_ms = -1.0;
    double last_result_ms = 0.0;
    QObject::connect(&controller, &SessionController::resultReady,
                     [&](const FrameResult& r) { last_result_ms = r.timestamp_ms; });
    QObject::connect(&controller, &SessionController::momentFound,
                     [&](int, const LiveMoment&) { found_at_ms = last_result_ms; });

    SourceSpec spec;
    spec.kind = SourceSpec::Kind::VideoFile;
    spec.path = clip.string();
    window.setSourceSpec(spec);
    ASSERT_TRUE(window.startSession()) << window.errorText().toStdString();
    auto* rail = window.momentList();
    ASSERT_TRUE(rail);
    EXPECT_EQ(rail->count(), 0);

    // Live: the moment is in the rail while the clip still plays, tinted as the newest.
    ASSERT_TRUE(waitUntil([&] { return rail->count() == 1; }, std::chrono::seconds(30)));
    EXPECT_FALSE(finished) << "the moment appears during the session, not after it";
    EXPECT_TRUE(rail->isHighlighted(0));
    EXPECT_EQ(rail->moment(0).label, 0);
    EXPECT_NEAR(rail->moment(0).start_ms, 1600.0, 250.0);
    EXPECT_LT(found_at_ms - rail->moment(0).start_ms, 1000.0) << "reported within the hold";
    EXPECT_TRUE(rail->rowText(0).contains(QStringLiteral("happy")))
        << rail->rowText(0).toStdString();
    auto* list = rail->findChild<QListWidget*>(QStringLiteral("momentList"));
    ASSERT_TRUE(list);
    EXPECT_FALSE(list->item(0)->icon().isNull()) << "the face at the peak";
    EXPECT_EQ(window.timeline()->momentCount(), 1);

    // One click: a marker at the moment's start, labelled with its emotion; a second click
    // makes no second marker.
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {},
                      list->visualItemRect(list->item(0)).center());
    ASSERT_EQ(window.timeline()->markerCount(), 1);
    EXPECT_EQ(window.timeline()->markerLabel(0), QStringLiteral("happy"));
    EXPECT_EQ(rail->momentState(0), QStringLiteral("marker"));
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {},
                      list->visualItemRect(list->item(0)).center());
    EXPECT_EQ(window.timeline()->markerCount(), 1);

    ASSERT_TRUE(waitUntil([&] { return finished; }, std::chrono::seconds(60)));
    // It ended when the face darkened again: its end is known in the rail.
    EXPECT_NEAR(rail->moment(0).end_ms, 3100.0, 300.0);
    EXPECT_EQ(rail->count(), 1);

    const SessionStore store(store_path);
    const auto session = store.sessions().at(0);
    const auto kept = store.liveMoments(session.id);
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0].moment.start_ms, rail->moment(0).start_ms);
    EXPECT_EQ(kept[0].moment.end_ms, rail->moment(0).end_ms);
    const auto thumbnail = decodeThumbnail(kept[0].thumbnail_jpeg);
    ASSERT_FALSE(thumbnail.empty());
    EXPECT_GT(cv::mean(thumbnail)[0], 150.0) << "the bright face of the peak";
    const auto markers = store.markers(session.id);
    ASSERT_EQ(markers.size(), 1u);
    EXPECT_EQ(markers[0].label, "happy");
    EXPECT_EQ(markers[0].start_ms, kept[0].moment.start_ms);
}

TEST(MomentsRail, WithoutAModelTheRailSaysWhyItIsEmpty) {
    SessionController controller([] { return std::make_unique<test::FixedFaceDetector>(); },
                                 nullptr);
    MainWindow window(controller);
    auto* rail = window.momentList();
    ASSERT_TRUE(rail);
    const auto labels = rail->findChildren<QLabel*>();
    bool said = false;
    for (const auto* label : labels)
        said = said || label->text().contains(QStringLiteral("No emotion model"));
    EXPECT_TRUE(said);
}

}  // namespace
}  // namespace emotrace::ui

namespace emotrace::ui {
namespace {

// Two people: a large face on the left (happy) and a small one on the right (sad), as a gallery
// shows the client small and the therapist's self-view large.
class TwoFaces : public FaceDetector {
  public:
    std::vector<Detection> detect(const cv::Mat&) override {
        return {{{10, 10, 80, 80}, 0.9f}, {{110, 30, 40, 40}, 0.9f}};
    }
    std::string name() const override { return "two"; }
};

class LeftHappyRightSad : public EmotionClassifier {
  public:
    LeftHappyRightSad() { info_.labels = {"happy", "sad"}; }
    const ModelInfo& info() const override { return info_; }
    std::vector<std::vector<float>> classify(std::span<const cv::Mat> faces) override {
        std::vector<std::vector<float>> out;
        for (std::size_t i = 0; i < faces.size(); ++i)
            out.push_back(i == 0 ? std::vector<float>{0.9f, 0.1f} : std::vector<float>{0.2f, 0.8f});
        return out;
    }

  private:
    ModelInfo info_;
};

// The timeline follows the largest face until the therapist clicks another: then that person,
// by their track, with the title saying so; a second click lets go.
TEST(FollowTheClient, AClickOnAFaceMakesTheTimelineFollowThatPerson) {
    test::TempDir dir;
    const auto clip = dir / "call.avi";
    test::writeTestVideo(clip, 100, 25.0, {160, 120});
    SessionController controller([] { return std::make_unique<TwoFaces>(); },
                                 std::make_unique<LeftHappyRightSad>());
    SessionKeeping keeping;
    keeping.store = dir / "sessions.sqlite";
    keeping.setup.labels = {"happy", "sad"};
    keeping.setup.detector = "two";
    controller.setKeeping(keeping);
    MainWindow window(controller);
    window.resize(1100, 860);
    window.show();
    FrameResult last;
    QObject::connect(&controller, &SessionController::resultReady,
                     [&](const FrameResult& r) { last = r; });
    SourceSpec spec;
    spec.kind = SourceSpec::Kind::VideoFile;
    spec.path = clip.string();
    window.setSourceSpec(spec);
    ASSERT_TRUE(window.startSession());
    ASSERT_TRUE(waitUntil([&] { return last.faces.size() == 2 && last.faces[1].track_id >= 0; }));
    EXPECT_NE(last.faces[0].track_id, last.faces[1].track_id) << "two people, two tracks";
    auto* happy = window.timeline()->plot()->graph(0);
    const auto latestHappy = [&] { return happy->data()->at(happy->dataCount() - 1)->value; };
    EXPECT_NEAR(latestHappy(), 0.9, 1e-6) << "the largest face first";

    const int small = last.faces[1].track_id;
    const auto centre = window.videoView()->frameToWidget(last.faces[1].box).center();
    QTest::mouseClick(window.videoView(), Qt::LeftButton, {}, centre.toPoint());
    ASSERT_EQ(controller.followedTrack(), small);
    const auto before = happy->dataCount();
    ASSERT_TRUE(waitUntil([&] { return happy->dataCount() > before + 2; }));
    EXPECT_NEAR(latestHappy(), 0.2, 1e-6) << "now the small face";
    QTest::mouseClick(window.videoView(), Qt::LeftButton, {}, centre.toPoint());
    EXPECT_FALSE(controller.followedTrack()) << "a second click lets go";
    QTest::mouseClick(window.videoView(), Qt::LeftButton, {}, centre.toPoint());
    window.stopSession();

    // The stored session follows the same person, and so does its review.
    const SessionStore store(keeping.store);
    const auto session = store.sessions().at(0);
    EXPECT_EQ(session.followed_track, small);
    ReviewSetup review;
    review.store_path = keeping.store;
    ReviewWorkspace workspace(review);
    ASSERT_TRUE(workspace.openSession(session.id));
    EXPECT_EQ(workspace.track(), small) << "not the larger, equally present face";
}

// The people of a call, as a therapist tells them apart: the large face is their own
// self-view, left out with one click in the People list (boxed, not read, not followed by the
// largest-face timeline, not kept); the small one is named "client" from its face's menu and
// followed. Included again and Ctrl+clicked, the therapist gets a timeline of their own beside
// the client's. The store keeps names and choices; the review lists faces by name.
TEST(FollowTheClient, NamesLeavingOutTheSelfViewAndOneTimelinePerPerson) {
    test::TempDir dir;
    const auto clip = dir / "call.avi";
    test::writeTestVideo(clip, 150, 25.0, {160, 120});
    SessionController controller([] { return std::make_unique<TwoFaces>(); },
                                 std::make_unique<LeftHappyRightSad>());
    SessionKeeping keeping;
    keeping.store = dir / "sessions.sqlite";
    keeping.setup.labels = {"happy", "sad"};
    keeping.setup.detector = "two";
    controller.setKeeping(keeping);
    MainWindow window(controller);
    window.resize(1100, 860);
    window.show();
    FrameResult last;
    int results = 0;
    QObject::connect(&controller, &SessionController::resultReady, [&](const FrameResult& r) {
        last = r;
        ++results;
    });
    SourceSpec spec;
    spec.kind = SourceSpec::Kind::VideoFile;
    spec.path = clip.string();
    window.setSourceSpec(spec);
    ASSERT_TRUE(window.startSession());
    ASSERT_TRUE(waitUntil([&] { return window.peopleList()->count() == 2; }));
    const int self_view = last.faces[0].track_id;
    const int client = last.faces[1].track_id;
    auto* table = window.peopleList()->table();
    const auto happy = [](EmotionTimeline* timeline) {
        auto* graph = timeline->plot()->graph(0);
        return graph->data()->at(graph->dataCount() - 1)->value;
    };
    const auto afterMoreResults = [&] {
        const int now = results;
        return waitUntil([&] { return results > now + 2; });
    };

    // One click leaves the self-view out.
    table->item(window.peopleList()->rowOf(self_view), PeopleList::kLeaveOut)
        ->setCheckState(Qt::Checked);
    EXPECT_TRUE(controller.isTrackExcluded(self_view));
    ASSERT_TRUE(afterMoreResults());
    EXPECT_TRUE(last.faces[0].probabilities.empty()) << "boxed, not read";
    EXPECT_FALSE(last.faces[1].probabilities.empty());
    EXPECT_NEAR(happy(window.timeline()), 0.2, 1e-6) << "the largest face read is the client";
    EXPECT_TRUE(window.videoView()->tagOf(self_view).contains("left out"));

    // Named from the face's own menu, then followed from the list.
    auto* menu = window.faceMenu(client);
    const auto actions = menu->actions();
    const auto name_client = std::find_if(actions.begin(), actions.end(),
                                          [](QAction* a) { return a->text() == "Name: client"; });
    ASSERT_NE(name_client, actions.end());
    (*name_client)->trigger();
    delete menu;
    EXPECT_EQ(controller.personName(client), "client");
    table->item(window.peopleList()->rowOf(client), PeopleList::kFollow)
        ->setCheckState(Qt::Checked);
    EXPECT_EQ(controller.followedTracks(), std::vector{client});
    EXPECT_EQ(window.videoView()->tagOf(client), QString("client \u00b7 following"));
    EXPECT_EQ(table->item(window.peopleList()->rowOf(client), PeopleList::kName)->text(), "client");

    // The therapist included again, named, and followed too: a timeline each.
    controller.setTrackExcluded(self_view, false);
    controller.setPersonName(self_view, "therapist");
    const auto centre = window.videoView()->frameToWidget(last.faces[0].box).center();
    QTest::mouseClick(window.videoView(), Qt::LeftButton, Qt::ControlModifier, centre.toPoint());
    EXPECT_EQ(controller.followedTracks(), (std::vector{client, self_view}));
    const auto timelines = window.timelines();
    ASSERT_EQ(timelines.size(), 2u);
    ASSERT_TRUE(afterMoreResults());
    EXPECT_NEAR(happy(timelines[0]), 0.2, 1e-6) << "the client's";
    EXPECT_NEAR(happy(timelines[1]), 0.9, 1e-6) << "the therapist's";
    window.stopSession();

    const SessionStore store(keeping.store);
    const auto session = store.sessions().at(0);
    EXPECT_EQ(session.followed_track, client) << "the first chosen opens the review";
    const auto people = store.people(session.id);
    ASSERT_EQ(people.size(), 2u);
    for (const auto& person : people) {
        EXPECT_TRUE(person.followed);
        EXPECT_FALSE(person.excluded);
        EXPECT_EQ(person.name, person.track_id == client ? "client" : "therapist");
    }
    ReviewSetup review;
    review.store_path = keeping.store;
    ReviewWorkspace workspace(review);
    ASSERT_TRUE(workspace.openSession(session.id));
    EXPECT_EQ(workspace.track(), client);
}

}  // namespace
}  // namespace emotrace::ui
