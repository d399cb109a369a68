#include <torch/torch.h>

#include <gtest/gtest.h>

#include "emotrace/error.h"
#include "emotrace/nets.h"
#include "test_models.h"

using emotrace::ModelError;
using emotrace::nets::LoadedModel;

namespace {

LoadedModel seededModel(std::uint64_t seed, int classes = 8) {
    torch::manual_seed(seed);
    auto module = emotrace::nets::makeMyCnnV1(classes);
    module.eval();
    auto info = emotrace::test::testModelInfo();
    info.labels.resize(static_cast<std::size_t>(classes));
    for (int i = 8; i < classes; ++i)
        info.labels[static_cast<std::size_t>(i)] = "extra" + std::to_string(i);
    return {module, info};
}

std::vector<std::pair<std::string, torch::Tensor>> parameters(const LoadedModel& model) {
    std::vector<std::pair<std::string, torch::Tensor>> named;
    for (const auto& p : model.module.named_parameters(true))
        named.emplace_back(p.name, p.value);
    return named;
}

std::string errorOf(const std::vector<LoadedModel>& models) {
    try {
        emotrace::nets::averageModels(models);
    } catch (const ModelError& e) {
        return e.what();
    }
    return "(no ModelError)";
}

}  // namespace

TEST(ModelAverage, EveryWeightIsTheMeanAndTheInputsAreUntouched) {
    const auto a = seededModel(1);
    const auto b = seededModel(2);
    const auto c = seededModel(3);
    std::vector<torch::Tensor> a_before;
    for (const auto& p : a.module.named_parameters(true))
        a_before.push_back(p.value.clone());

    const auto mean = emotrace::nets::averageModels({a, b, c});
    EXPECT_EQ(mean.info.labels, a.info.labels);
    const auto pa = parameters(a), pb = parameters(b), pc = parameters(c), pm = parameters(mean);
    ASSERT_EQ(pm.size(), pa.size());
    std::size_t checked = 0;
    for (std::size_t i = 0; i < pm.size(); ++i) {
        const auto& [name, value] = pm[i];
        ASSERT_EQ(name, pa[i].first);
        const auto expected = (pa[i].second + pb[i].second + pc[i].second) / 3.0;
        EXPECT_TRUE(torch::allclose(value, expected, 1e-6, 1e-7)) << name;
        if (!torch::equal(pa[i].second, pb[i].second)) {  // zero-initialised biases are equal
            EXPECT_FALSE(torch::equal(value, pa[i].second)) << name;
        }
        EXPECT_TRUE(torch::equal(pa[i].second, a_before[i])) << "input changed: " << name;
        ++checked;
    }
    EXPECT_GT(checked, 4u);

    // Averaging a model with itself gives the same outputs.
    auto same = emotrace::nets::averageModels({a, a});
    auto original = a.module;
    const auto input = torch::rand({2, 1, 48, 48});
    EXPECT_TRUE(torch::allclose(same.module.forward({input}).toTensor(),
                                original.forward({input}).toTensor(), 1e-5, 1e-6));
}

TEST(ModelAverage, RefusesModelsThatDoNotMatchNamingTheDifference) {
    const auto a = seededModel(1);
    EXPECT_NE(errorOf({a}).find("at least two"), std::string::npos);

    auto relabelled = seededModel(2);
    std::swap(relabelled.info.labels[0], relabelled.info.labels[1]);
    EXPECT_NE(errorOf({a, relabelled}).find("model 2 has other labels"), std::string::npos);

    auto normalised = seededModel(2);
    normalised.info.mean = 0.5f;
    EXPECT_NE(errorOf({a, normalised}).find("another input"), std::string::npos);

    // Same labels in the metadata, but a classifier with another shape.
    auto wider = seededModel(2, 9);
    wider.info.labels = a.info.labels;
    const auto message = errorOf({a, wider});
    EXPECT_NE(message.find("in model 2 but"), std::string::npos) << message;
}
