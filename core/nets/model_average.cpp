#include <map>

#include "emotrace/error.h"
#include "emotrace/nets.h"

namespace emotrace::nets {

namespace {

using Weights = std::map<std::string, torch::Tensor>;

// Parameters and buffers by their dotted name ("layer1.0.bn1.running_mean").
Weights namedWeights(const torch::jit::Module& module) {
    Weights weights;
    for (const auto& p : module.named_parameters(true))
        weights.emplace(p.name, p.value);
    for (const auto& b : module.named_buffers(true))
        weights.emplace(b.name, b.value);
    return weights;
}

std::string shapeText(const torch::Tensor& t) {
    std::string text;
    for (auto size : t.sizes())
        text += (text.empty() ? "" : "x") + std::to_string(size);
    return "[" + text + "]";
}

void requireSameInterface(const ModelInfo& first, const ModelInfo& other, std::size_t index) {
    const std::string which = "model " + std::to_string(index + 1);
    if (other.labels != first.labels)
        throw ModelError("cannot average: " + which + " has other labels than model 1");
    if (other.input_width != first.input_width || other.input_height != first.input_height ||
        other.input_channels != first.input_channels || other.mean != first.mean ||
        other.std != first.std)
        throw ModelError("cannot average: " + which +
                         " expects another input (size, channels or normalisation) than model 1");
}

}  // namespace

LoadedModel averageModels(const std::vector<LoadedModel>& models) {
    if (models.size() < 2)
        throw ModelError("averaging needs at least two models, got " +
                         std::to_string(models.size()));
    // A deep copy: the inputs keep their own weights.
    LoadedModel mean{models.front().module.deepcopy(), models.front().info};
    auto sums = namedWeights(mean.module);
    std::vector<Weights> others;
    for (std::size_t i = 1; i < models.size(); ++i) {
        requireSameInterface(models.front().info, models[i].info, i);
        others.push_back(namedWeights(models[i].module));
        if (others.back().size() != sums.size())
            throw ModelError("cannot average: model " + std::to_string(i + 1) + " has " +
                             std::to_string(others.back().size()) + " weight tensors, model 1 " +
                             std::to_string(sums.size()));
    }
    torch::NoGradGuard no_grad;
    for (auto& [name, target] : sums) {
        for (std::size_t i = 0; i < others.size(); ++i) {
            const auto found = others[i].find(name);
            if (found == others[i].end())
                throw ModelError("cannot average: model " + std::to_string(i + 2) +
                                 " has no weight '" + name + "'");
            if (!found->second.sizes().equals(target.sizes()))
                throw ModelError("cannot average: '" + name + "' is " + shapeText(found->second) +
                                 " in model " + std::to_string(i + 2) + " but " +
                                 shapeText(target) + " in model 1");
        }
        if (!target.is_floating_point())
            continue;  // BatchNorm's batch counter: not a weight
        // Summed in double so that the mean of many models does not lose float precision.
        auto sum = target.to(torch::kDouble);
        for (const auto& other : others)
            sum += other.at(name).to(torch::kDouble);
        target.copy_(sum / static_cast<double>(models.size()));
    }
    return mean;
}

}  // namespace emotrace::nets
