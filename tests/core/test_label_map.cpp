#include <gtest/gtest.h>

#include "emotrace/label_map.h"
#include "emotrace/load_report.h"
#include "emotrace/model_info.h"

using namespace emotrace;

namespace {

LabeledImage itemOf(int label, std::string origin = "x") {
    LabeledImage item;
    item.image = cv::Mat(48, 48, CV_8UC1, cv::Scalar(0));
    item.label = label;
    item.origin = std::move(origin);
    return item;
}

}  // namespace

TEST(LabelMap, DatasetNamesMapOntoThePaperClasses) {
    EXPECT_EQ(canonicalLabel("anger"), "angry");
    EXPECT_EQ(canonicalLabel("Anger"), "angry");
    EXPECT_EQ(canonicalLabel("happiness"), "happy");
    EXPECT_EQ(canonicalLabel("sadness"), "sad");
    EXPECT_EQ(canonicalLabel("surprise"), "surprise");
    EXPECT_EQ(canonicalLabel("contempt"), "contempt");
    for (const auto& label : paperLabels())
        EXPECT_EQ(canonicalLabel(label), label);
    EXPECT_EQ(paperLabelIndex("fear"), 3);
    EXPECT_TRUE(isKnownLabel("DISGUST"));
    EXPECT_FALSE(isKnownLabel("bored"));
}

TEST(LabelMap, UnknownNameIsAnErrorNamingItAndTheKnownOnes) {
    try {
        canonicalLabel("bored");
        FAIL() << "no error";
    } catch (const DatasetError& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("'bored'"), std::string::npos) << message;
        EXPECT_NE(message.find("angry (anger)"), std::string::npos) << message;
        EXPECT_NE(message.find("surprise"), std::string::npos) << message;
    }
}

TEST(LabelMap, Fer2013IndicesFollowItsDocumentedOrder) {
    const std::vector<std::string> expected{"angry", "disgust",  "fear",   "happy",
                                            "sad",   "surprise", "neutral"};
    for (int i = 0; i < 7; ++i)
        EXPECT_EQ(paperLabels()[static_cast<std::size_t>(fer2013ToPaperIndex(i))],
                  expected[static_cast<std::size_t>(i)]);
    EXPECT_THROW(fer2013ToPaperIndex(7), DatasetError);
    EXPECT_THROW(fer2013ToPaperIndex(-1), DatasetError);
}

TEST(LabelMap, FerPlusColumnsCoverAllEightClasses) {
    const std::vector<int> map = labelIndexMap(ferPlusEmotionColumns(), paperLabels());
    EXPECT_EQ(map, (std::vector<int>{5, 4, 7, 6, 0, 2, 3, 1}));
}

TEST(LabelMap, RelabellingMovesLabelsAndSoftLabels) {
    Dataset ck;
    ck.labels = {"anger", "happy", "sadness"};
    ck.items = {itemOf(0), itemOf(2)};
    ck.items[1].soft_label = {0.25f, 0.0f, 0.75f};
    const Dataset paper = toLabelSpace(ck, paperLabels());
    EXPECT_EQ(paper.labels, paperLabels());
    EXPECT_EQ(paper.items[0].label, 0);
    EXPECT_EQ(paper.items[1].label, 6);
    ASSERT_EQ(paper.items[1].soft_label.size(), 8u);
    EXPECT_FLOAT_EQ(paper.items[1].soft_label[0], 0.25f);
    EXPECT_FLOAT_EQ(paper.items[1].soft_label[6], 0.75f);
    Dataset odd;
    odd.labels = {"happy", "bored"};
    EXPECT_THROW(toLabelSpace(odd, paperLabels()), DatasetError);
}

TEST(LabelMap, MergingPutsDatasetsIntoOneLabelSpaceInOrder) {
    Dataset fer;
    fer.labels = fer2013Labels();
    fer.items = {itemOf(6, "fer:2"), itemOf(1, "fer:3")};
    Dataset ck;
    ck.labels = {"anger", "contempt"};
    ck.items = {itemOf(1, "ck/a")};
    const Dataset merged = mergeDatasets({fer, ck});
    EXPECT_EQ(merged.labels, paperLabels());
    ASSERT_EQ(merged.items.size(), 3u);
    EXPECT_EQ(merged.items[0].label, paperLabelIndex("neutral"));
    EXPECT_EQ(merged.items[1].label, paperLabelIndex("disgust"));
    EXPECT_EQ(merged.items[2].label, paperLabelIndex("contempt"));
    EXPECT_EQ(merged.items[2].origin, "ck/a");
}
