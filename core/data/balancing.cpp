#include "emotrace/balancing.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "emotrace/error.h"
#include "nearest_neighbours.h"

namespace emotrace {

namespace {

std::size_t presentClasses(const std::vector<std::size_t>& counts) {
    return static_cast<std::size_t>(
        std::count_if(counts.begin(), counts.end(), [](std::size_t n) { return n > 0; }));
}

std::vector<std::vector<std::size_t>> itemsByClass(const Dataset& dataset) {
    std::vector<std::vector<std::size_t>> members(dataset.labels.size());
    for (std::size_t i = 0; i < dataset.items.size(); ++i)
        members[static_cast<std::size_t>(dataset.items[i].label)].push_back(i);
    return members;
}

cv::Mat interpolate(const cv::Mat& base, const cv::Mat& neighbour, double gap) {
    cv::Mat made(base.size(), CV_8UC1);
    const std::uint8_t* a = base.ptr<std::uint8_t>();
    const std::uint8_t* b = neighbour.ptr<std::uint8_t>();
    std::uint8_t* out = made.ptr<std::uint8_t>();
    for (std::size_t p = 0; p < base.total(); ++p) {
        const double value = a[p] + gap * (static_cast<double>(b[p]) - a[p]);
        out[p] = static_cast<std::uint8_t>(std::clamp(std::lround(value), 0L, 255L));
    }
    return made;
}

std::vector<std::size_t> smoteTargets(const std::vector<std::size_t>& counts,
                                      const SmoteOptions& options) {
    if (options.target_counts.empty()) {
        const std::size_t largest = *std::max_element(counts.begin(), counts.end());
        return std::vector<std::size_t>(counts.size(), largest);
    }
    if (options.target_counts.size() != counts.size()) {
        throw Error("SMOTE target counts give " + std::to_string(options.target_counts.size()) +
                    " classes, the dataset has " + std::to_string(counts.size()));
    }
    return options.target_counts;
}

}  // namespace

std::vector<std::size_t> classCounts(const Dataset& dataset) {
    std::vector<std::size_t> counts(dataset.labels.size(), 0);
    for (const auto& item : dataset.items) {
        if (item.label < 0 || item.label >= static_cast<int>(counts.size())) {
            throw Error(item.origin + ": label " + std::to_string(item.label) + " is outside the " +
                        std::to_string(counts.size()) + " labels of the dataset");
        }
        ++counts[static_cast<std::size_t>(item.label)];
    }
    return counts;
}

std::vector<float> classWeights(const Dataset& dataset, double power) {
    const std::vector<std::size_t> counts = classCounts(dataset);
    const double classes = static_cast<double>(presentClasses(counts));
    const double items = static_cast<double>(dataset.items.size());
    std::vector<float> weights(counts.size(), 0.0f);
    for (std::size_t c = 0; c < counts.size(); ++c) {
        if (counts[c] > 0)
            weights[c] = static_cast<float>(
                std::pow(items / (classes * static_cast<double>(counts[c])), power));
    }
    return weights;
}

std::vector<double> samplerWeights(const Dataset& dataset) {
    const std::vector<std::size_t> counts = classCounts(dataset);
    const double classes = static_cast<double>(presentClasses(counts));
    std::vector<double> weights;
    weights.reserve(dataset.items.size());
    for (const auto& item : dataset.items) {
        const auto n = static_cast<double>(counts[static_cast<std::size_t>(item.label)]);
        weights.push_back(1.0 / (classes * n));
    }
    return weights;
}

WeightedSampler::WeightedSampler(const std::vector<double>& weights) {
    if (weights.empty())
        throw Error("a weighted sampler needs at least one weight");
    double sum = 0.0;
    cumulative_.reserve(weights.size());
    for (std::size_t i = 0; i < weights.size(); ++i) {
        if (!std::isfinite(weights[i]) || weights[i] < 0.0) {
            throw Error("sampler weight " + std::to_string(i) + " is " +
                        std::to_string(weights[i]) + "; weights must be finite and >= 0");
        }
        sum += weights[i];
        cumulative_.push_back(sum);
    }
    if (sum <= 0.0)
        throw Error("sampler weights are all zero");
}

std::size_t WeightedSampler::draw(std::mt19937& rng) const {
    std::uniform_real_distribution<double> uniform(0.0, cumulative_.back());
    const double u = uniform(rng);
    const auto found = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
    // u can round up to the total; the last item with weight is then the right answer.
    if (found == cumulative_.end()) {
        const auto last = std::lower_bound(cumulative_.begin(), cumulative_.end(), u);
        return static_cast<std::size_t>(last - cumulative_.begin());
    }
    return static_cast<std::size_t>(found - cumulative_.begin());
}

std::vector<std::size_t> WeightedSampler::draw(std::size_t count, std::mt19937& rng) const {
    std::vector<std::size_t> drawn(count);
    for (auto& index : drawn)
        index = draw(rng);
    return drawn;
}

std::vector<std::size_t> nearestNeighbours(const Dataset& dataset, std::size_t query,
                                           const std::vector<std::size_t>& candidates, int k) {
    const PixelMatrix pixels = PixelMatrix::of(dataset, candidates);
    PixelMatrix queries = PixelMatrix::of(dataset, {query});
    // The query's own row is excluded by its dataset index, not by its distance of 0, so
    // duplicates of it still count as neighbours.
    auto found = kNearestRows(queries, pixels, {query}, candidates, k);
    std::vector<std::size_t> result;
    for (std::size_t row : found.front())
        result.push_back(candidates[row]);
    return result;
}

SmoteReport applySmote(Dataset& dataset, const SmoteOptions& options, std::mt19937& rng) {
    if (options.k < 1)
        throw Error("SMOTE needs k >= 1 neighbours, got " + std::to_string(options.k));
    SmoteReport report;
    report.counts_before = classCounts(dataset);
    const std::vector<std::size_t> targets = smoteTargets(report.counts_before, options);
    const auto members = itemsByClass(dataset);

    for (std::size_t c = 0; c < members.size(); ++c) {
        const std::vector<std::size_t>& own = members[c];
        if (own.empty() || own.size() >= targets[c])
            continue;  // a class absent from the data stays absent
        if (own.size() < 2) {
            report.labels_too_small.push_back(static_cast<int>(c));
            continue;
        }
        const std::size_t needed = targets[c] - own.size();
        const int k = std::min<int>(options.k, static_cast<int>(own.size()) - 1);
        // All random draws happen here, in one thread, so the result does not depend on how the
        // neighbour search is split across threads.
        std::uniform_int_distribution<std::size_t> pick_base(0, own.size() - 1);
        std::vector<std::size_t> base_rows(needed);
        for (auto& row : base_rows)
            row = pick_base(rng);
        std::vector<std::size_t> queried(base_rows);
        std::sort(queried.begin(), queried.end());
        queried.erase(std::unique(queried.begin(), queried.end()), queried.end());

        const PixelMatrix pixels = PixelMatrix::of(dataset, own);
        std::vector<std::size_t> query_items;
        for (std::size_t row : queried)
            query_items.push_back(own[row]);
        const PixelMatrix queries = PixelMatrix::of(dataset, query_items);
        const auto neighbours = kNearestRows(queries, pixels, query_items, own, k);

        std::uniform_int_distribution<int> pick_neighbour(0, k - 1);
        std::uniform_real_distribution<double> pick_gap(0.0, 1.0);
        for (std::size_t row : base_rows) {
            const std::size_t q = static_cast<std::size_t>(
                std::lower_bound(queried.begin(), queried.end(), row) - queried.begin());
            const std::size_t base = own[row];
            const std::size_t neighbour =
                own[neighbours[q][static_cast<std::size_t>(pick_neighbour(rng))]];
            const double gap = pick_gap(rng);
            LabeledImage made;
            made.image =
                interpolate(dataset.items[base].image, dataset.items[neighbour].image, gap);
            made.label = static_cast<int>(c);
            made.group = dataset.items[base].group;
            made.origin =
                "smote:" + dataset.items[base].origin + "+" + dataset.items[neighbour].origin;
            made.synthetic = true;
            dataset.items.push_back(std::move(made));
            report.parents.emplace_back(base, neighbour);
        }
    }
    report.counts_after = classCounts(dataset);
    return report;
}

}  // namespace emotrace
