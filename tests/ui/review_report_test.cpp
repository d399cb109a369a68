#include "session_report.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <QImage>

#include "emotrace/error.h"
#include "review_markers.h"
#include "review_test_support.h"
#include "test_support.h"

namespace emotrace::ui {
namespace {

// The text of a PDF through poppler's pdftotext; nullopt when the tool is not installed.
std::optional<std::string> pdfText(const std::filesystem::path& pdf) {
    if (std::system("command -v pdftotext > /dev/null 2>&1") != 0)
        return std::nullopt;
    const auto text = pdf.string() + ".txt";
    const auto command = "pdftotext -layout '" + pdf.string() + "' '" + text + "'";
    if (std::system(command.c_str()) != 0)
        return std::string();
    std::ifstream in(text);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
}

class SessionReportTest : public ::testing::Test {
  protected:
    void SetUp() override {
        stored = test::storeReviewSession(folder.path());
        SessionStore store(stored.store);
        session = store.session(stored.id);
        frames = store.frames(stored.id);
        Marker laugh;
        laugh.start_ms = laugh.end_ms = 1000.0;
        laugh.label = "client laughs";
        laugh.note = "about the holiday";
        Marker call;
        call.start_ms = 3000.0;
        call.end_ms = 4500.0;
        call.label = "phone call";
        call.exclude = true;
        markers = {laugh, call};
    }

    test::TempDir folder;
    test::StoredReviewSession stored;
    SessionInfo session;
    std::vector<FrameRecord> frames;
    std::vector<Marker> markers;
};

TEST_F(SessionReportTest, TheReportPdfSaysWhatTheSessionShows) {
    const auto pdf = folder / "report.pdf";
    saveSessionReport(pdf, session, frames, markers, 1);
    ASSERT_TRUE(std::filesystem::exists(pdf));
    const auto text = pdfText(pdf);
    if (!text)
        EMOTRACE_SKIP_UNLESS_REQUIRED(
            "pdftotext (poppler-utils) is not installed: the PDF is not read back");
    EXPECT_NE(text->find(kDecisionSupportStatement), std::string::npos) << *text;
    for (const char* expected :
         {"session.avi", "client laughs", "about the holiday", "phone call", "mycnn_v1",
          "seeded test network", "yunet2023", "face_detection_yunet_2023mar.onnx", "complete",
          "Valence trend", "Emotion distribution", "Model card summary", "0:06.0"}) {
        EXPECT_NE(text->find(expected), std::string::npos) << "missing \"" << expected << "\" in\n"
                                                           << *text;
    }
}

TEST_F(SessionReportTest, TheTimelineIsWrittenAsPngOrPdf) {
    const auto png = folder / "timeline.png";
    saveTimeline(png, session, frames, markers, 1, {}, 1200, 400);
    const QImage image(QString::fromStdString(png.string()));
    ASSERT_FALSE(image.isNull());
    EXPECT_EQ(image.size(), QSize(1200, 400));

    const auto pdf = folder / "timeline.pdf";
    saveTimeline(pdf, session, frames, markers, 1);
    std::ifstream in(pdf, std::ios::binary);
    std::string magic(4, '\0');
    in.read(magic.data(), 4);
    EXPECT_EQ(magic, "%PDF");
}

TEST_F(SessionReportTest, AnUnwritableFileIsNamedInTheError) {
    const auto nowhere = folder / "no-such-folder" / "report.pdf";
    try {
        saveSessionReport(nowhere, session, frames, markers, 1);
        FAIL() << "expected OutputError";
    } catch (const OutputError& error) {
        EXPECT_NE(std::string(error.what()).find(nowhere.string()), std::string::npos);
    }
    EXPECT_THROW(saveTimeline(folder / "timeline.svg", session, frames, markers, 1), Error);
}

TEST(MarkerContext, MeansOverTheFramesAroundTheMarkerWithTheFacePresent) {
    TrackSeries series;
    series.time_ms = {0.0, 4000.0, 6000.0, 8000.0, 20000.0};
    series.probabilities = {{1.0f, 0.0f}, {0.5f, 0.5f}, {}, {0.0f, 1.0f}, {1.0f, 0.0f}};
    // Marker at 5 s: frames at 0 .. 10 s count; the absent one at 6 s does not.
    const auto means = meanProbabilitiesAround(series, 5000.0, 5000.0);
    ASSERT_EQ(means.size(), 2u);
    EXPECT_DOUBLE_EQ(means[0], 0.5);
    EXPECT_DOUBLE_EQ(means[1], 0.5);
    EXPECT_TRUE(meanProbabilitiesAround(series, 14000.0, 14000.0, 1000.0).empty());
}

}  // namespace
}  // namespace emotrace::ui

namespace emotrace::ui {
namespace {

// The stored session's track 1 turns sad after its gap: the report has a moments page with that
// moment, its time and its face (cut from the recording); a dismissed moment is left out and
// counted; the timeline is smoothed and says so.
TEST_F(SessionReportTest, TheReportHasAPageOfMomentsWithTheirFacesLessTheDismissed) {
    const auto moments = findMoments(frames, session.setup.labels);
    ASSERT_EQ(moments.size(), 1u);
    const auto pdf = folder / "report.pdf";
    saveSessionReport(pdf, session, frames, markers, 1);
    const auto text = pdfText(pdf);
    if (!text)
        EMOTRACE_SKIP_UNLESS_REQUIRED(
            "pdftotext (poppler-utils) is not installed: the PDF is not read back");
    for (const char* expected : {"Moments (face #1)", "moving average over 2.0 s", "leading"}) {
        EXPECT_NE(text->find(expected), std::string::npos) << "missing \"" << expected << "\" in\n"
                                                           << *text;
    }
    const auto moments_page = text->substr(text->find("Moments (face #1)"));
    EXPECT_NE(moments_page.find("sad"), std::string::npos) << moments_page;
    EXPECT_NE(moments_page.find(formatSessionTime(moments[0].start_ms / 1000.0).toStdString()),
              std::string::npos)
        << moments_page;
    EXPECT_EQ(moments_page.find("(no picture)"), std::string::npos) << "the face was cut";

    ReportMomentRecords records;
    records.decisions.push_back({moments[0], MomentDecision::Dismissed});
    const auto without = folder / "without.pdf";
    saveSessionReport(without, session, frames, markers, 1, records);
    const auto rest = pdfText(without).value_or("");
    EXPECT_NE(rest.find("1 moment(s) dismissed in review are left out"), std::string::npos) << rest;
    EXPECT_NE(rest.find("No moments."), std::string::npos) << rest;
}

}  // namespace
}  // namespace emotrace::ui
