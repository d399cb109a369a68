#include <torch/torch.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "emotrace/emotion_classifier.h"
#include "emotrace/error.h"
#include "emotrace/nets.h"
#include "emotrace/zoo.h"
#include "test_support.h"

using emotrace::nets::makeModel;
using emotrace::nets::modelNames;
using emotrace::test::TempDir;

namespace {

constexpr int kClasses = 8;

int64_t parameterCount(const torch::jit::Module& module) {
    int64_t count = 0;
    for (const auto& parameter : module.parameters())
        count += parameter.numel();
    return count;
}

bool startsWithAny(const std::string& text, const std::vector<std::string>& prefixes) {
    for (const auto& prefix : prefixes) {
        if (text.starts_with(prefix))
            return true;
    }
    return false;
}

torch::Tensor logits(torch::jit::Module& module, const torch::Tensor& input) {
    return module.forward({input}).toTensor();
}

class EveryModel : public testing::TestWithParam<std::string> {};

std::string testName(const testing::TestParamInfo<std::string>& info) {
    return info.param;
}

}  // namespace

TEST_P(EveryModel, GivesOneRowOfLogitsPerFaceInTrainingAndEvaluation) {
    torch::manual_seed(1);
    auto module = makeModel(GetParam(), kClasses);
    const auto input = torch::rand({3, 1, 48, 48});
    EXPECT_EQ(logits(module, input).sizes(), (std::vector<int64_t>{3, kClasses}));
    module.eval();
    torch::NoGradGuard no_grad;
    const auto output = logits(module, input);
    EXPECT_EQ(output.sizes(), (std::vector<int64_t>{3, kClasses}));
    EXPECT_TRUE(torch::isfinite(output).all().item<bool>());
}

TEST_P(EveryModel, TakesThreeChannelFacesWhenAsked) {
    torch::manual_seed(2);
    auto module = makeModel(GetParam(), 5, {.in_channels = 3, .input_size = 48});
    module.eval();
    torch::NoGradGuard no_grad;
    EXPECT_EQ(logits(module, torch::rand({2, 3, 48, 48})).sizes(), (std::vector<int64_t>{2, 5}));
}

TEST_P(EveryModel, OneAdamWStepGivesAFiniteLossAndMovesEveryParameter) {
    torch::manual_seed(3);
    auto module = makeModel(GetParam(), kClasses);
    std::vector<torch::Tensor> parameters;
    std::vector<torch::Tensor> before;
    for (const auto& parameter : module.parameters()) {
        parameters.push_back(parameter);
        before.push_back(parameter.detach().clone());
    }
    torch::optim::AdamW optimizer(parameters, torch::optim::AdamWOptions(1e-3).weight_decay(1e-4));
    const auto loss = torch::nn::functional::cross_entropy(
        logits(module, torch::rand({2, 1, 48, 48})), torch::tensor({1, 6}));
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();

    EXPECT_TRUE(std::isfinite(loss.item<float>()));
    // A parameter the loss does not reach gets no gradient and stays put: a disconnected
    // branch would show here.
    std::size_t index = 0;
    for (const auto& parameter : module.named_parameters()) {
        EXPECT_FALSE(torch::equal(parameter.value, before[index++])) << parameter.name;
    }

    // Validation after training, as the trainer does it: NoGradGuard (InferenceMode fails on
    // models with torch.cat once they have trained, see zoo.h).
    module.eval();
    torch::NoGradGuard no_grad;
    const auto output = logits(module, torch::rand({2, 1, 48, 48}));
    EXPECT_EQ(output.sizes(), (std::vector<int64_t>{2, kClasses}));
    EXPECT_TRUE(torch::isfinite(output).all().item<bool>());
}

TEST_P(EveryModel, FreezingLeavesOnlyTheLastBlockAndClassifierTrainable) {
    torch::manual_seed(4);
    auto module = makeModel(GetParam(), kClasses);
    const auto prefixes = emotrace::nets::lastBlockPrefixes(GetParam());
    const auto trainable = emotrace::nets::freezeAllButLastBlock(module, GetParam());

    std::size_t expected_trainable = 0;
    std::vector<std::string> names;
    for (const auto& parameter : module.named_parameters()) {
        names.push_back(parameter.name);
        const bool in_last_block = startsWithAny(parameter.name, prefixes);
        EXPECT_EQ(parameter.value.requires_grad(), in_last_block) << parameter.name;
        expected_trainable += in_last_block ? 1 : 0;
    }
    EXPECT_EQ(trainable.size(), expected_trainable);
    EXPECT_EQ(emotrace::nets::trainableParameters(module).size(), expected_trainable);
    // Every prefix names real parameters, the stem is frozen and the output layer is not.
    for (const auto& prefix : prefixes) {
        EXPECT_TRUE(std::any_of(names.begin(), names.end(), [&](const auto& name) {
            return name.starts_with(prefix);
        })) << prefix;
    }
    EXPECT_FALSE(startsWithAny(names.front(), prefixes)) << names.front();
    EXPECT_TRUE(startsWithAny(names.back(), prefixes)) << names.back();

    // Gradients reach the trainable parameters only.
    torch::nn::functional::cross_entropy(logits(module, torch::rand({2, 1, 48, 48})),
                                         torch::tensor({0, 7}))
        .backward();
    for (const auto& parameter : module.named_parameters()) {
        EXPECT_EQ(parameter.value.grad().defined(), parameter.value.requires_grad())
            << parameter.name;
    }
}

TEST_P(EveryModel, SavedFileLoadsIntoTheOptimisedClassifierWithTheSameOutputs) {
    TempDir dir;
    torch::manual_seed(5);
    auto module = makeModel(GetParam(), kClasses);
    module.eval();
    emotrace::ModelInfo info;
    info.architecture = GetParam();
    info.labels = emotrace::paperLabels();
    emotrace::nets::saveModelFile(module, info, dir / "model.pt");

    auto classifier = emotrace::loadEmotionClassifier(dir / "model.pt");  // optimize = true
    const auto batch = torch::rand({2, 1, 48, 48});
    std::vector<cv::Mat> faces;
    for (int i = 0; i < 2; ++i)
        faces.emplace_back(48, 48, CV_32FC1, batch[i][0].data_ptr<float>());
    const auto probabilities = classifier->classify(faces);

    torch::NoGradGuard no_grad;
    const auto expected = torch::softmax(logits(module, batch), 1);
    // Near-uniform outputs would make the comparison below vacuous.
    EXPECT_GT((expected.max() - expected.min()).item<float>(), 1e-3);
    ASSERT_EQ(probabilities.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        ASSERT_EQ(probabilities[i].size(), static_cast<std::size_t>(kClasses));
        for (int c = 0; c < kClasses; ++c) {
            EXPECT_NEAR(probabilities[i][static_cast<std::size_t>(c)],
                        expected[static_cast<int64_t>(i)][c].item<float>(), 1e-4)
                << "face " << i << " class " << c;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(ModelZoo, EveryModel, testing::ValuesIn(modelNames()), testName);

TEST(ModelZoo, ListsThePapersNetworks) {
    const auto names = modelNames();
    for (const char* name : {"mycnn_v1", "mycnn_v2", "mycnn_v3", "mycnn_v4", "mycnn_v5", "mycnn_v6",
                             "ma2024", "two_branch", "resnet18", "vgg16", "densenet121"}) {
        EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
    }
}

TEST(ModelZoo, UnknownNameListsTheKnownOnes) {
    try {
        makeModel("resnet50", kClasses);
        FAIL() << "expected emotrace::Error";
    } catch (const emotrace::Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("unknown model 'resnet50'"), std::string::npos) << message;
        EXPECT_NE(message.find("mycnn_v1"), std::string::npos) << message;
        EXPECT_NE(message.find("densenet121"), std::string::npos) << message;
    }
    EXPECT_THROW(emotrace::nets::lastBlockPrefixes("resnet50"), emotrace::Error);
}

TEST(ModelZoo, InputTooSmallForThePoolingsIsAnError) {
    try {
        makeModel("vgg16", kClasses, {.in_channels = 1, .input_size = 16});
        FAIL() << "expected emotrace::Error";
    } catch (const emotrace::Error& e) {
        EXPECT_NE(std::string(e.what()).find("at least 32, found 16"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(makeModel("mycnn_v1", 0), emotrace::Error);
}

TEST(ModelZoo, MyCnnV1IsThePapersV1) {
    torch::manual_seed(6);
    auto from_zoo = makeModel("mycnn_v1", kClasses);
    torch::manual_seed(6);
    auto direct = emotrace::nets::makeMyCnnV1(kClasses);
    from_zoo.eval();
    direct.eval();
    torch::NoGradGuard no_grad;
    const auto input = torch::rand({2, 1, 48, 48});
    EXPECT_TRUE(torch::equal(logits(from_zoo, input), logits(direct, input)));
    // conv 1->32 and 32->64 (3x3 + bias), fc 64*12*12 -> 128, fc 128 -> 8.
    EXPECT_EQ(parameterCount(from_zoo),
              (32 * 9 + 32) + (64 * 32 * 9 + 64) + (64 * 12 * 12 * 128 + 128) + (128 * 8 + 8));
}

// The channels-last layout (emotrace-train-bench --compare-channels-last) moves the convolution
// weights in place: the same tensors (the optimiser holds them), the same values, another memory
// order, and the same logits to rounding.
TEST(ModelZoo, ConvolutionLayoutMovesTheWeightsInPlaceAndKeepsTheLogits) {
    torch::manual_seed(7);
    auto module = makeModel("densenet121", kClasses);
    module.eval();
    torch::NoGradGuard no_grad;
    const auto input = torch::rand({2, 1, 48, 48});
    const auto before = logits(module, input);
    std::vector<torch::Tensor> held;
    std::vector<torch::Tensor> values;
    for (const auto& parameter : module.parameters()) {
        held.push_back(parameter);
        values.push_back(parameter.clone());
    }

    emotrace::nets::setConvolutionLayout(module, at::MemoryFormat::ChannelsLast);
    int moved = 0;
    for (std::size_t i = 0; i < held.size(); ++i) {
        EXPECT_TRUE(torch::equal(held[i], values[i])) << "parameter " << i << " changed value";
        if (held[i].dim() == 4) {
            EXPECT_TRUE(held[i].is_contiguous(at::MemoryFormat::ChannelsLast)) << i;
        }
        // One channel in or a 1x1 kernel is laid out the same either way.
        if (held[i].dim() == 4 && held[i].size(1) > 1 && held[i].size(2) * held[i].size(3) > 1) {
            EXPECT_FALSE(held[i].is_contiguous()) << i;
            ++moved;
        }
    }
    EXPECT_EQ(moved, 58) << "DenseNet121's 3x3 convolutions, one in each dense layer";
    const auto after = logits(module, input.contiguous(at::MemoryFormat::ChannelsLast));
    EXPECT_TRUE(torch::allclose(before, after, 1e-4, 1e-4)) << before << after;

    emotrace::nets::setConvolutionLayout(module, at::MemoryFormat::Contiguous);
    for (std::size_t i = 0; i < held.size(); ++i) {
        EXPECT_TRUE(held[i].is_contiguous()) << i;
        EXPECT_TRUE(torch::equal(held[i], values[i])) << i;
    }
}

// torchvision's totals at 1000 classes and 3 channels (sum of p.numel() over
// torchvision.models.X().parameters(), torchvision 0.14), less what the adaptation changes:
// the first conv sees 1 channel instead of 3, the classifier outputs 8 instead of 1000.
TEST(ModelZoo, ParameterCountsMatchTorchvisionWithTheAdaptedEnds) {
    auto first_conv_saving = [](int64_t filters, int64_t kernel) {
        return filters * (3 - 1) * kernel * kernel;
    };
    auto classifier_saving = [](int64_t inputs) { return (1000 - kClasses) * (inputs + 1); };
    EXPECT_EQ(parameterCount(makeModel("resnet18", kClasses)),
              11'689'512 - first_conv_saving(64, 7) - classifier_saving(512));
    EXPECT_EQ(parameterCount(makeModel("densenet121", kClasses)),
              7'978'856 - first_conv_saving(64, 7) - classifier_saving(1024));
    // VGG16 also swaps the 25088-input first classifier layer (7x7x512) for a 512-input one.
    const int64_t vgg_head_saving = (25'088 - 512) * 4096;
    EXPECT_EQ(parameterCount(makeModel("vgg16", kClasses)),
              138'357'544 - first_conv_saving(64, 3) - vgg_head_saving - classifier_saving(4096));
    EXPECT_EQ(parameterCount(makeModel("vgg16_bn", kClasses)),
              138'365'992 - first_conv_saving(64, 3) - vgg_head_saving - classifier_saving(4096));
}

namespace {

// Debian's python3-torch lives in /usr/bin/python3, which may not be the first python3 on PATH.
std::optional<std::string> pythonWithTorchvision() {
    for (const std::string python : {"/usr/bin/python3", "python3"}) {
        if (std::system((python + " -c 'import torchvision' >/dev/null 2>&1").c_str()) == 0)
            return python;
    }
    return std::nullopt;
}

// A torchvision ResNet18 with random weights and random batch-norm statistics, saved as users
// have it (state_dict(), an OrderedDict), and what emotrace should make of it.
constexpr const char* kMakeStateDict = R"(import sys, torch, torchvision
torch.manual_seed(0)
model = torchvision.models.resnet18(weights=None)
for m in model.modules():
    if isinstance(m, torch.nn.BatchNorm2d):
        m.running_mean.uniform_(-1, 1)
        m.running_var.uniform_(0.5, 2)
state = model.state_dict()
torch.save(state, sys.argv[1] + '/ordered.pth')
torch.save({'conv1_weight': state['conv1.weight'].sum(1, keepdim=True),
            'layer3_1_conv2_weight': state['layer3.1.conv2.weight'],
            'layer4_1_bn2_running_var': state['layer4.1.bn2.running_var']},
           sys.argv[1] + '/expected.pt')
)";

c10::Dict<c10::IValue, c10::IValue> readPlainDict(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return torch::pickle_load(bytes).toGenericDict();
}

}  // namespace

TEST(PretrainedWeights, TorchvisionResNet18LoadsAllButTheClassifier) {
    const auto python = pythonWithTorchvision();
    if (!python)
        EMOTRACE_SKIP_UNLESS_REQUIRED("no python3 with torchvision (Debian: python3-torchvision)");
    TempDir dir;
    std::ofstream(dir / "make.py") << kMakeStateDict;
    ASSERT_EQ(std::system(
                  (*python + " " + (dir / "make.py").string() + " " + dir.path().string()).c_str()),
              0);

    // model.state_dict() as saved: LibTorch 1.13 cannot read it, and the error says what to do.
    auto module = makeModel("resnet18", kClasses);
    try {
        emotrace::nets::loadPretrainedWeights(module, dir / "ordered.pth");
        FAIL() << "expected ModelError for an OrderedDict";
    } catch (const emotrace::ModelError& e) {
        EXPECT_NE(std::string(e.what()).find("OrderedDict"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("python3 -c"), std::string::npos) << e.what();
    }
    // The documented conversion, with the python that has torch.
    auto command = emotrace::nets::stateDictConversionCommand((dir / "ordered.pth").string(),
                                                              (dir / "plain.pt").string());
    command.replace(0, std::string("python3").size(), *python);
    ASSERT_EQ(std::system(command.c_str()), 0) << command;

    const auto report = emotrace::nets::loadPretrainedWeights(module, dir / "plain.pt");
    // 62 parameters + 40 running statistics, less fc.weight and fc.bias (1000 classes).
    EXPECT_EQ(report.loaded.size(), 100u) << report.summary();
    EXPECT_EQ(report.not_in_file, (std::vector<std::string>{"fc_bias", "fc_weight"}));
    std::size_t counters = 0;
    for (const auto& skip : report.skipped) {
        if (skip.name.ends_with("num_batches_tracked"))
            ++counters;
        else
            EXPECT_TRUE(skip.name == "fc.weight" || skip.name == "fc.bias") << skip.name;
    }
    EXPECT_EQ(counters, 20u);
    EXPECT_EQ(report.skipped.size(), 22u);
    EXPECT_NE(report.summary().find("fc.weight (shape 1000x512 in the file, 8x512 in the model)"),
              std::string::npos)
        << report.summary();

    for (const auto& entry : readPlainDict(dir / "expected.pt")) {
        const auto name = entry.key().toStringRef();
        EXPECT_TRUE(torch::allclose(module.attr(name).toTensor(), entry.value().toTensor()))
            << name;
    }
}

TEST(PretrainedWeights, AFileOfAnotherArchitectureIsAnError) {
    TempDir dir;
    c10::Dict<std::string, torch::Tensor> state;
    state.insert("encoder.weight", torch::ones({4, 4}));
    const auto bytes = torch::pickle_save(state);
    std::ofstream(dir / "other.pt", std::ios::binary).write(bytes.data(), std::ssize(bytes));
    auto module = makeModel("mycnn_v1", kClasses);
    try {
        emotrace::nets::loadPretrainedWeights(module, dir / "other.pt");
        FAIL() << "expected ModelError";
    } catch (const emotrace::ModelError& e) {
        EXPECT_NE(std::string(e.what()).find("same architecture"), std::string::npos) << e.what();
    }
}

TEST(PretrainedWeights, NotATorchFileIsAnError) {
    TempDir dir;
    std::ofstream(dir / "garbage.pth") << "not a zip archive";
    auto module = makeModel("mycnn_v1", kClasses);
    EXPECT_THROW(emotrace::nets::loadPretrainedWeights(module, dir / "garbage.pth"),
                 emotrace::ModelError);
    EXPECT_THROW(emotrace::nets::loadPretrainedWeights(module, dir / "absent.pth"),
                 emotrace::ModelError);
}

TEST(PretrainedWeights, AnEmotraceModelFileStartsASecondSchedule) {
    TempDir dir;
    torch::manual_seed(11);
    auto trained = makeModel("mycnn_v1", kClasses);
    {
        torch::NoGradGuard no_grad;
        for (const auto& buffer : trained.named_buffers()) {
            if (buffer.name.ends_with("running_var"))
                buffer.value.uniform_(0.5, 2.0);
        }
    }
    trained.eval();
    emotrace::ModelInfo info;
    info.architecture = "mycnn_v1";
    info.labels = emotrace::paperLabels();
    emotrace::nets::saveModelFile(trained, info, dir / "trained.pt");

    torch::manual_seed(12);  // a different initialisation, replaced by the file's weights
    auto fresh = makeModel("mycnn_v1", kClasses);
    const auto report = emotrace::nets::loadPretrainedWeights(fresh, dir / "trained.pt");
    EXPECT_TRUE(report.skipped.empty()) << report.summary();
    EXPECT_TRUE(report.not_in_file.empty()) << report.summary();
    std::size_t checked = 0;
    for (const auto& buffer : trained.named_buffers()) {
        EXPECT_TRUE(torch::equal(fresh.attr(buffer.name).toTensor(), buffer.value)) << buffer.name;
        ++checked;
    }
    for (const auto& parameter : trained.named_parameters()) {
        EXPECT_TRUE(torch::equal(fresh.attr(parameter.name).toTensor(), parameter.value))
            << parameter.name;
        ++checked;
    }
    EXPECT_EQ(report.loaded.size(), checked);
}
