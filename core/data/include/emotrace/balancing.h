// Class balancing for training, each step switchable and combinable (docs/datasets.md):
// class weights for a weighted cross-entropy, per-sample weights and a seeded sampler that draws
// with replacement, and SMOTE on flattened images. Apply them to the training part only.
#pragma once

#include <cstddef>
#include <random>
#include <utility>
#include <vector>

#include "emotrace/dataset.h"

namespace emotrace {

// Items per label, one entry per dataset label.
std::vector<std::size_t> classCounts(const Dataset& dataset);

// Inverse-frequency weights for cross-entropy: w_c = N / (K * n_c), with N items and K classes
// present (n_c > 0); a class with no items gets 0. The weighted mean over items is 1, so the
// loss keeps its scale. (scikit-learn's class_weight="balanced".) With a power p the weights are
// (N / (K * n_c))^p: p = 1 is the above, p = 0.5 a softer push that does not let a class of a few
// dozen items (CK+'s contempt) dominate the gradient. PyTorch's weighted mean divides by the
// summed weights, so the scale does not matter to the loss.
std::vector<float> classWeights(const Dataset& dataset, double power = 1.0);

// Per-item weights for a weighted random sampler: w_i = 1 / (K * n_{y_i}). They sum to 1 and
// every present class gets the same total weight 1/K, so draws are class-balanced on average.
std::vector<double> samplerWeights(const Dataset& dataset);

// Draws indices with replacement, index i with probability weights[i] / sum(weights).
class WeightedSampler {
  public:
    // Throws Error for an empty list, a negative or non-finite weight, or an all-zero list.
    explicit WeightedSampler(const std::vector<double>& weights);
    std::size_t draw(std::mt19937& rng) const;
    std::vector<std::size_t> draw(std::size_t count, std::mt19937& rng) const;

  private:
    std::vector<double> cumulative_;
};

struct SmoteOptions {
    int k = 5;  // neighbours to interpolate towards (fewer when a class has fewer items)
    // Items wanted per label after SMOTE; empty: every class up to the largest class. Classes
    // already at or above their target, with a single item (nothing to interpolate towards) or
    // with none are left as they are.
    std::vector<std::size_t> target_counts{};
};

struct SmoteReport {
    std::vector<std::size_t> counts_before;
    std::vector<std::size_t> counts_after;
    // Per synthetic item, in the order appended: the item it was made from and the neighbour it
    // moved towards (indices into the dataset).
    std::vector<std::pair<std::size_t, std::size_t>> parents;
    std::vector<int> labels_too_small;  // classes that needed items but had a single one
};

// SMOTE (Chawla et al. 2002) on the 8-bit images flattened: for each class below its target,
// draws a base item of that class uniformly, one of its k nearest same-class neighbours
// (Euclidean distance on pixels, brute force) uniformly, and a gap t uniform in [0,1); the new
// image is base + t * (neighbour - base), rounded. New items are appended with synthetic = true,
// the base's group and origin "smote:<base origin>+<neighbour origin>".
SmoteReport applySmote(Dataset& dataset, const SmoteOptions& options, std::mt19937& rng);

// The k nearest items to `query` among `candidates` (indices into dataset.items, the query itself
// excluded), nearest first, ties by lower index. Exposed for tests and tools.
std::vector<std::size_t> nearestNeighbours(const Dataset& dataset, std::size_t query,
                                           const std::vector<std::size_t>& candidates, int k);

}  // namespace emotrace
