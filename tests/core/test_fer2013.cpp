#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <numeric>

#include <gtest/gtest.h>

#include "emotrace/fer2013.h"
#include "emotrace/label_map.h"
#include "emotrace/model_info.h"
#include "test_support.h"

using namespace emotrace;
using emotrace::test::TempDir;

namespace {

// 2304 space-separated values: pixel p is (seed + p) % 256.
std::string pixelsText(int seed, int count = 48 * 48) {
    std::string text;
    for (int p = 0; p < count; ++p)
        text += (p ? " " : "") + std::to_string((seed + p) % 256);
    return text;
}

std::filesystem::path writeFile(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

std::string goodFer2013() {
    return "emotion,pixels,Usage\n"
           "0," +
           pixelsText(0) + ",Training\n" + "6," + pixelsText(1) + ",PublicTest\n" + "3," +
           pixelsText(2) + ",PrivateTest\n" + "5," + pixelsText(3) + ",Training\n";
}

std::string errorOf(const std::function<void()>& action) {
    try {
        action();
    } catch (const DatasetError& error) {
        return error.what();
    }
    return "(no DatasetError)";
}

}  // namespace

TEST(Fer2013Loader, ReadsLabelsUsageAndPixelsInThePaperLabelSpace) {
    TempDir dir;
    const auto data = loadFer2013({writeFile(dir / "fer2013.csv", goodFer2013())});
    ASSERT_EQ(data.dataset.items.size(), 4u);
    EXPECT_EQ(data.dataset.labels, paperLabels());
    const auto& labels = data.dataset.labels;
    EXPECT_EQ(labels[static_cast<std::size_t>(data.dataset.items[0].label)], "angry");
    EXPECT_EQ(labels[static_cast<std::size_t>(data.dataset.items[1].label)], "neutral");
    EXPECT_EQ(labels[static_cast<std::size_t>(data.dataset.items[2].label)], "happy");
    EXPECT_EQ(labels[static_cast<std::size_t>(data.dataset.items[3].label)], "surprise");
    EXPECT_EQ(data.usage,
              (std::vector<Fer2013Usage>{Fer2013Usage::Training, Fer2013Usage::PublicTest,
                                         Fer2013Usage::PrivateTest, Fer2013Usage::Training}));
    EXPECT_EQ(data.lines, (std::vector<std::size_t>{2, 3, 4, 5}));
    const cv::Mat& image = data.dataset.items[1].image;
    ASSERT_EQ(image.type(), CV_8UC1);
    ASSERT_EQ(image.size(), cv::Size(48, 48));
    EXPECT_EQ(image.at<std::uint8_t>(0, 0), 1);
    EXPECT_EQ(image.at<std::uint8_t>(1, 0), (1 + 48) % 256);  // row-major, like the csv
    EXPECT_EQ(data.dataset.items[1].origin, "fer2013.csv:3");
    EXPECT_TRUE(data.dataset.items[1].group.empty());
    EXPECT_EQ(data.report.loaded(), 4u);
    EXPECT_EQ(data.report.skipped(), 0u);
}

TEST(Fer2013Loader, CanKeepFer2013sOwnSevenLabels) {
    TempDir dir;
    Fer2013Options options{writeFile(dir / "fer2013.csv", goodFer2013())};
    options.paper_labels = false;
    const auto data = loadFer2013(options);
    EXPECT_EQ(data.dataset.labels, fer2013Labels());
    EXPECT_EQ(data.dataset.items[1].label, 6);
}

TEST(Fer2013Loader, SkipsMalformedRowsAndNamesTheirLines) {
    TempDir dir;
    const std::string csv =
        "emotion,pixels,Usage\n"
        "0," +
        pixelsText(0) + ",Training\n" +                                           // line 2: good
        "1," + pixelsText(0, 2303) + ",Training\n" +                              // 3: short
        "2," + pixelsText(0, 2) + " x7 " + pixelsText(0, 2301) + ",Training\n" +  // 4: not a number
        "3," + pixelsText(0) + ",Validation\n" +          // 5: unknown Usage
        "7," + pixelsText(0) + ",Training\n" +            // 6: label 7
        "4,300 " + pixelsText(0, 2303) + ",Training\n" +  // 7: value 300
        "5," + pixelsText(5) + "\n" +                     // 8: missing column
        "6," + pixelsText(6) + ",PrivateTest\n";          // 9: good
    const auto data = loadFer2013({writeFile(dir / "fer2013.csv", csv)});
    EXPECT_EQ(data.dataset.items.size(), 2u);
    EXPECT_EQ(data.lines, (std::vector<std::size_t>{2, 9}));
    EXPECT_EQ(data.report.skipped(), 6u);
    const auto& reasons = data.report.skippedByReason();
    EXPECT_EQ(reasons.at("wrong pixel count"), 1u);
    EXPECT_EQ(reasons.at("bad pixel value"), 2u);
    EXPECT_EQ(reasons.at("unknown Usage"), 1u);
    EXPECT_EQ(reasons.at("label out of range"), 1u);
    EXPECT_EQ(reasons.at("too few columns"), 1u);
    const auto& examples = data.report.examples();
    ASSERT_EQ(examples.size(), 6u);
    EXPECT_NE(examples[0].find("fer2013.csv:3"), std::string::npos) << examples[0];
    EXPECT_NE(examples[0].find("found 2303"), std::string::npos) << examples[0];
    EXPECT_NE(examples[1].find("fer2013.csv:4"), std::string::npos) << examples[1];
    EXPECT_NE(examples[1].find("'x7'"), std::string::npos) << examples[1];
    EXPECT_NE(examples[2].find("fer2013.csv:5"), std::string::npos) << examples[2];
    EXPECT_NE(examples[2].find("Validation"), std::string::npos) << examples[2];
    EXPECT_NE(examples[3].find("fer2013.csv:6"), std::string::npos) << examples[3];
    EXPECT_NE(examples[4].find("fer2013.csv:7"), std::string::npos) << examples[4];
    EXPECT_NE(examples[4].find("300"), std::string::npos) << examples[4];
    EXPECT_NE(data.report.summary().find("6 skipped"), std::string::npos);
}

TEST(Fer2013Loader, ReportsOnlyTheFirstFewExamples) {
    TempDir dir;
    std::string csv = "emotion,pixels,Usage\n";
    for (int row = 0; row < 7; ++row)
        csv += "9," + pixelsText(row) + ",Training\n";
    Fer2013Options options{writeFile(dir / "fer2013.csv", csv)};
    options.max_reported = 3;
    const auto data = loadFer2013(options);
    EXPECT_EQ(data.report.skipped(), 7u);
    EXPECT_EQ(data.report.examples().size(), 3u);
    EXPECT_NE(data.report.summary().find("and 4 more"), std::string::npos);
}

TEST(Fer2013Loader, StrictModeStopsAtTheFirstBadRowNamingIt) {
    TempDir dir;
    const std::string csv = goodFer2013() + "1," + pixelsText(0, 100) + ",Training\n";
    Fer2013Options options{writeFile(dir / "fer2013.csv", csv)};
    options.strict = true;
    const std::string message = errorOf([&] { loadFer2013(options); });
    EXPECT_NE(message.find("fer2013.csv:6"), std::string::npos) << message;
    EXPECT_NE(message.find("found 100"), std::string::npos) << message;
}

TEST(Fer2013Loader, AcceptsWindowsLineEndingsQuotesAndNoUsageColumn) {
    TempDir dir;
    const std::string csv =
        "emotion,pixels\r\n3,\"" + pixelsText(7) + "\"\r\n4," + pixelsText(8);  // no final newline
    const auto data = loadFer2013({writeFile(dir / "train.csv", csv)});
    ASSERT_EQ(data.dataset.items.size(), 2u);
    EXPECT_EQ(data.usage[1], Fer2013Usage::Training);
    EXPECT_EQ(data.dataset.items[1].image.at<std::uint8_t>(0, 0), 8);
}

TEST(Fer2013Loader, ReadsTheXzFileDirectly) {
    TempDir dir;
    const auto csv = writeFile(dir / "fer2013.csv", goodFer2013());
    ASSERT_EQ(std::system(("xz -k " + csv.string()).c_str()), 0);
    const auto plain = loadFer2013({csv});
    const auto packed = loadFer2013({dir / "fer2013.csv.xz"});
    ASSERT_EQ(packed.dataset.items.size(), plain.dataset.items.size());
    for (std::size_t i = 0; i < plain.dataset.items.size(); ++i) {
        EXPECT_EQ(cv::norm(packed.dataset.items[i].image, plain.dataset.items[i].image), 0.0);
        EXPECT_EQ(packed.dataset.items[i].label, plain.dataset.items[i].label);
    }
}

TEST(Fer2013Loader, ACorruptXzFileIsAnError) {
    TempDir dir;
    const auto path = writeFile(dir / "fer2013.csv.xz", "this is not xz data");
    const std::string message = errorOf([&] { loadFer2013({path}); });
    EXPECT_NE(message.find("xz"), std::string::npos) << message;
}

TEST(Fer2013Loader, AMissingFileOrHeaderIsAnErrorNamingIt) {
    TempDir dir;
    std::string message = errorOf([&] { loadFer2013({dir / "nowhere.csv"}); });
    EXPECT_NE(message.find("nowhere.csv"), std::string::npos) << message;
    const auto path = writeFile(dir / "other.csv", "label,image\n1,2\n");
    message = errorOf([&] { loadFer2013({path}); });
    EXPECT_NE(message.find("emotion,pixels,Usage"), std::string::npos) << message;
    EXPECT_NE(message.find("label,image"), std::string::npos) << message;
}

namespace {

const std::string kVotesHeader =
    "Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF\n";

FerPlusData loadVotes(const TempDir& dir, const std::string& votes,
                      FerPlusVoteRule rule = FerPlusVoteRule::PluralityDropTies) {
    FerPlusOptions options;
    options.fer2013_csv = writeFile(dir / "fer2013.csv", goodFer2013());
    options.votes_csv = writeFile(dir / "fer2013new.csv", kVotesHeader + votes);
    options.rule = rule;
    return loadFerPlus(options);
}

std::string labelOf(const FerPlusData& data, std::size_t item) {
    return data.data.dataset.labels[static_cast<std::size_t>(data.data.dataset.items[item].label)];
}

}  // namespace

TEST(FerPlusLoader, TakesTheMajorityLabelAndTheVoteDistribution) {
    TempDir dir;
    const auto data = loadVotes(dir,
                                "Training,fer0.png,1,0,0,0,0,0,0,9,0,0\n"     // contempt
                                "PublicTest,fer1.png,2,6,2,0,0,0,0,0,0,0\n"   // happy
                                "PrivateTest,fer2.png,0,0,0,4,0,0,0,0,6,0\n"  // unknown wins
                                "Training,,0,0,0,0,0,0,0,0,0,10\n");          // not a face
    ASSERT_EQ(data.data.dataset.items.size(), 2u);
    EXPECT_EQ(data.data.dataset.labels, paperLabels());
    EXPECT_EQ(labelOf(data, 0), "contempt");
    EXPECT_EQ(labelOf(data, 1), "happy");
    EXPECT_EQ(data.data.usage[1], Fer2013Usage::PublicTest);
    EXPECT_EQ(data.data.dataset.items[1].origin, "fer2013.csv:3");
    EXPECT_EQ(data.dropped_unknown_or_not_face, 2u);
    const auto& soft = data.data.dataset.items[1].soft_label;
    ASSERT_EQ(soft.size(), 8u);
    EXPECT_FLOAT_EQ(soft[static_cast<std::size_t>(paperLabelIndex("happy"))], 0.6f);
    EXPECT_FLOAT_EQ(soft[static_cast<std::size_t>(paperLabelIndex("neutral"))], 0.2f);
    EXPECT_FLOAT_EQ(soft[static_cast<std::size_t>(paperLabelIndex("surprise"))], 0.2f);
    EXPECT_FLOAT_EQ(std::accumulate(soft.begin(), soft.end(), 0.0f), 1.0f);
}

TEST(FerPlusLoader, TieRulesAreExplicit) {
    const std::string votes =
        "Training,a,4,0,0,0,4,0,0,0,2,0\n"     // neutral = anger
        "PublicTest,b,0,5,0,0,0,0,0,0,5,0\n"   // happy ties unknown
        "PrivateTest,c,0,0,0,0,0,0,0,0,0,0\n"  // no votes
        "Training,d,0,0,4,3,3,0,0,0,0,0\n";    // surprise, 4 of 10
    TempDir dir;
    const auto dropped = loadVotes(dir, votes, FerPlusVoteRule::PluralityDropTies);
    EXPECT_EQ(dropped.data.dataset.items.size(), 1u);
    EXPECT_EQ(dropped.dropped_by_rule, 1u);
    EXPECT_EQ(dropped.dropped_unknown_or_not_face, 1u);
    EXPECT_EQ(dropped.dropped_no_votes, 1u);

    const auto first = loadVotes(dir, votes, FerPlusVoteRule::PluralityFirstInPaperOrder);
    ASSERT_EQ(first.data.dataset.items.size(), 2u);
    EXPECT_EQ(labelOf(first, 0), "angry");  // before neutral in paperLabels()
    EXPECT_EQ(labelOf(first, 1), "surprise");

    const auto majority = loadVotes(dir, votes, FerPlusVoteRule::StrictMajority);
    EXPECT_EQ(majority.data.dataset.items.size(), 0u);
    EXPECT_EQ(majority.dropped_by_rule, 2u);
}

TEST(FerPlusLoader, ReportsBadVoteRowsAndMisalignedUsage) {
    TempDir dir;
    const auto data = loadVotes(dir,
                                "Training,a,4,0,0,0,x,0,0,0,2,0\n"
                                "Training,b,0,5,0,0,0,0,0,0,0,0\n"  // fer2013.csv says PublicTest
                                "PrivateTest,c,0,0,0,0,0,0,0,3,0,0\n"
                                "Training,d,0,0,4\n");
    EXPECT_EQ(data.data.dataset.items.size(), 1u);
    EXPECT_EQ(data.votes_report.skipped(), 3u);
    const auto& examples = data.votes_report.examples();
    ASSERT_EQ(examples.size(), 3u);
    EXPECT_NE(examples[0].find("fer2013new.csv:2"), std::string::npos) << examples[0];
    EXPECT_NE(examples[1].find("fer2013new.csv:3"), std::string::npos) << examples[1];
    EXPECT_NE(examples[1].find("PublicTest"), std::string::npos) << examples[1];
    EXPECT_NE(examples[2].find("fer2013new.csv:5"), std::string::npos) << examples[2];
}

TEST(FerPlusLoader, AShorterVoteFileIsAnError) {
    TempDir dir;
    const std::string message =
        errorOf([&] { loadVotes(dir, "Training,a,4,0,0,0,0,0,0,0,2,0\n"); });
    EXPECT_NE(message.find("row-aligned"), std::string::npos) << message;
}

TEST(FerPlusLoader, RelabelsRowsAlreadyLoadedAsItWouldLoadThem) {
    TempDir dir;
    const auto loaded = loadVotes(dir,
                                  "Training,fer0.png,1,0,0,0,0,0,0,9,0,0\n"
                                  "PublicTest,fer1.png,2,6,2,0,0,0,0,0,0,0\n"
                                  "PrivateTest,fer2.png,0,0,0,4,0,0,0,0,6,0\n"
                                  "Training,,0,0,0,0,0,0,0,0,0,10\n");
    FerPlusOptions options;
    options.fer2013_csv = dir / "fer2013.csv";
    options.votes_csv = dir / "fer2013new.csv";
    const auto pixels = loadFer2013({dir / "fer2013.csv"});
    const auto relabelled = relabelByFerPlusVotes(pixels, options);
    ASSERT_EQ(relabelled.data.dataset.items.size(), loaded.data.dataset.items.size());
    for (std::size_t i = 0; i < loaded.data.dataset.items.size(); ++i) {
        const auto& a = relabelled.data.dataset.items[i];
        const auto& b = loaded.data.dataset.items[i];
        EXPECT_EQ(a.origin, b.origin);
        EXPECT_EQ(a.label, b.label);
        EXPECT_EQ(a.soft_label, b.soft_label);
        EXPECT_EQ(cv::norm(a.image, b.image, cv::NORM_INF), 0.0);
    }
    EXPECT_EQ(relabelled.data.lines, loaded.data.lines);
    EXPECT_EQ(relabelled.dropped_unknown_or_not_face, loaded.dropped_unknown_or_not_face);
    EXPECT_EQ(pixels.dataset.items[0].label, paperLabelIndex("angry"))
        << "the caller's rows keep FER-2013's labels";

    Fer2013Options own_labels;
    own_labels.csv = dir / "fer2013.csv";
    own_labels.paper_labels = false;
    EXPECT_THROW(relabelByFerPlusVotes(loadFer2013(own_labels), options), std::invalid_argument);
}

TEST(FerPlusBlend, MixesTheVoteDistributionIntoTheOwnLabel) {
    TempDir dir;
    // Line 2 (angry in FER-2013): FER+ says 1 neutral, 9 contempt. Line 3: unknown wins, so FER+
    // drops it. Lines 4 and 5 are not in the vote file's kept rows either (no votes).
    const auto votes = loadVotes(dir,
                                 "Training,fer0.png,1,0,0,0,0,0,0,9,0,0\n"
                                 "PublicTest,fer1.png,0,0,0,4,0,0,0,0,6,0\n"
                                 "PrivateTest,fer2.png,0,0,0,0,0,0,0,0,0,0\n"
                                 "Training,fer3.png,0,0,0,0,0,0,0,0,0,0\n");
    auto fer = loadFer2013({dir / "fer2013.csv"});
    ASSERT_EQ(blendFerPlusVotes(fer, votes, 0.25), 1u);
    const auto& items = fer.dataset.items;
    const auto at = [](const std::string& label) {
        return static_cast<std::size_t>(paperLabelIndex(label));
    };
    EXPECT_EQ(items[0].label, paperLabelIndex("angry"));  // the label is still FER-2013's
    ASSERT_EQ(items[0].soft_label.size(), 8u);
    EXPECT_FLOAT_EQ(items[0].soft_label[at("angry")], 0.75f);
    EXPECT_FLOAT_EQ(items[0].soft_label[at("neutral")], 0.025f);
    EXPECT_FLOAT_EQ(items[0].soft_label[at("contempt")], 0.225f);
    EXPECT_FLOAT_EQ(std::accumulate(items[0].soft_label.begin(), items[0].soft_label.end(), 0.0f),
                    1.0f);
    for (std::size_t i = 1; i < items.size(); ++i)
        EXPECT_TRUE(items[i].soft_label.empty()) << items[i].origin;
}

TEST(FerPlusContempt, MovesTrainingFacesWhereContemptLeadsTheVotesAndNothingElse) {
    TempDir dir;
    // Line 2 (Training): contempt leads 6 to 4. Lines 3 and 4 are PublicTest and PrivateTest,
    // where contempt leads too: validation and test keep FER-2013's label. Line 5 (Training):
    // contempt ties with anger, so it is not the plurality.
    const auto votes = loadVotes(dir,
                                 "Training,fer0.png,4,0,0,0,0,0,0,6,0,0\n"
                                 "PublicTest,fer1.png,0,0,0,0,0,0,0,9,1,0\n"
                                 "PrivateTest,fer2.png,1,0,0,0,0,0,0,9,0,0\n"
                                 "Training,fer3.png,2,0,0,0,4,0,0,4,0,0\n",
                                 FerPlusVoteRule::PluralityFirstInPaperOrder);
    auto fer = loadFer2013({dir / "fer2013.csv"});
    std::vector<int> before;
    for (const auto& item : fer.dataset.items)
        before.push_back(item.label);
    ASSERT_EQ(adoptFerPlusContempt(fer, votes), 1u);
    const auto& items = fer.dataset.items;
    EXPECT_EQ(items[0].label, paperLabelIndex("contempt"));
    for (std::size_t i = 1; i < items.size(); ++i)
        EXPECT_EQ(items[i].label, before[i]) << items[i].origin;
    EXPECT_TRUE(items[0].soft_label.empty()) << "only the label moves";

    // Blended afterwards, the target centres on contempt: 0.5 + 0.5 x 0.6.
    ASSERT_EQ(blendFerPlusVotes(fer, votes, 0.5), 4u);
    EXPECT_FLOAT_EQ(items[0].soft_label[static_cast<std::size_t>(paperLabelIndex("contempt"))],
                    0.8f);

    Fer2013Options seven{dir / "fer2013.csv"};
    seven.paper_labels = false;
    auto own_labels = loadFer2013(seven);
    EXPECT_THROW(adoptFerPlusContempt(own_labels, votes), std::invalid_argument);
}

TEST(FerPlusBlend, RefusesAMixOutsideZeroToOneAndSevenLabelData) {
    TempDir dir;
    const auto votes = loadVotes(dir,
                                 "Training,a,0,10,0,0,0,0,0,0,0,0\n"
                                 "PublicTest,b,0,10,0,0,0,0,0,0,0,0\n"
                                 "PrivateTest,c,0,10,0,0,0,0,0,0,0,0\n"
                                 "Training,d,0,10,0,0,0,0,0,0,0,0\n");
    auto fer = loadFer2013({dir / "fer2013.csv"});
    EXPECT_THROW(blendFerPlusVotes(fer, votes, 1.5), std::invalid_argument);
    EXPECT_THROW(blendFerPlusVotes(fer, votes, -0.1), std::invalid_argument);
    Fer2013Options seven{dir / "fer2013.csv"};
    seven.paper_labels = false;
    auto own_labels = loadFer2013(seven);
    EXPECT_THROW(blendFerPlusVotes(own_labels, votes, 0.5), std::invalid_argument);
    // Mix 1: the target is the vote distribution alone.
    ASSERT_EQ(blendFerPlusVotes(fer, votes, 1.0), 4u);
    EXPECT_FLOAT_EQ(
        fer.dataset.items[0].soft_label[static_cast<std::size_t>(paperLabelIndex("happy"))], 1.0f);
}

TEST(Fer2013RealData, HasTheCanonicalSplitSizes) {
    const auto path = test::sharedData("fer2013/fer2013.csv.xz");
    if (!path)
        EMOTRACE_SKIP_WITHOUT_DATA("fer2013/fer2013.csv.xz");
    const auto data = loadFer2013({*path});
    EXPECT_EQ(data.report.skipped(), 0u) << data.report.summary();
    std::size_t counts[3] = {0, 0, 0};
    for (auto usage : data.usage)
        ++counts[static_cast<int>(usage)];
    EXPECT_EQ(counts[0], 28709u);
    EXPECT_EQ(counts[1], 3589u);
    EXPECT_EQ(counts[2], 3589u);
}

TEST(FerPlusRealData, EveryKeptRowIsLabelledByItsTopVote) {
    const auto pixels = test::sharedData("fer2013/fer2013.csv.xz");
    const auto votes = test::sharedData("fer2013/fer2013new.csv");
    if (!pixels || !votes)
        EMOTRACE_SKIP_WITHOUT_DATA("fer2013/fer2013new.csv");
    FerPlusOptions options;
    options.fer2013_csv = *pixels;
    options.votes_csv = *votes;
    const auto data = loadFerPlus(options);
    EXPECT_EQ(data.votes_report.skipped(), 0u) << data.votes_report.summary();
    EXPECT_EQ(data.data.dataset.items.size() + data.dropped_by_rule + data.dropped_no_votes +
                  data.dropped_unknown_or_not_face,
              35887u);
    std::vector<std::size_t> per_class(8, 0);
    for (const auto& item : data.data.dataset.items) {
        const auto top = std::max_element(item.soft_label.begin(), item.soft_label.end());
        ASSERT_EQ(top - item.soft_label.begin(), item.label) << item.origin;
        ++per_class[static_cast<std::size_t>(item.label)];
    }
    for (std::size_t c = 0; c < per_class.size(); ++c)
        EXPECT_GT(per_class[c], 0u) << paperLabels()[c];
}
