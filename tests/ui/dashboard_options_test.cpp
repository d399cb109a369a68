#include "dashboard_options.h"

#include <gtest/gtest.h>

#include "emotrace/error.h"

namespace emotrace::dashboard {
namespace {

TEST(DashboardOptions, ParsesEveryOption) {
    const auto options = parseDashboardOptions(
        {"--source", "camera:1", "--model=m.pt", "--detector", "haar", "--loop", "--threads", "2",
         "--smoothing", "1.25", "--screenshot", "out.png", "--quit-after", "7.5"});
    ASSERT_TRUE(options.source);
    EXPECT_EQ(options.source->kind, ui::SourceSpec::Kind::Camera);
    EXPECT_EQ(options.source->camera_index, 1);
    EXPECT_EQ(options.model, "m.pt");
    EXPECT_FALSE(options.default_model);
    EXPECT_EQ(options.detector.kind, DetectorKind::Haar);
    EXPECT_TRUE(options.loop);
    EXPECT_DOUBLE_EQ(options.smoothing_seconds, 1.25);
    EXPECT_EQ(options.threads, 2);
    EXPECT_EQ(options.screenshot, "out.png");
    EXPECT_DOUBLE_EQ(options.quit_after_seconds, 7.5);
    EXPECT_FALSE(options.help);
}

TEST(DashboardOptions, DefaultsToNoSourceAndTheShippedModel) {
    const auto options = parseDashboardOptions(std::vector<std::string>{});
    EXPECT_FALSE(options.source);
    EXPECT_TRUE(options.model.empty());  // resolved at start-up, when the file is there
    EXPECT_TRUE(options.default_model);
    const auto none = parseDashboardOptions({"--no-model"});
    EXPECT_TRUE(none.model.empty());
    EXPECT_FALSE(none.default_model);
    EXPECT_EQ(options.detector.kind, DetectorKind::YuNet2023);
    EXPECT_DOUBLE_EQ(options.smoothing_seconds, 0.5);  // chosen in docs/benchmarks.md
    EXPECT_DOUBLE_EQ(parseDashboardOptions({"--smoothing=0"}).smoothing_seconds, 0.0);
    EXPECT_TRUE(parseDashboardOptions({"--help"}).help);
}

TEST(DashboardOptions, RejectsBadInputWithTheOptionsName) {
    const std::vector<std::vector<std::string>> bad = {
        {"--nonsense"},
        {"video.mp4"},
        {"--model"},
        {"--threads", "0"},
        {"--threads", "two"},
        {"--quit-after", "-1"},
        {"--smoothing", "-0.5"},
        {"--smoothing", "nan"},
        {"--smoothing", "half"},
        {"--loop=yes"},
        {"--screenshot", "a.png"},  // without --quit-after
        {"--source", "camera:z"},
        {"--source", "a.mp4", "--review", "b.mp4"},
        {"--model", "m.pt", "--no-model"},
        {"--detector", "dlib"},
        {"--review-at", "-3"},
        {"--review-tab", "moment"},
        {"--record", "--no-keep"},  // nothing to record into
        {"--label", "C-017", "--no-keep"},
        {"--review-session", "0"},
        {"--review-session", "3", "--source", "camera:0"},
        {"--review-session", "3", "--review", "b.mp4"},
    };
    for (const auto& arguments : bad) {
        EXPECT_THROW(parseDashboardOptions(arguments), Error) << arguments[0];
    }
    try {
        parseDashboardOptions({"--threads", "two"});
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("--threads"), std::string::npos);
    }
}

TEST(DashboardOptions, LiveSessionsAreKeptUnlessToldAndRecordedOnlyWhenAsked) {
    const auto plain = parseDashboardOptions(std::vector<std::string>{});
    EXPECT_TRUE(plain.keep);
    EXPECT_FALSE(plain.record) << "recording is off by default";
    EXPECT_TRUE(plain.label.empty());
    const auto recorded =
        parseDashboardOptions({"--record", "--label", "C-017 week 3", "--store", "/tmp/s.sqlite"});
    EXPECT_TRUE(recorded.keep);
    EXPECT_TRUE(recorded.record);
    EXPECT_EQ(recorded.label, "C-017 week 3");
    EXPECT_FALSE(parseDashboardOptions({"--no-keep"}).keep);
    EXPECT_EQ(parseDashboardOptions({"--review-session", "12"}).review_session, 12);
    EXPECT_EQ(
        parseDashboardOptions({"--review-session", "12", "--review-tab", "moments"}).review_tab,
        "moments");
}

TEST(DashboardOptions, PeopleAreGivenByTrackWithANameAndWhatToDo) {
    const auto options = parseDashboardOptions(
        {"--person", "1:client:follow", "--person", "0:therapist:leave-out", "--person", "2:"});
    ASSERT_EQ(options.people.size(), 3u);
    EXPECT_EQ(options.people[0].track, 1);
    EXPECT_EQ(options.people[0].name, "client");
    EXPECT_TRUE(options.people[0].follow);
    EXPECT_FALSE(options.people[0].leave_out);
    EXPECT_EQ(options.people[1].name, "therapist");
    EXPECT_TRUE(options.people[1].leave_out);
    EXPECT_EQ(options.people[2].track, 2);
    EXPECT_EQ(options.people[2].name, "");
    for (const char* bad : {"client", "x:client", "1", "1:client:watch", "1:a:b:c"}) {
        try {
            parseDashboardOptions({"--person", bad});
            ADD_FAILURE() << bad << " was accepted";
        } catch (const Error& error) {
            EXPECT_NE(std::string(error.what()).find("TRACK:NAME"), std::string::npos)
                << error.what();
        }
    }
}

TEST(DashboardOptions, UsageNamesEveryOption) {
    for (const char* option :
         {"--source",     "--model",      "--no-model", "--detector",  "--loop",
          "--smoothing",  "--threads",    "--review",   "--review-at", "--review-tab",
          "--store",      "--no-keep",    "--record",   "--label",     "--review-session",
          "--screenshot", "--quit-after", "--person",   "--help",      "--version"}) {
        EXPECT_NE(usage().find(option), std::string::npos) << option;
    }
}

}  // namespace
}  // namespace emotrace::dashboard
