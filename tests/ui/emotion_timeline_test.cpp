#include "emotion_timeline.h"

#include <cmath>

#include <gtest/gtest.h>
#include <qcustomplot.h>

#include "ui_test_support.h"

namespace emotrace::ui {
namespace {

using test::face;
using test::frameResult;

struct Point {
    double key;
    double value;
};

std::vector<Point> points(const EmotionTimeline& timeline, int graph) {
    std::vector<Point> result;
    const auto data = timeline.plot()->graph(graph)->data();
    for (auto it = data->constBegin(); it != data->constEnd(); ++it) {
        result.push_back({it->key, it->value});
    }
    return result;
}

TEST(EmotionTimeline, OneLinePerLabelInTheLegend) {
    EmotionTimeline timeline;
    timeline.startSession({"angry", "happy", "sad"});
    ASSERT_EQ(timeline.plot()->graphCount(), 3);
    EXPECT_EQ(timeline.plot()->graph(1)->name(), "happy");
    EXPECT_EQ(timeline.plot()->legend->itemCount(), 3);
}

TEST(EmotionTimeline, FaceLessFramesBreakTheLinesWithOneNaN) {
    EmotionTimeline timeline;
    timeline.startSession({"angry", "happy"});
    const cv::Rect2f box(10, 10, 20, 20);
    timeline.addResult(frameResult(0, {face(box, {0.25f, 0.75f})}));
    timeline.addResult(frameResult(100, {face(box, {0.5f, 0.5f})}));
    timeline.addResult(frameResult(200, {}));  // no face: a gap starts
    timeline.addResult(frameResult(300, {}));  // still in the gap: nothing more
    timeline.addResult(frameResult(400, {face(box, {0.9f, 0.1f})}));

    const auto happy = points(timeline, 1);
    ASSERT_EQ(happy.size(), 4u);
    EXPECT_DOUBLE_EQ(happy[0].key, 0.0);
    EXPECT_FLOAT_EQ(happy[0].value, 0.75f);
    EXPECT_FLOAT_EQ(happy[1].value, 0.5f);
    EXPECT_DOUBLE_EQ(happy[2].key, 0.2);
    EXPECT_TRUE(std::isnan(happy[2].value));
    EXPECT_DOUBLE_EQ(happy[3].key, 0.4);
    EXPECT_FLOAT_EQ(happy[3].value, 0.1f);
    const auto angry = points(timeline, 0);
    ASSERT_EQ(angry.size(), 4u);
    EXPECT_TRUE(std::isnan(angry[2].value));
    EXPECT_FLOAT_EQ(angry[3].value, 0.9f);
}

TEST(EmotionTimeline, PlotsTheLargestFaceOfAFrame) {
    EmotionTimeline timeline;
    timeline.startSession({"angry", "happy"});
    timeline.addResult(
        frameResult(0, {face({0, 0, 10, 10}, {0.1f, 0.9f}), face({20, 0, 30, 30}, {0.6f, 0.4f})}));
    const auto angry = points(timeline, 0);
    ASSERT_EQ(angry.size(), 1u);
    EXPECT_FLOAT_EQ(angry[0].value, 0.6f);
}

TEST(EmotionTimeline, WithoutAModelNothingIsPlotted) {
    EmotionTimeline timeline;
    timeline.startSession({});
    timeline.addResult(frameResult(0, {face({0, 0, 10, 10}, {})}));
    EXPECT_EQ(timeline.plot()->graphCount(), 0);
}

TEST(EmotionTimeline, TheAxesFillTheWidthWithAndWithoutAModel) {
    EmotionTimeline timeline;
    timeline.resize(800, 300);
    timeline.show();
    for (const auto& labels : {std::vector<std::string>{}, std::vector<std::string>{"happy"}}) {
        timeline.startSession(labels);
        EXPECT_GT(timeline.plot()->axisRect()->rect().width(), 600) << labels.size() << " labels";
    }
}

TEST(EmotionTimeline, FollowsTheNewestSecondsAndKeepsTheWholeSession) {
    EmotionTimeline timeline;
    timeline.startSession({"happy"});
    for (int i = 0; i <= 600; ++i) {  // 60 s at 10 results a second
        timeline.addResult(frameResult(i * 100.0, {face({0, 0, 10, 10}, {0.5f})}));
    }
    timeline.replotNow();
    const auto range = timeline.plot()->xAxis->range();
    EXPECT_DOUBLE_EQ(range.upper, 60.0);
    EXPECT_DOUBLE_EQ(range.size(), timeline.visibleSeconds());
    EXPECT_EQ(points(timeline, 0).size(), 601u);
}

TEST(EmotionTimeline, PanningBackStopsFollowingAndReachingTheEdgeResumesIt) {
    EmotionTimeline timeline;
    timeline.startSession({"happy"});
    for (int i = 0; i <= 600; ++i) {
        timeline.addResult(frameResult(i * 100.0, {face({0, 0, 10, 10}, {0.5f})}));
    }
    timeline.plot()->xAxis->setRange(5.0, 25.0);  // as a mouse drag does
    EXPECT_FALSE(timeline.isFollowingLive());
    timeline.addResult(frameResult(60100.0, {face({0, 0, 10, 10}, {0.5f})}));
    timeline.replotNow();
    EXPECT_DOUBLE_EQ(timeline.plot()->xAxis->range().lower, 5.0);  // the user's view stays

    timeline.plot()->xAxis->setRange(45.0, 60.1);
    EXPECT_TRUE(timeline.isFollowingLive());

    timeline.setFollowingLive(false);
    timeline.setFollowingLive(true);
    EXPECT_DOUBLE_EQ(timeline.plot()->xAxis->range().upper, 60.1);
}

}  // namespace
}  // namespace emotrace::ui
