#include <algorithm>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "emotrace/label_map.h"
#include "emotrace/model_info.h"
#include "emotrace/splits.h"

using namespace emotrace;

namespace {

LabeledImage itemOf(int label, std::string group) {
    LabeledImage item;
    item.image = cv::Mat(48, 48, CV_8UC1, cv::Scalar(label));
    item.label = label;
    item.group = std::move(group);
    item.origin = "item";
    return item;
}

// 60 subjects of 1-12 frames, each subject showing one or two classes (like CK+), plus 600
// ungrouped images with imbalanced classes (like FER-2013).
Dataset mixedDataset() {
    Dataset dataset;
    dataset.labels = {"a", "b", "c", "d"};
    for (int subject = 0; subject < 60; ++subject) {
        const int frames = 1 + (subject * 7) % 12;
        for (int frame = 0; frame < frames; ++frame) {
            const int label = (subject + (frame > frames / 2 ? 1 : 0)) % 4;
            dataset.items.push_back(itemOf(label, "S" + std::to_string(subject)));
        }
    }
    for (int i = 0; i < 600; ++i)
        dataset.items.push_back(itemOf(i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : i % 10 < 9 ? 2 : 3, ""));
    return dataset;
}

std::vector<std::size_t> sides(const std::vector<std::size_t>& a, const std::vector<std::size_t>& b,
                               const std::vector<std::size_t>& c, std::size_t size) {
    std::vector<std::size_t> side(size, 99);
    for (auto* part : {&a, &b, &c}) {
        for (std::size_t index : *part) {
            EXPECT_EQ(side.at(index), 99u) << "item " << index << " is on two sides";
            side[index] = static_cast<std::size_t>(part == &a ? 0 : part == &b ? 1 : 2);
        }
    }
    return side;
}

void expectNoGroupOnTwoSides(const Dataset& dataset, const std::vector<std::size_t>& side) {
    std::map<std::string, std::size_t> side_of_group;
    for (std::size_t i = 0; i < dataset.items.size(); ++i) {
        const std::string& group = dataset.items[i].group;
        if (group.empty() || side[i] == 99)
            continue;
        const auto [found, inserted] = side_of_group.emplace(group, side[i]);
        EXPECT_EQ(found->second, side[i]) << "group " << group << " is on two sides";
    }
}

// Share of each class within `indices`.
std::vector<double> classShares(const Dataset& dataset, const std::vector<std::size_t>& indices) {
    std::vector<double> shares(dataset.labels.size(), 0.0);
    for (std::size_t index : indices)
        shares[static_cast<std::size_t>(dataset.items[index].label)] += 1.0;
    for (auto& share : shares)
        share /= static_cast<double>(indices.size());
    return shares;
}

void expectStratified(const Dataset& dataset, const std::vector<std::size_t>& part,
                      double tolerance) {
    std::vector<std::size_t> all(dataset.items.size());
    for (std::size_t i = 0; i < all.size(); ++i)
        all[i] = i;
    const auto whole = classShares(dataset, all);
    const auto shares = classShares(dataset, part);
    for (std::size_t c = 0; c < whole.size(); ++c)
        EXPECT_NEAR(shares[c], whole[c], tolerance) << "class " << dataset.labels[c];
}

}  // namespace

TEST(StratifiedGroupSplit, EveryItemOnceNoGroupOnTwoSidesFractionsAndClassesKept) {
    const Dataset dataset = mixedDataset();
    const Split split = stratifiedGroupSplit(dataset, {0.7, 0.15, 0.15}, 42);
    const auto side = sides(split.train, split.validation, split.test, dataset.items.size());
    EXPECT_EQ(std::count(side.begin(), side.end(), 99u), 0);
    expectNoGroupOnTwoSides(dataset, side);
    const double n = static_cast<double>(dataset.items.size());
    EXPECT_NEAR(static_cast<double>(split.train.size()) / n, 0.70, 0.02);
    EXPECT_NEAR(static_cast<double>(split.validation.size()) / n, 0.15, 0.02);
    EXPECT_NEAR(static_cast<double>(split.test.size()) / n, 0.15, 0.02);
    expectStratified(dataset, split.train, 0.02);
    expectStratified(dataset, split.validation, 0.04);
    expectStratified(dataset, split.test, 0.04);
}

TEST(StratifiedGroupSplit, SameSeedSameSplitOtherSeedOtherSplit) {
    const Dataset dataset = mixedDataset();
    const Split a = stratifiedGroupSplit(dataset, {}, 7);
    const Split b = stratifiedGroupSplit(dataset, {}, 7);
    const Split c = stratifiedGroupSplit(dataset, {}, 8);
    EXPECT_EQ(a.train, b.train);
    EXPECT_EQ(a.test, b.test);
    EXPECT_NE(a.test, c.test);
}

TEST(StratifiedGroupSplit, ZeroFractionSideStaysEmptyAndBadFractionsAreErrors) {
    const Dataset dataset = mixedDataset();
    const Split split = stratifiedGroupSplit(dataset, {0.8, 0.0, 0.2}, 1);
    EXPECT_TRUE(split.validation.empty());
    EXPECT_EQ(split.train.size() + split.test.size(), dataset.items.size());
    EXPECT_THROW(stratifiedGroupSplit(dataset, {0.8, 0.3, 0.1}, 1), Error);
    EXPECT_THROW(stratifiedGroupSplit(dataset, {1.2, -0.1, -0.1}, 1), Error);
}

TEST(StratifiedGroupKFold, EachItemTestedOnceNoLeaksAndStratifiedFolds) {
    const Dataset dataset = mixedDataset();
    KFoldOptions options;
    options.folds = 5;
    options.validation_fraction = 0.1;
    options.seed = 3;
    const auto folds = stratifiedGroupKFold(dataset, options);
    ASSERT_EQ(folds.size(), 5u);
    std::vector<int> tested(dataset.items.size(), 0);
    for (const Split& fold : folds) {
        const auto side = sides(fold.train, fold.validation, fold.test, dataset.items.size());
        EXPECT_EQ(std::count(side.begin(), side.end(), 99u), 0);
        expectNoGroupOnTwoSides(dataset, side);
        for (std::size_t index : fold.test)
            ++tested[index];
        EXPECT_NEAR(static_cast<double>(fold.test.size()),
                    static_cast<double>(dataset.items.size()) / 5.0, 15.0);
        EXPECT_FALSE(fold.validation.empty());
        expectStratified(dataset, fold.test, 0.04);
        expectStratified(dataset, fold.train, 0.02);
    }
    EXPECT_EQ(std::count(tested.begin(), tested.end(), 1), static_cast<long>(tested.size()));
    EXPECT_EQ(stratifiedGroupKFold(dataset, options)[2].test, folds[2].test);
}

TEST(StratifiedGroupKFold, TooFewFoldsOrGroupsAreErrors) {
    Dataset dataset;
    dataset.labels = {"a", "b"};
    for (int i = 0; i < 10; ++i)
        dataset.items.push_back(itemOf(i % 2, i < 5 ? "S1" : "S2"));
    EXPECT_THROW(stratifiedGroupKFold(dataset, {1, 0.0, 0}), Error);
    EXPECT_THROW(stratifiedGroupKFold(dataset, {3, 0.0, 0}), Error);
    EXPECT_EQ(stratifiedGroupKFold(dataset, {2, 0.0, 0}).size(), 2u);
}

TEST(Fer2013Split, FollowsTheUsageColumn) {
    Fer2013Data data;
    data.dataset.labels = paperLabels();
    for (int i = 0; i < 5; ++i)
        data.dataset.items.push_back(itemOf(i, ""));
    data.usage = {Fer2013Usage::PrivateTest, Fer2013Usage::Training, Fer2013Usage::PublicTest,
                  Fer2013Usage::Training, Fer2013Usage::PrivateTest};
    const Split split = fer2013CanonicalSplit(data);
    EXPECT_EQ(split.train, (std::vector<std::size_t>{1, 3}));
    EXPECT_EQ(split.validation, (std::vector<std::size_t>{2}));
    EXPECT_EQ(split.test, (std::vector<std::size_t>{0, 4}));
    const Dataset test = subset(data.dataset, split.test);
    ASSERT_EQ(test.items.size(), 2u);
    EXPECT_EQ(test.items[1].label, 4);
    EXPECT_EQ(test.labels, paperLabels());
}

TEST(CombinedDataset, KeepsFer2013sSplitAndSplitsCkPlusBySubject) {
    Fer2013Data fer;
    fer.dataset.labels = paperLabels();
    for (int i = 0; i < 30; ++i) {
        fer.dataset.items.push_back(itemOf(i % 7, ""));
        fer.usage.push_back(i < 20   ? Fer2013Usage::Training
                            : i < 25 ? Fer2013Usage::PublicTest
                                     : Fer2013Usage::PrivateTest);
    }
    Dataset ck;
    ck.labels = {"anger", "contempt", "happy"};
    for (int subject = 0; subject < 40; ++subject) {
        for (int frame = 0; frame < 3; ++frame)
            ck.items.push_back(itemOf(subject % 3, "S" + std::to_string(subject)));
    }
    const CombinedDataset combined = combineFer2013AndCkPlus(fer, ck, {}, 5);
    EXPECT_EQ(combined.dataset.labels, paperLabels());
    ASSERT_EQ(combined.dataset.items.size(), 150u);
    EXPECT_EQ(combined.fer2013_items, 30u);
    EXPECT_EQ(combined.dataset.items[30].label, paperLabelIndex("anger"));
    EXPECT_EQ(combined.dataset.items[33].label, paperLabelIndex("contempt"));
    const auto side = sides(combined.split.train, combined.split.validation, combined.split.test,
                            combined.dataset.items.size());
    for (std::size_t i = 0; i < 30; ++i)
        EXPECT_EQ(side[i], static_cast<std::size_t>(fer.usage[i]));
    expectNoGroupOnTwoSides(combined.dataset, side);
    const auto ck_on = [&](std::size_t which) {
        return std::count(side.begin() + 30, side.end(), which);
    };
    EXPECT_NEAR(static_cast<double>(ck_on(0)), 96.0, 6.0);
    EXPECT_NEAR(static_cast<double>(ck_on(1)), 12.0, 3.0);
    EXPECT_NEAR(static_cast<double>(ck_on(2)), 12.0, 3.0);
}
