#include <torch/torch.h>

#include <gtest/gtest.h>

#include <fstream>

#include "emotrace/emotion_classifier.h"
#include "emotrace/error.h"
#include "emotrace/nets.h"
#include "emotrace/test_time_views.h"
#include "test_models.h"
#include "test_support.h"

using emotrace::ModelError;
using emotrace::test::TempDir;

namespace {

void expectModelError(const std::filesystem::path& path, const std::string& expected_text) {
    try {
        emotrace::loadEmotionClassifier(path);
        FAIL() << "expected ModelError for " << path;
    } catch (const ModelError& e) {
        EXPECT_NE(std::string(e.what()).find(expected_text), std::string::npos) << e.what();
    }
}

cv::Mat rampFace(float offset) {
    cv::Mat face(48, 48, CV_32FC1);
    for (int y = 0; y < 48; ++y) {
        for (int x = 0; x < 48; ++x)
            face.at<float>(y, x) = std::fmod(offset + 0.01f * (x + y), 1.0f);
    }
    return face;
}

// A seeded MyCNNv1 saved with the test metadata, asking for the given test-time views.
void saveSeededModel(const std::filesystem::path& file, std::uint64_t seed,
                     const emotrace::nets::TestTimeViews& views) {
    torch::manual_seed(seed);
    auto module = emotrace::nets::makeMyCnnV1(8);
    module.eval();
    auto info = emotrace::test::testModelInfo();
    info.flip_average = views.flip;
    info.shift_average = views.shift;
    emotrace::nets::saveModelFile(module, info, file);
}

}  // namespace

TEST(ModelFile, RoundTripKeepsMetadataAndWeights) {
    TempDir dir;
    torch::manual_seed(3);
    auto module = emotrace::nets::makeMyCnnV1(8);
    module.eval();
    const auto info = emotrace::test::testModelInfo();
    emotrace::nets::saveModelFile(module, info, dir / "m.pt");

    auto loaded = emotrace::nets::loadModelFile(dir / "m.pt");
    EXPECT_EQ(loaded.info.architecture, "mycnn_v1");
    EXPECT_EQ(loaded.info.labels, info.labels);
    auto input = torch::rand({2, 1, 48, 48});
    torch::InferenceMode guard;
    auto expected = module.forward({input}).toTensor();
    auto actual = loaded.module.forward({input}).toTensor();
    EXPECT_TRUE(torch::allclose(expected, actual));
}

TEST(ModelFile, SaveLeavesNoPartialFileBehind) {
    TempDir dir;
    emotrace::test::writeTestModel(dir / "m.pt");
    int files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        ++files;
    }
    EXPECT_EQ(files, 1);
}

TEST(ModelFile, SaveIntoAMissingFolderIsAnOutputError) {
    TempDir dir;
    torch::manual_seed(1);
    auto module = emotrace::nets::makeMyCnnV1(8);
    EXPECT_THROW(emotrace::nets::saveModelFile(module, emotrace::test::testModelInfo(),
                                               dir / "no-such-folder" / "m.pt"),
                 emotrace::OutputError);
}

TEST(ModelFile, MissingFileIsNamed) {
    TempDir dir;
    expectModelError(dir / "absent.pt", "model file not found");
}

TEST(ModelFile, GarbageFileSaysWhatWasExpected) {
    TempDir dir;
    std::ofstream(dir / "garbage.pt") << "this is not a model";
    expectModelError(dir / "garbage.pt", "is not a TorchScript model archive");
}

TEST(ModelFile, TorchScriptWithoutMetadataIsRejectedWithHowToFix) {
    TempDir dir;
    torch::manual_seed(1);
    auto module = emotrace::nets::makeMyCnnV1(8);
    module.save((dir / "bare.pt").string());  // as a PyTorch export without metadata would be
    expectModelError(dir / "bare.pt", "has no emotrace metadata");
}

TEST(ModelFile, TorchScriptWithSidecarMetadataLoads) {
    TempDir dir;
    torch::manual_seed(1);
    auto module = emotrace::nets::makeMyCnnV1(7);
    module.eval();
    module.save((dir / "exported.pt").string());
    std::ofstream(dir / "exported.pt.json")
        << emotrace::toJson(emotrace::test::testModelInfo(emotrace::fer2013Labels()));
    auto classifier = emotrace::loadEmotionClassifier(dir / "exported.pt");
    EXPECT_EQ(classifier->info().labels, emotrace::fer2013Labels());
}

TEST(ModelFile, LabelCountThatDoesNotMatchTheOutputIsRejected) {
    TempDir dir;
    torch::manual_seed(1);
    auto module = emotrace::nets::makeMyCnnV1(7);                           // 7 outputs...
    emotrace::nets::saveModelFile(module, emotrace::test::testModelInfo(),  // ...8 labels
                                  dir / "m.pt");
    expectModelError(dir / "m.pt", "outputs 1x7 for one face, but its metadata lists 8 classes");
}

TEST(ModelFile, InputShapeThatTheNetworkRejectsIsReported) {
    TempDir dir;
    torch::manual_seed(1);
    auto module = emotrace::nets::makeMyCnnV1(8);  // one input channel
    auto info = emotrace::test::testModelInfo();
    info.input_channels = 3;
    emotrace::nets::saveModelFile(module, info, dir / "m.pt");
    expectModelError(dir / "m.pt", "failed on a 1x3x48x48 input");
}

TEST(Classifier, SevenClassFer2013ModelWorks) {
    TempDir dir;
    emotrace::test::writeTestModel(dir / "m7.pt", emotrace::fer2013Labels());
    auto classifier = emotrace::loadEmotionClassifier(dir / "m7.pt");
    const std::vector<cv::Mat> faces{rampFace(0.2f)};
    const auto p = classifier->classify(faces);
    ASSERT_EQ(p.size(), 1u);
    ASSERT_EQ(p[0].size(), 7u);
    float sum = 0.0f;
    for (float v : p[0]) {
        EXPECT_GE(v, 0.0f);
        sum += v;
    }
    EXPECT_NEAR(sum, 1.0f, 1e-5);
}

TEST(Classifier, BatchGivesTheSameProbabilitiesAsOneFaceAtATime) {
    TempDir dir;
    emotrace::test::writeTestModel(dir / "m.pt");
    auto classifier = emotrace::loadEmotionClassifier(dir / "m.pt");
    const std::vector<cv::Mat> faces{rampFace(0.0f), rampFace(0.3f), rampFace(0.6f)};
    const auto batch = classifier->classify(faces);
    ASSERT_EQ(batch.size(), 3u);
    for (std::size_t i = 0; i < faces.size(); ++i) {
        const auto single = classifier->classify(std::span(&faces[i], 1));
        for (std::size_t c = 0; c < 8; ++c)
            EXPECT_NEAR(batch[i][c], single[0][c], 1e-5);
    }
    EXPECT_NE(batch[0], batch[2]);  // different faces, different outputs
}

TEST(Classifier, OptimizedPathMatchesThePlainPath) {
    TempDir dir;
    torch::manual_seed(5);
    auto module = emotrace::nets::makeResNet18(8);
    // Non-trivial batch-norm statistics, so folding them into the convolutions is exercised.
    for (const auto& buffer : module.named_buffers()) {
        if (buffer.name.find("running_var") != std::string::npos)
            buffer.value.uniform_(0.5, 2.0);
        if (buffer.name.find("running_mean") != std::string::npos)
            buffer.value.uniform_(-0.1, 0.1);
    }
    module.eval();
    auto info = emotrace::test::testModelInfo();
    info.architecture = "resnet18";
    emotrace::nets::saveModelFile(module, info, dir / "r18.pt");
    auto plain = emotrace::loadEmotionClassifier(
        dir / "r18.pt", {.optimize = false, .flip_average = {}, .shift_average = {}});
    auto fast = emotrace::loadEmotionClassifier(
        dir / "r18.pt", {.optimize = true, .flip_average = {}, .shift_average = {}});
    const std::vector<cv::Mat> faces{rampFace(0.1f), rampFace(0.5f)};
    const auto a = plain->classify(faces);
    const auto b = fast->classify(faces);
    for (std::size_t i = 0; i < a.size(); ++i) {
        for (std::size_t c = 0; c < a[i].size(); ++c)
            EXPECT_NEAR(a[i][c], b[i][c], 1e-4);
    }
}

TEST(Classifier, WrongInputSizeIsAClearError) {
    TempDir dir;
    emotrace::test::writeTestModel(dir / "m.pt");
    auto classifier = emotrace::loadEmotionClassifier(dir / "m.pt");
    const std::vector<cv::Mat> faces{cv::Mat(32, 32, CV_32FC1, cv::Scalar(0.5))};
    EXPECT_THROW(classifier->classify(faces), ModelError);
}

TEST(ResNet18, HasTheTorchvisionParameterCountForOneChannelAndEightClasses) {
    auto module = emotrace::nets::makeResNet18(8);
    std::int64_t count = 0;
    for (const auto& p : module.parameters())
        count += p.numel();
    // torchvision resnet18: 11,689,512 with 3 input channels and 1000 classes. One channel
    // removes 2*64*7*7 = 6,272; 8 classes remove 992*512 + 992 = 508,896.
    EXPECT_EQ(count, 11'689'512 - 6'272 - 508'896);
}

TEST(ResNet18, TrainsOneStepWithFiniteLossAndChangingWeights) {
    torch::manual_seed(11);
    auto module = emotrace::nets::makeResNet18(8);
    module.train();
    std::vector<torch::Tensor> parameters;
    for (const auto& p : module.parameters()) {
        p.set_requires_grad(true);
        parameters.push_back(p);
    }
    const auto before = parameters.front().clone();
    torch::optim::AdamW optimizer(parameters, torch::optim::AdamWOptions(1e-3).weight_decay(1e-4));
    auto input = torch::rand({4, 1, 48, 48});
    auto target = torch::tensor({0, 3, 5, 7});
    auto loss = torch::cross_entropy_loss(module.forward({input}).toTensor(), target);
    loss.backward();
    optimizer.step();
    EXPECT_TRUE(std::isfinite(loss.item<float>()));
    EXPECT_FALSE(torch::equal(before, parameters.front()));
}

TEST(Classifier, FlipAverageIsTheMeanOfTheFaceAndItsMirrorImage) {
    TempDir dir;
    // flip_average is what the trainer writes for a model trained with flips.
    saveSeededModel(dir / "m.pt", 3, {.flip = true, .shift = 0});

    auto averaged = emotrace::loadEmotionClassifier(dir / "m.pt");
    auto single = emotrace::loadEmotionClassifier(
        dir / "m.pt", {.optimize = true, .flip_average = false, .shift_average = 0});
    EXPECT_TRUE(averaged->info().flip_average);
    EXPECT_FALSE(single->info().flip_average);

    const cv::Mat face = rampFace(0.1f);  // a left-to-right ramp: its mirror is another image
    cv::Mat mirror;
    cv::flip(face, mirror, 1);
    const std::vector<cv::Mat> faces{face, rampFace(0.6f)};
    const auto both = averaged->classify(faces);
    const auto plain = single->classify(std::vector<cv::Mat>{face, mirror});
    ASSERT_EQ(both.size(), 2u);
    float difference = 0.0f;
    for (std::size_t c = 0; c < 8; ++c) {
        EXPECT_NEAR(both[0][c], (plain[0][c] + plain[1][c]) / 2, 1e-5) << c;
        difference = std::max(difference, std::abs(plain[0][c] - plain[1][c]));
    }
    EXPECT_GT(difference, 1e-4) << "the face and its mirror must differ for the check to mean "
                                   "anything";
    // Each face of a batch is averaged with its own mirror, not with its neighbour's.
    const auto second = averaged->classify(std::vector<cv::Mat>{faces[1]});
    for (std::size_t c = 0; c < 8; ++c)
        EXPECT_NEAR(both[1][c], second[0][c], 1e-5) << c;
}

TEST(Classifier, ShiftAverageIsTheMeanOverTheMovedCopiesAndTheirMirrors) {
    TempDir dir;
    saveSeededModel(dir / "m.pt", 4, {.flip = true, .shift = 2});

    auto averaged = emotrace::loadEmotionClassifier(dir / "m.pt");
    EXPECT_EQ(averaged->info().shift_average, 2);
    auto single = emotrace::loadEmotionClassifier(
        dir / "m.pt", {.optimize = true, .flip_average = false, .shift_average = 0});
    EXPECT_EQ(single->info().shift_average, 0);

    // The ten views built with OpenCV: the face moved by 2 pixels each way (the border repeated
    // into the gap), and the mirror image of each.
    const cv::Mat face = rampFace(0.3f);
    cv::Mat padded;
    cv::copyMakeBorder(face, padded, 2, 2, 2, 2, cv::BORDER_REPLICATE);
    std::vector<cv::Mat> views{face};
    for (auto [dx, dy] : {std::pair{2, 0}, {-2, 0}, {0, 2}, {0, -2}})
        views.push_back(padded(cv::Rect(2 - dx, 2 - dy, 48, 48)).clone());
    for (std::size_t i = 0; i < 5; ++i) {
        cv::Mat mirror;
        cv::flip(views[i], mirror, 1);
        views.push_back(mirror);
    }
    const auto each = single->classify(views);
    const auto mean = averaged->classify(std::vector<cv::Mat>{face, rampFace(0.7f)});
    ASSERT_EQ(mean.size(), 2u);
    float spread = 0.0f;
    for (std::size_t c = 0; c < 8; ++c) {
        float sum = 0.0f;
        for (const auto& view : each) {
            sum += view[c];
            spread = std::max(spread, std::abs(view[c] - each[0][c]));
        }
        EXPECT_NEAR(mean[0][c], sum / 10, 1e-5) << c;
    }
    EXPECT_GT(spread, 1e-4) << "the views must differ for the check to mean anything";
    const auto second = averaged->classify(std::vector<cv::Mat>{rampFace(0.7f)});
    for (std::size_t c = 0; c < 8; ++c)
        EXPECT_NEAR(mean[1][c], second[0][c], 1e-5) << c;
    // An override the face cannot hold is refused with the metadata's message.
    EXPECT_THROW(emotrace::loadEmotionClassifier(
                     dir / "m.pt", {.optimize = false, .flip_average = {}, .shift_average = 24}),
                 emotrace::ModelError);
}

TEST(Classifier, AModelWithACompanionBesideItReadsTiltedFacesWithTheCompanion) {
    TempDir dir;
    saveSeededModel(dir / "m.pt", 11, {});
    saveSeededModel(dir / "m.tilted.pt", 12, {});
    EXPECT_EQ(emotrace::tiltedModelPath(dir / "m.pt"), dir / "m.tilted.pt");
    const std::vector<cv::Mat> faces = {rampFace(0.1f), rampFace(0.6f)};

    auto paired = emotrace::loadEmotionClassifier(dir / "m.pt");
    ASSERT_TRUE(paired->readsTiltedFacesApart());
    // Each model read alone, for comparison (the companion has no companion of its own).
    auto upright = emotrace::loadEmotionClassifier(dir / "m.pt", {.tilted_companion = false});
    auto tilted = emotrace::loadEmotionClassifier(dir / "m.tilted.pt");
    EXPECT_FALSE(upright->readsTiltedFacesApart());
    EXPECT_FALSE(tilted->readsTiltedFacesApart());
    const auto expect_same = [](const std::vector<std::vector<float>>& a,
                                const std::vector<std::vector<float>>& b) {
        ASSERT_EQ(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            ASSERT_EQ(a[i].size(), b[i].size());
            for (std::size_t c = 0; c < a[i].size(); ++c)
                EXPECT_NEAR(a[i][c], b[i][c], 1e-5) << "face " << i << " class " << c;
        }
    };
    expect_same(paired->classify(faces), upright->classify(faces));
    expect_same(paired->classifyTilted(faces), tilted->classify(faces));
    // The two models differ, so the test can tell which one read the faces.
    const auto a = upright->classify(faces);
    const auto b = tilted->classify(faces);
    EXPECT_GT(std::abs(a[0][0] - b[0][0]) + std::abs(a[0][1] - b[0][1]), 1e-4);
    EXPECT_EQ(paired->info().labels, upright->info().labels);
}

TEST(Classifier, ACompanionThatReadsOtherClassesIsRefusedWithBothFilesNamed) {
    TempDir dir;
    saveSeededModel(dir / "m.pt", 11, {});
    auto labels = emotrace::paperLabels();
    std::swap(labels[0], labels[1]);
    emotrace::test::writeTestModel(dir / "m.tilted.pt", labels, 12);
    try {
        emotrace::loadEmotionClassifier(dir / "m.pt");
        FAIL() << "expected ModelError";
    } catch (const ModelError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("m.tilted.pt"), std::string::npos) << message;
        EXPECT_NE(message.find("m.pt'"), std::string::npos) << message;
        EXPECT_NE(message.find("same classes in the same order"), std::string::npos) << message;
    }
    // Left out on request, the model alone loads.
    EXPECT_NO_THROW(emotrace::loadEmotionClassifier(dir / "m.pt", {.tilted_companion = false}));
}
