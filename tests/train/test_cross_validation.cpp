#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "emotrace/train/cross_validation.h"
#include "test_support.h"
#include "train_test_data.h"

namespace emotrace::train {
namespace {

TEST(CrossValidation, TrainsEveryFoldAndSummarisesMeanAndStd) {
    auto data = test::stripesDataset(20, 2);
    for (std::size_t i = 0; i < data.items.size(); ++i)
        data.items[i].group = "S" + std::to_string(i / 2);  // 2 images per "subject"
    test::TempDir dir;
    TrainSetup setup;
    setup.train.model = "mycnn_v1";
    setup.train.epochs = 1;
    setup.train.batch_size = 8;
    setup.train.threads = 1;
    setup.train.show_progress = false;
    setup.train.out_dir = dir.path();
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
    EXPECT_EQ(header, "fold,test_accuracy,test_macro_f1,best_epoch");
}

}  // namespace
}  // namespace emotrace::train
