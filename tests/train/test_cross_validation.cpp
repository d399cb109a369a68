#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>

#include "emotrace/train/cross_validation.h"
#include "test_support.h"
#include "train_test_data.h"

namespace emotrace::train {
namespace {

// One quick epoch of the smallest network per fold, into `out`.
TrainSetup oneEpochSetup(const std::filesystem::path& out) {
    TrainSetup setup;
    setup.train.model = "mycnn_v1";
    setup.train.epochs = 1;
    setup.train.batch_size = 8;
    setup.train.threads = 1;
    setup.train.show_progress = false;
    setup.train.out_dir = out;
    return setup;
}

// Stripes of 2 classes, two images per "subject" (the group the folds keep together).
Dataset groupedStripes() {
    auto data = test::stripesDataset(20, 2);
    for (std::size_t i = 0; i < data.items.size(); ++i)
        data.items[i].group = "S" + std::to_string(i / 2);
    return data;
}

// Data beside the folds, as FER-2013 is with --folds-over ckplus.
FoldsBeside stripesBeside() {
    FoldsBeside beside;
    beside.training = test::stripesDataset(10, 2);
    beside.validation = test::stripesDataset(4, 2);
    return beside;
}

TEST(CrossValidation, TrainsEveryFoldAndSummarisesMeanAndStd) {
    const auto data = groupedStripes();
    test::TempDir dir;
    const auto setup = oneEpochSetup(dir.path());
    std::ostringstream log;
    const auto result = crossValidate(data, 3, setup, log);
    ASSERT_EQ(result.folds.size(), 3u);
    std::vector<double> accuracies;
    for (const auto& fold : result.folds) {
        accuracies.push_back(fold.accuracy);
        EXPECT_TRUE(
            std::filesystem::exists(dir / ("fold-" + std::to_string(fold.fold)) / "best_model.pt"));
    }
    EXPECT_DOUBLE_EQ(result.accuracy.mean, meanStd(accuracies).mean);
    EXPECT_DOUBLE_EQ(result.accuracy.std, meanStd(accuracies).std);
    std::ifstream csv(dir / "folds.csv");
    std::string header;
    std::getline(csv, header);
    std::string expected = "fold,test_accuracy,test_macro_f1,best_epoch";
    for (const auto& label : data.labels)
        expected += ",f1_" + label;
    EXPECT_EQ(header, expected);
    for (const auto& fold : result.folds)
        EXPECT_EQ(fold.class_f1.size(), data.labels.size());
    ASSERT_EQ(result.class_f1.size(), data.labels.size());
}

// --folds-over ckplus: what is beside the folds trains in every fold, and only the folded
// data is tested. A class that only the data beside holds is absent from every fold's test.
TEST(CrossValidation, DataBesideTheFoldsTrainsInEveryFoldAndIsNeverTested) {
    auto folded = groupedStripes();
    auto beside = stripesBeside();
    // Give the data beside a third class the folds never hold.
    folded.labels.push_back("third");
    beside.training.labels = beside.validation.labels = folded.labels;
    for (auto& item : beside.training.items)
        item.label = 2;
    test::TempDir dir;
    const auto setup = oneEpochSetup(dir.path());
    std::ostringstream log;
    const auto result = crossValidate(folded, 2, setup, log, beside);
    ASSERT_EQ(result.folds.size(), 2u);
    ASSERT_EQ(result.class_f1.size(), 3u);
    for (const auto& fold : result.folds) {
        ASSERT_EQ(fold.class_f1.size(), 3u);
        EXPECT_FALSE(std::isnan(fold.class_f1[0])) << "the folded classes are tested";
    }
    std::ifstream csv(dir / "folds.csv");
    std::string header;
    std::getline(csv, header);
    EXPECT_EQ(header, "fold,test_accuracy,test_macro_f1,best_epoch,f1_" + folded.labels[0] +
                          ",f1_" + folded.labels[1] + ",f1_third");
}

// --ckplus-repeat with --folds-over ckplus: the folded frames are repeated inside each fold's
// training part only, so a frame's copies never reach its test part.
TEST(CrossValidation, ARepeatCopiesTheFoldedFramesOfEachTrainingPartOnly) {
    auto folded = groupedStripes();
    auto beside = stripesBeside();
    test::TempDir once_dir;
    std::ostringstream once_log;
    crossValidate(folded, 2, oneEpochSetup(once_dir.path()), once_log, beside);
    beside.folded_training_repeat = 3;
    test::TempDir thrice_dir;
    std::ostringstream thrice_log;
    const auto result =
        crossValidate(folded, 2, oneEpochSetup(thrice_dir.path()), thrice_log, beside);
    ASSERT_EQ(result.folds.size(), 2u);
    // Each fold's line: "fold K: N training items (F folded[ x 3]), V validation, T test".
    const auto counts = [](const std::string& log, int fold) {
        const std::regex line("fold " + std::to_string(fold) +
                              R"(: (\d+) training items \((\d+) folded( x 3)?\), (\d+) )"
                              R"(validation, (\d+) test)");
        std::smatch found;
        EXPECT_TRUE(std::regex_search(log, found, line)) << log;
        if (found.empty())
            return std::array<std::size_t, 4>{};
        return std::array<std::size_t, 4>{std::stoul(found[1]), std::stoul(found[2]),
                                          std::stoul(found[4]), std::stoul(found[5])};
    };
    const std::size_t beside_count = beside.training.items.size();
    for (int fold = 1; fold <= 2; ++fold) {
        SCOPED_TRACE(fold);
        const auto once = counts(once_log.str(), fold);
        const auto thrice = counts(thrice_log.str(), fold);
        EXPECT_EQ(once[0], once[1] + beside_count) << "the folded frames once, and those beside";
        EXPECT_EQ(thrice[1], once[1]);
        EXPECT_EQ(thrice[0], 3 * once[1] + beside_count)
            << "the folded frames three times, those beside once";
        EXPECT_EQ(thrice[2], once[2]) << "validation holds each frame once";
        EXPECT_EQ(thrice[3], once[3]) << "and so does the test part";
    }
    EXPECT_NE(thrice_log.str().find(" folded x 3)"), std::string::npos) << thrice_log.str();
}

}  // namespace
}  // namespace emotrace::train
