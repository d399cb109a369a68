#include <gtest/gtest.h>

#include <filesystem>

#include "emotrace/train/checkpoint.h"
#include "emotrace/train/trainer.h"
#include "test_support.h"
#include "train_test_data.h"

namespace emotrace::train {
namespace {

TrainResult trainOneEpoch(const std::filesystem::path& out, int epochs = 1) {
    const auto data = test::stripesDataset(8);
    TrainOptions o;
    o.model = "mycnn_v1";
    o.batch_size = 8;
    o.epochs = epochs;
    o.threads = 1;
    o.show_progress = false;
    o.out_dir = out;
    o.resume = true;
    return train(data, data, o);
}

TEST(Checkpoint, RoundTripKeepsProgressHistoryAndWeights) {
    test::TempDir dir;
    const auto result = trainOneEpoch(dir.path());
    const auto info = readCheckpointInfo(result.checkpoint);
    EXPECT_EQ(info.model, "mycnn_v1");
    EXPECT_EQ(info.labels, (std::vector<std::string>{"class0", "class1"}));
    EXPECT_EQ(info.completed_epochs, 1);
    EXPECT_EQ(info.step_in_epoch, 0);
    ASSERT_EQ(info.history.size(), 1u);
    EXPECT_EQ(info.history[0].train_loss, result.history[0].train_loss);
    EXPECT_EQ(info.history[0].val_macro_f1, result.history[0].val_macro_f1);
    EXPECT_EQ(info.best_epoch, 1);
    const auto weights = readCheckpointWeights(result.checkpoint);
    ASSERT_FALSE(weights.empty());
    EXPECT_EQ(weights[0].name, "conv1_weight");
    EXPECT_EQ(weights[0].shape, (std::vector<std::int64_t>{32, 1, 3, 3}));
    EXPECT_EQ(weights[0].values.size(), 32u * 9u);
}

TEST(Checkpoint, TruncatedFileGivesAClearError) {
    test::TempDir dir;
    const auto result = trainOneEpoch(dir.path());
    const auto size = std::filesystem::file_size(result.checkpoint);
    std::filesystem::resize_file(result.checkpoint, size / 2);
    try {
        readCheckpointInfo(result.checkpoint);
        FAIL() << "expected a CheckpointError";
    } catch (const CheckpointError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("truncated"), std::string::npos) << message;
        EXPECT_NE(message.find(std::to_string(size / 2) + " bytes"), std::string::npos) << message;
    }
    EXPECT_THROW(trainOneEpoch(dir.path(), 2), CheckpointError);
}

TEST(Checkpoint, AnotherKindOfFileIsNotTakenForACheckpoint) {
    test::TempDir dir;
    const auto result = trainOneEpoch(dir.path());
    try {
        readCheckpointInfo(result.best_model);  // a model file, not a checkpoint
        FAIL() << "expected a CheckpointError";
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("not an emotrace checkpoint"), std::string::npos)
            << e.what();
    }
}

TEST(Checkpoint, FullDiskKeepsTheLastGoodCheckpoint) {
    if (!std::filesystem::exists("/dev/full"))
        GTEST_SKIP() << "/dev/full (a device that is always full) is missing";
    test::TempDir dir;
    const auto result = trainOneEpoch(dir.path());
    // The next save writes checkpoint.pt.partial first; make that land on a full device.
    auto partial = result.checkpoint;
    partial += ".partial";
    std::filesystem::create_symlink("/dev/full", partial);
    try {
        trainOneEpoch(dir.path(), 2);
        FAIL() << "expected an OutputError";
    } catch (const OutputError& e) {
        EXPECT_NE(std::string(e.what()).find("No space left"), std::string::npos) << e.what();
    }
    const auto info = readCheckpointInfo(result.checkpoint);
    EXPECT_EQ(info.completed_epochs, 1);
    EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(partial)));
    // With space again, the run continues from the good checkpoint.
    EXPECT_EQ(trainOneEpoch(dir.path(), 2).history.size(), 2u);
}

}  // namespace
}  // namespace emotrace::train
