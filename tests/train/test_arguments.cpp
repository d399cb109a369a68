#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include <opencv2/imgcodecs.hpp>

#include "emotrace/command_line.h"
#include "emotrace/label_map.h"
#include "emotrace/train/arguments.h"
#include "emotrace/train/data_sources.h"
#include "emotrace/train/train_setup.h"
#include "test_support.h"

namespace emotrace::train {
namespace {

// A fer2013 data source over two files written into `dir`: a FER-2013 csv with one image (the
// same gradient) per "LABEL,Usage" row, and the FER+ vote file's rows after its header.
DataSources ferWithVotes(const std::filesystem::path& dir, const std::vector<std::string>& rows,
                         const std::string& votes) {
    std::string pixels;
    for (int p = 0; p < 48 * 48; ++p)
        pixels += (p ? " " : "") + std::to_string(p % 256);
    {
        std::ofstream fer(dir / "fer2013.csv");
        fer << "emotion,pixels,Usage\n";
        for (const auto& row : rows) {
            const auto comma = row.find(',');
            fer << row.substr(0, comma) << ',' << pixels << row.substr(comma) << '\n';
        }
    }
    std::ofstream(dir / "fer2013new.csv")
        << "Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,"
           "unknown,NF\n"
        << votes;
    DataSources sources;
    sources.dataset = "fer2013";
    sources.fer2013_csv = dir / "fer2013.csv";
    sources.ferplus_csv = dir / "fer2013new.csv";
    return sources;
}

// The message of the UsageError prepareData raises for `sources`; empty when it raises none.
std::string prepareDataRefusal(const DataSources& sources) {
    std::ostringstream log;
    try {
        prepareData(sources, log);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "";
}

// What a training tool's command line parses into: its training and data options as
// emotrace-train declares them.
struct Parsed {
    TrainSetup setup;
    DataSources data;
};

Parsed parsed(const std::vector<std::string>& words) {
    Parsed result;
    CLI::App app;
    cli::addStandardFlags(app);
    addTrainOptions(app, result.setup);
    addDataOptions(app, result.data);
    cli::parseCommandLine<UsageError>(app, words);
    return result;
}

// The UsageError's message for `words`; empty when they parse.
std::string usageMessage(const std::vector<std::string>& words) {
    try {
        parsed(words);
    } catch (const UsageError& e) {
        return e.what();
    }
    return "";
}

bool mentions(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(TrainOptions, ReadSeparateAndAttachedValues) {
    const auto setup = parsed({"--epochs=3", "--lr", "0.01", "--sampler"}).setup;
    EXPECT_EQ(setup.train.epochs, 3);
    EXPECT_DOUBLE_EQ(setup.train.learning_rate, 0.01);
    EXPECT_TRUE(setup.balancing.sampler);
}

TEST(TrainOptions, BadValuesNameTheOptionAndWhatWasExpected) {
    EXPECT_TRUE(mentions(usageMessage({"--epochs", "ten"}), "--epochs"))
        << usageMessage({"--epochs", "ten"});
    EXPECT_TRUE(mentions(usageMessage({"--epochs", "0"}), "not in range 1 to 100000"));
    EXPECT_TRUE(mentions(usageMessage({"--batch-size"}), "--batch-size"));
    EXPECT_EQ(usageMessage({"--smote=yes"}), "--smote takes no value");
    const auto dataset = usageMessage({"--dataset", "affectnet"});
    EXPECT_TRUE(mentions(dataset, "--dataset") && mentions(dataset, "affectnet")) << dataset;
    EXPECT_TRUE(mentions(usageMessage({"--lr", "-1"}), "--lr"));
    EXPECT_TRUE(mentions(usageMessage({"--frobnicate"}), "--frobnicate"));
    EXPECT_EQ(usageMessage({"--epochs", "12", "--smote"}), "");
}

// An option after --augment-extended changes the extended set, as the command line reads.
TEST(TrainOptions, TakeEffectInCommandLineOrder) {
    const auto after = parsed({"--augment-extended", "--rotation", "5"}).setup.augment;
    EXPECT_FLOAT_EQ(after.rotation_degrees, 5.0f);
    EXPECT_FLOAT_EQ(after.translation, AugmentOptions::extended().translation);
    const auto before = parsed({"--rotation", "5", "--augment-extended"}).setup.augment;
    EXPECT_FLOAT_EQ(before.rotation_degrees, AugmentOptions::extended().rotation_degrees);
}

TEST(TrainSetup, ClassWeightPowerImpliesClassWeightsAndIsApplied) {
    auto setup = parsed({"--class-weight-power", "0.5"}).setup;
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
    EXPECT_TRUE(mentions(usageMessage({"--class-weight-power", "-1"}), "--class-weight-power"));
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
        auto setup = parsed(words).setup;
        applyBalancingAndAugmentation(setup, training, log);
        EXPECT_FALSE(setup.train.mirrored_in_training) << words[0];
    }
}

// The setup after parsing one training option (with its value).
TrainSetup parsedOption(const std::vector<std::string>& words) {
    return parsed(words).setup;
}

TEST(TrainSetup, ShiftAverageGoesIntoTheTrainOptions) {
    EXPECT_EQ(parsedOption({"--shift-average", "2"}).train.shift_average, 2);
    EXPECT_EQ(TrainSetup{}.train.shift_average, 0);
    EXPECT_TRUE(mentions(usageMessage({"--shift-average", "-2"}), "--shift-average"));
    EXPECT_TRUE(mentions(usageMessage({"--shift-average", "-2"}), "not in range 0 to 1024"));
}

TEST(TrainSetup, MixupAlphaGoesIntoTheTrainOptions) {
    EXPECT_FLOAT_EQ(parsedOption({"--mixup", "0.2"}).train.mixup_alpha, 0.2f);
    EXPECT_EQ(TrainSetup{}.train.mixup_alpha, 0.0f);
    EXPECT_TRUE(mentions(usageMessage({"--mixup", "-1"}), "--mixup"));
}

TEST(CommandLine, QuotesWhatAShellWouldSplit) {
    EXPECT_EQ(commandLine("emotrace-train", {"--out", "my runs/a", "--epochs=2"}),
              "emotrace-train --out 'my runs/a' --epochs=2");
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

TEST(DataSources, FerPlusMixIsCheckedAndOnlyForFer2013Data) {
    EXPECT_NE(usageMessage({"--ferplus-mix", "1.5"}).find("--ferplus-mix"), std::string::npos);
    DataSources sources;
    sources.dataset = "ckplus";
    sources.ferplus_mix = 0.3;
    const auto refusal = prepareDataRefusal(sources);
    EXPECT_NE(refusal.find("fer2013 or combined"), std::string::npos) << refusal;
}

TEST(DataSources, FerPlusContemptMovesTrainingFacesOnlyAndOnlyForFer2013Data) {
    test::TempDir dir;
    auto sources =
        ferWithVotes(dir.path(), {"0,Training", "0,Training", "3,PublicTest", "3,PrivateTest"},
                     "Training,a,2,0,0,0,3,0,0,5,0,0\n"
                     "Training,b,0,0,0,0,6,0,0,4,0,0\n"
                     "PublicTest,c,0,0,0,0,0,0,0,10,0,0\n"
                     "PrivateTest,d,0,0,0,0,0,0,0,10,0,0\n");
    sources.ferplus_contempt = true;
    std::ostringstream log;
    const auto data = prepareData(sources, log);
    const auto contempt = paperLabelIndex("contempt");
    ASSERT_EQ(data.train.items.size(), 2u);
    EXPECT_EQ(data.train.items[0].label, contempt);
    EXPECT_EQ(data.train.items[1].label, paperLabelIndex("angry"));
    EXPECT_TRUE(data.train.items[0].soft_label.empty()) << "without --ferplus-mix, hard labels";
    ASSERT_EQ(data.validation.items.size(), 1u);
    ASSERT_EQ(data.test.items.size(), 1u);
    EXPECT_EQ(data.validation.items[0].label, paperLabelIndex("happy"));
    EXPECT_EQ(data.test.items[0].label, paperLabelIndex("happy"));
    EXPECT_NE(log.str().find("1 FER-2013 training faces moved to contempt"), std::string::npos)
        << log.str();
    EXPECT_NE(data.description.find("contempt"), std::string::npos) << data.description;

    sources.dataset = "ckplus";
    const auto refusal = prepareDataRefusal(sources);
    EXPECT_NE(refusal.find("--ferplus-contempt"), std::string::npos) << refusal;
}

TEST(DataSources, FerPlusMixGivesTrainingItemsSoftTargetsAndLeavesTheRestHard) {
    test::TempDir dir;
    auto sources = ferWithVotes(dir.path(), {"0,Training", "3,PublicTest", "3,PrivateTest"},
                                "Training,a,5,0,0,0,5,0,0,0,0,0\n"
                                "PublicTest,b,0,10,0,0,0,0,0,0,0,0\n"
                                "PrivateTest,c,0,10,0,0,0,0,0,0,0,0\n");
    sources.ferplus_mix = 0.5;
    std::ostringstream log;
    const auto data = prepareData(sources, log);
    ASSERT_EQ(data.train.items.size(), 1u);
    const auto& target = data.train.items[0].soft_label;
    ASSERT_EQ(target.size(), data.train.labels.size());
    EXPECT_FLOAT_EQ(target[static_cast<std::size_t>(data.train.items[0].label)], 0.75f);
    ASSERT_EQ(data.validation.items.size(), 1u);
    ASSERT_EQ(data.test.items.size(), 1u);
    EXPECT_TRUE(data.validation.items[0].soft_label.empty());
    EXPECT_TRUE(data.test.items[0].soft_label.empty());
    EXPECT_NE(log.str().find("blended into 3 of 3"), std::string::npos) << log.str();
    EXPECT_NE(data.description.find("FER+ votes (mix 0.5)"), std::string::npos) << data.description;
}

TEST(DataSources, AFolderOfFacePicturesIsAllTestSplit) {
    test::TempDir dir;
    const cv::Mat face(48, 48, CV_8UC1, cv::Scalar(128));
    for (const auto* name : {"anger/a.png", "anger/b.png", "happy/c.png"}) {
        std::filesystem::create_directories((dir / name).parent_path());
        ASSERT_TRUE(cv::imwrite((dir / name).string(), face));
    }
    DataSources sources;
    sources.dataset = "folder";
    sources.images_dir = dir.path();
    std::ostringstream log;
    const auto data = prepareData(sources, log);
    EXPECT_EQ(data.test.items.size(), 3u);
    EXPECT_TRUE(data.train.items.empty());
    EXPECT_TRUE(data.validation.items.empty());
    EXPECT_EQ(data.train.labels, data.test.labels);
    EXPECT_NE(data.description.find("all images as the test split"), std::string::npos)
        << data.description;
    EXPECT_NE(data.description.find("test 3"), std::string::npos) << data.description;

    const auto given = parsed({"--dataset", "folder", "--images", "/some/photos"}).data;
    EXPECT_EQ(given.dataset, "folder");
    EXPECT_EQ(given.images_dir, "/some/photos");
}

TEST(DataSources, ThroughPipelineRecropsOnlyTheSplitsAskedForAndCountsFacesNotFound) {
    test::TempDir dir;
    // Blank pictures: YuNet (the app's detector, from resources/) finds no face in them.
    const cv::Mat blank(48, 48, CV_8UC1, cv::Scalar(128));
    for (const auto* name : {"anger/a.png", "happy/b.png"}) {
        std::filesystem::create_directories((dir / name).parent_path());
        ASSERT_TRUE(cv::imwrite((dir / name).string(), blank));
    }
    auto sources =
        parsed({"--dataset", "folder", "--images", dir.path().string(), "--through-pipeline"}).data;
    ASSERT_TRUE(sources.through_pipeline);
    std::ostringstream log;
    sources.pipeline_splits = {"train"};
    const auto untouched = prepareData(sources, log);
    EXPECT_EQ(untouched.test.items.size(), 2u) << "the test split is not asked for";
    EXPECT_EQ(untouched.description.find("through"), std::string::npos) << untouched.description;
    sources.pipeline_splits = {"test"};
    const auto data = prepareData(sources, log);
    EXPECT_TRUE(data.test.items.empty());
    EXPECT_NE(log.str().find("test through the app's detection and crop: 0 of 2 faces found; "
                             "no face in"),
              std::string::npos)
        << log.str();
    EXPECT_NE(data.description.find("test through the app's face detection and crop (2 faces "
                                    "without a detection left out)"),
              std::string::npos)
        << data.description;
}

TEST(DataSources, CkPlusRepeatCopiesOnlyCkPlusTrainingFramesAndOnlyInTheCombinedSet) {
    test::TempDir dir;
    auto sources = ferWithVotes(dir.path(), {"0,Training", "3,PublicTest", "3,PrivateTest"}, "");
    // Twenty CK+ subjects, two frames each: the 80/10/10 subject split puts some in each part.
    const cv::Mat face(48, 48, CV_8UC1, cv::Scalar(100));
    for (int subject = 10; subject < 30; ++subject) {
        for (int frame = 1; frame <= 2; ++frame) {
            const auto name =
                dir.path() / "ck" / "happy" /
                ("S0" + std::to_string(subject) + "_001_0000000" + std::to_string(frame) + ".png");
            std::filesystem::create_directories(name.parent_path());
            ASSERT_TRUE(cv::imwrite(name.string(), face));
        }
    }
    sources.dataset = "combined";
    sources.ckplus_dir = dir.path() / "ck";
    std::ostringstream log;
    const auto once = prepareData(sources, log);
    const auto countOrigins = [](const Dataset& data) {
        std::map<std::string, int> seen;
        for (const auto& item : data.items)
            ++seen[item.origin];
        return seen;
    };
    const std::size_t ck_train = once.train.items.size() - 1;  // one FER-2013 training row
    ASSERT_GT(ck_train, 0u);

    sources.ckplus_repeat = parsed({"--ckplus-repeat", "3"}).data.ckplus_repeat;
    ASSERT_EQ(sources.ckplus_repeat, 3u);
    const auto thrice = prepareData(sources, log);
    EXPECT_EQ(thrice.train.items.size(), 1 + 3 * ck_train);
    for (const auto& [origin, times] : countOrigins(thrice.train)) {
        const bool from_ck = origin.find("happy/S0") != std::string::npos;
        EXPECT_EQ(times, from_ck ? 3 : 1) << origin;
    }
    EXPECT_EQ(countOrigins(thrice.validation), countOrigins(once.validation));
    EXPECT_EQ(countOrigins(thrice.test), countOrigins(once.test));
    EXPECT_NE(thrice.description.find("each of the " + std::to_string(ck_train) +
                                      " CK+ training frames 3 times"),
              std::string::npos)
        << thrice.description;

    EXPECT_TRUE(mentions(usageMessage({"--ckplus-repeat", "0"}), "--ckplus-repeat"));
    EXPECT_TRUE(mentions(usageMessage({"--ckplus-repeat", "0"}), "not in range 1 to 100"));
    sources.dataset = "fer2013";
    const auto refusal = prepareDataRefusal(sources);
    EXPECT_NE(refusal.find("needs --dataset combined, got 'fer2013'"), std::string::npos)
        << refusal;
}

TEST(DataSources, FolderNeedsImagesAndImagesNeedFolder) {
    DataSources sources;
    sources.dataset = "folder";
    std::ostringstream log;
    const auto refusal = prepareDataRefusal(sources);
    EXPECT_NE(refusal.find("--images DIR"), std::string::npos) << refusal;
    sources.dataset = "combined";
    sources.images_dir = "/some/photos";
    EXPECT_THROW(prepareData(sources, log), UsageError);
}

}  // namespace
TEST(DataSources, TheCallDegradingOptionsNeedThePipelineAndSayWhatTheyExpect) {
    // --degrade, --unlevelled, --level-eyes-beyond, --train-tilt and --write-pictures change or
    // show what
    // the app's detection is given: without --through-pipeline they are refused, before any
    // data are read.
    for (const auto& [option, value] :
         std::vector<std::pair<std::string, std::string>>{{"--degrade", "rotate:20"},
                                                          {"--unlevelled", ""},
                                                          {"--level-eyes-beyond", "0"},
                                                          {"--train-tilt", "30"},
                                                          {"--write-pictures", "/tmp/x"}}) {
        SCOPED_TRACE(option);
        std::vector<std::string> words = {option};
        if (!value.empty())
            words.push_back(value);
        const auto sources = parsed(words).data;
        const auto refusal = prepareDataRefusal(sources);
        EXPECT_NE(refusal.find(option), std::string::npos) << refusal;
        EXPECT_NE(refusal.find("needs --through-pipeline"), std::string::npos) << refusal;
    }
    EXPECT_TRUE(mentions(usageMessage({"--level-eyes-beyond", "-5"}), "--level-eyes-beyond"));
    EXPECT_TRUE(mentions(usageMessage({"--train-tilt", "-5"}), "--train-tilt"));
    const auto without_teacher = prepareDataRefusal(parsed({"--distill-mix", "0.3"}).data);
    EXPECT_NE(without_teacher.find("it needs --distill-from MODEL"), std::string::npos)
        << without_teacher;
    const auto missing_teacher =
        prepareDataRefusal(parsed({"--distill-from", "/nonexistent/teacher.pt"}).data);
    EXPECT_NE(missing_teacher.find("expected an emotrace model file, found no file at "
                                   "/nonexistent/teacher.pt"),
              std::string::npos)
        << missing_teacher;
    DataSources bad;
    bad.through_pipeline = true;
    bad.degrade = "twist:5";
    const auto refusal = prepareDataRefusal(bad);
    EXPECT_NE(refusal.find("expected none, rotate:DEGREES, shrink:PIXELS or blur:SIGMA"),
              std::string::npos)
        << refusal;
}

}  // namespace emotrace::train
