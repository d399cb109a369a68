#include <gtest/gtest.h>

#include <sstream>

#include "emotrace/train/arguments.h"
#include "emotrace/train/data_sources.h"
#include "emotrace/train/train_setup.h"

namespace emotrace::train {
namespace {

std::string usageMessage(const std::vector<std::string>& words) {
    Arguments args(words);
    TrainSetup setup;
    DataSources data;
    try {
        while (args.next()) {
            if (!parseTrainOption(args, setup) && !parseDataOption(args, data))
                return "unknown " + args.name();
        }
    } catch (const UsageError& e) {
        return e.what();
    }
    return "";
}

TEST(Arguments, ReadsSeparateAndAttachedValues) {
    Arguments args({"--epochs=3", "--lr", "0.01", "--sampler", "--models", "a,b,,c"});
    TrainSetup setup;
    ASSERT_TRUE(args.next());
    ASSERT_TRUE(parseTrainOption(args, setup));
    ASSERT_TRUE(args.next());
    ASSERT_TRUE(parseTrainOption(args, setup));
    ASSERT_TRUE(args.next());
    ASSERT_TRUE(parseTrainOption(args, setup));
    EXPECT_EQ(setup.train.epochs, 3);
    EXPECT_DOUBLE_EQ(setup.train.learning_rate, 0.01);
    EXPECT_TRUE(setup.balancing.sampler);
    ASSERT_TRUE(args.next());
    EXPECT_FALSE(parseTrainOption(args, setup));
    EXPECT_EQ(args.list(), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_FALSE(args.next());
}

TEST(Arguments, BadValuesNameTheOptionAndWhatWasExpected) {
    EXPECT_EQ(usageMessage({"--epochs", "ten"}),
              "--epochs expects a whole number from 1 to 100000, got 'ten'");
    EXPECT_EQ(usageMessage({"--batch-size"}), "--batch-size needs a value");
    EXPECT_EQ(usageMessage({"--smote=yes"}), "--smote takes no value, got 'yes'");
    EXPECT_EQ(usageMessage({"--dataset", "affectnet"}),
              "--dataset expects fer2013, ferplus, ckplus or combined, got 'affectnet'");
    EXPECT_EQ(usageMessage({"--lr", "-1"}).substr(0, 22), "--lr expects a number ");
    EXPECT_EQ(usageMessage({"--frobnicate"}), "unknown --frobnicate");
}

TEST(TrainSetup, ClassWeightPowerImpliesClassWeightsAndIsApplied) {
    Arguments args({"--class-weight-power", "0.5"});
    TrainSetup setup;
    ASSERT_TRUE(args.next());
    ASSERT_TRUE(parseTrainOption(args, setup));
    EXPECT_TRUE(setup.balancing.class_weights);
    EXPECT_DOUBLE_EQ(setup.balancing.class_weight_power, 0.5);

    Dataset training;
    training.labels = {"a", "b"};
    for (int i = 0; i < 5; ++i) {
        LabeledImage item;
        item.image = cv::Mat(4, 4, CV_8UC1, cv::Scalar(i));
        item.label = i < 4 ? 0 : 1;  // 4 of a, 1 of b: weights 5/8 and 5/2 before the power
        training.items.push_back(item);
    }
    std::ostringstream log;
    applyBalancingAndAugmentation(setup, training, log);
    ASSERT_EQ(setup.train.class_weights.size(), 2u);
    EXPECT_FLOAT_EQ(setup.train.class_weights[1] / setup.train.class_weights[0], 2.0f);
    EXPECT_EQ(usageMessage({"--class-weight-power", "-1"}).substr(0, 36),
              "--class-weight-power expects a numbe");
}

TEST(TrainSetup, ModelsTrainedWithMirrorImagesAskForFlipAveraging) {
    Dataset training;
    training.labels = {"a"};
    std::ostringstream log;
    TrainSetup mirrored;
    applyBalancingAndAugmentation(mirrored, training, log);
    EXPECT_TRUE(mirrored.train.mirrored_in_training);  // the paper's augmentation flips

    for (const std::vector<std::string>& words :
         {std::vector<std::string>{"--no-flip"}, std::vector<std::string>{"--no-augment"}}) {
        Arguments args(words);
        TrainSetup setup;
        ASSERT_TRUE(args.next());
        ASSERT_TRUE(parseTrainOption(args, setup));
        applyBalancingAndAugmentation(setup, training, log);
        EXPECT_FALSE(setup.train.mirrored_in_training) << words[0];
    }
}

TEST(TrainSetup, ShiftAverageGoesIntoTheTrainOptions) {
    Arguments args({"--shift-average", "2"});
    TrainSetup setup;
    ASSERT_TRUE(args.next());
    ASSERT_TRUE(parseTrainOption(args, setup));
    EXPECT_EQ(setup.train.shift_average, 2);
    EXPECT_EQ(TrainSetup{}.train.shift_average, 0);
    EXPECT_EQ(usageMessage({"--shift-average", "-2"}),
              "--shift-average expects a whole number from 0 to 1024, got '-2'");
}

TEST(Arguments, CommandLineQuotesWhatAShellWouldSplit) {
    Arguments args({"--out", "my runs/a", "--epochs=2"});
    EXPECT_EQ(args.commandLine("emotrace-train"), "emotrace-train --out 'my runs/a' --epochs=2");
}

TEST(DataSources, MissingDataNamesThePathsTriedAndHowToGetThem) {
    DataSources sources;
    sources.dataset = "fer2013";
    sources.shared_data = "/nonexistent/shared";
    sources.cache = "/nonexistent/cache";
    std::ostringstream log;
    try {
        prepareData(sources, log);
        FAIL() << "expected a DatasetError";
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("/nonexistent/cache/fer2013/fer2013.csv"), std::string::npos);
        EXPECT_NE(message.find("unpack.sh"), std::string::npos) << message;
    }
}

}  // namespace
}  // namespace emotrace::train
