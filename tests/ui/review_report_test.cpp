#include "session_report.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <QImage>

#include "emotrace/error.h"
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
