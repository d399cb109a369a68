#include "review_timeline.h"

#include <cmath>

#include <gtest/gtest.h>
#include <qcustomplot.h>

#include "review_test_support.h"

namespace emotrace::ui {
namespace {

TEST(TimeAxisMapping, PixelToTimeIsLinearAcrossTheAxisRect) {
    const TimeAxisSpan span{10.0, 20.0, 100.0, 500.0};
    EXPECT_DOUBLE_EQ(timeAtPixel(span, 100.0), 10.0);
    EXPECT_DOUBLE_EQ(timeAtPixel(span, 600.0), 20.0);
    EXPECT_DOUBLE_EQ(timeAtPixel(span, 350.0), 15.0);
    EXPECT_DOUBLE_EQ(timeAtPixel(span, 50.0), 9.0);  // left of the axis: before the range
}

TEST(TimeAxisMapping, TimeToPixelIsTheInverse) {
    const TimeAxisSpan span{-2.5, 37.5, 64.0, 800.0};
    for (const double seconds : {-2.5, 0.0, 1.25, 20.0, 37.5}) {
        EXPECT_NEAR(timeAtPixel(span, pixelAtTime(span, seconds)), seconds, 1e-9);
    }
    EXPECT_DOUBLE_EQ(pixelAtTime(span, 17.5), 64.0 + 400.0);
}

TEST(TimeAxisMapping, SeeksStayInsideTheSession) {
    EXPECT_DOUBLE_EQ(clampToSession(-3.0, 60.0), 0.0);
    EXPECT_DOUBLE_EQ(clampToSession(75.0, 60.0), 60.0);
    EXPECT_DOUBLE_EQ(clampToSession(12.5, 60.0), 12.5);
}

class ReviewTimelineTest : public ::testing::Test {
  protected:
    void SetUp() override {
        timeline.resize(900, 300);
        timeline.setLabels(paperLabels());
        frames = test::reviewFrames(paperLabels().size());
        timeline.setSeries(trackSeries(frames, 1));
        timeline.setDuration(6.0);
        timeline.fitAll();
        timeline.show();
        timeline.plot()->replot();  // lays out the axis rect so pixels mean something
        connect();
    }
    void connect() {
        QObject::connect(&timeline, &ReviewTimeline::seekRequested,
                         [this](double seconds) { seeks.push_back(seconds); });
    }
    QPointF at(double seconds) const {
        const auto span = timeline.axisSpan();
        const QRect rect = timeline.plot()->axisRect()->rect();
        return {pixelAtTime(span, seconds), rect.center().y() * 1.0};
    }

    ReviewTimeline timeline;
    std::vector<FrameRecord> frames;
    std::vector<double> seeks;
};

TEST_F(ReviewTimelineTest, ClickingThePlotAsksToSeekThere) {
    test::click(timeline.plot(), at(4.0));
    ASSERT_EQ(seeks.size(), 1u);
    // One pixel is 6 s / ~800 px: the click lands within a pixel's worth of time.
    EXPECT_NEAR(seeks.front(), 4.0, 0.02);
}

TEST_F(ReviewTimelineTest, DraggingThePlayheadScrubsWithoutPanning) {
    timeline.setPlayhead(1.0);
    const auto range_before = timeline.plot()->xAxis->range();
    test::drag(timeline.plot(), at(1.0), at(3.0));
    ASSERT_FALSE(seeks.empty());
    EXPECT_NEAR(seeks.back(), 3.0, 0.02);
    EXPECT_DOUBLE_EQ(timeline.plot()->xAxis->range().lower, range_before.lower);
    EXPECT_DOUBLE_EQ(timeline.plot()->xAxis->range().upper, range_before.upper);
}

TEST_F(ReviewTimelineTest, DraggingElsewherePansTheTimeAxisOnly) {
    timeline.setPlayhead(0.0);
    const auto x_before = timeline.plot()->xAxis->range();
    const auto y_before = timeline.plot()->yAxis->range();
    test::drag(timeline.plot(), at(4.0), at(3.0));
    EXPECT_TRUE(seeks.empty());
    EXPECT_GT(timeline.plot()->xAxis->range().lower, x_before.lower + 0.5);
    EXPECT_DOUBLE_EQ(timeline.plot()->yAxis->range().lower, y_before.lower);
    timeline.fitAll();
    EXPECT_DOUBLE_EQ(timeline.plot()->xAxis->range().lower, 0.0);
    EXPECT_DOUBLE_EQ(timeline.plot()->xAxis->range().upper, 6.0);
}

TEST_F(ReviewTimelineTest, AnAbsentFaceBreaksTheLines) {
    const auto* data = timeline.plot()->graph(0)->data().data();
    int gaps = 0;
    for (auto it = data->constBegin(); it != data->constEnd(); ++it)
        gaps += std::isnan(it->value) ? 1 : 0;
    EXPECT_EQ(gaps, 1);  // one break for the ten frames without the face
    EXPECT_EQ(data->size(), test::kReviewFrames - (test::kAbsentTo - test::kAbsentFrom) + 1);
}

TEST_F(ReviewTimelineTest, EmotionsCanBeHiddenAndShownAgain) {
    timeline.setEmotionVisible(4, false);
    EXPECT_FALSE(timeline.isEmotionVisible(4));
    EXPECT_FALSE(timeline.plot()->graph(4)->visible());
    EXPECT_TRUE(timeline.isEmotionVisible(3));
    timeline.setEmotionVisible(4, true);
    EXPECT_TRUE(timeline.plot()->graph(4)->visible());
}

TEST_F(ReviewTimelineTest, MarkersAreLinesAndExclusionsAreShadedSpans) {
    Marker point;
    point.start_ms = point.end_ms = 1500.0;
    point.label = "laughs";
    Marker excluded;
    excluded.start_ms = 2000.0;
    excluded.end_ms = 4000.0;
    excluded.exclude = true;
    excluded.label = "phone call";
    timeline.setMarkers({point, excluded});
    int spans = 0;
    int captions = 0;
    for (int i = 0; i < timeline.plot()->itemCount(); ++i) {
        if (auto* rect = qobject_cast<QCPItemRect*>(timeline.plot()->item(i))) {
            ++spans;
            EXPECT_DOUBLE_EQ(rect->topLeft->coords().x(), 2.0);
            EXPECT_DOUBLE_EQ(rect->bottomRight->coords().x(), 4.0);
        }
        if (auto* text = qobject_cast<QCPItemText*>(timeline.plot()->item(i)))
            captions += text->text() == "laughs" || text->text() == "phone call";
    }
    EXPECT_EQ(spans, 1);
    EXPECT_EQ(captions, 2);
    timeline.setMarkers({});
    EXPECT_EQ(timeline.plot()->itemCount(), 1);  // the playhead stays
}

TEST_F(ReviewTimelineTest, LowQualityStretchesAreHatchedSpansThatMarkersLeaveAlone) {
    timeline.setLowQualityStretches(lowQualityStretches(frames, 1));
    EXPECT_EQ(timeline.lowQualityStretchCount(), 1);
    const auto hatched = [&] {
        std::vector<std::pair<double, double>> spans;
        for (int i = 0; i < timeline.plot()->itemCount(); ++i) {
            auto* rect = qobject_cast<QCPItemRect*>(timeline.plot()->item(i));
            if (rect && rect->brush().style() == Qt::BDiagPattern)
                spans.emplace_back(rect->topLeft->coords().x(), rect->bottomRight->coords().x());
        }
        return spans;
    };
    ASSERT_EQ(hatched().size(), 1u);
    EXPECT_DOUBLE_EQ(hatched()[0].first, test::kLowQualityFrom / test::kReviewFps);
    EXPECT_DOUBLE_EQ(hatched()[0].second, test::kLowQualityTo / test::kReviewFps);
    timeline.setMarkers({});
    EXPECT_EQ(hatched().size(), 1u) << "markers redrawn, the stretches stay";
    timeline.setLowQualityStretches({});
    EXPECT_TRUE(hatched().empty());
    EXPECT_EQ(timeline.lowQualityStretchCount(), 0);
}

}  // namespace
}  // namespace emotrace::ui
