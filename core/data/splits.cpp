#include "emotrace/splits.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

#include "emotrace/label_map.h"
#include "emotrace/model_info.h"

namespace emotrace {

namespace {

struct Group {
    std::vector<std::size_t> items;
    std::vector<double> class_counts;
};

// The groups among `items`, in a seeded order with the largest first: large groups are the
// hard ones to place, singletons then even out the class proportions.
std::vector<Group> orderedGroups(const Dataset& dataset, const std::vector<std::size_t>& items,
                                 std::uint64_t seed) {
    const std::size_t classes = dataset.labels.size();
    std::vector<Group> groups;
    std::map<std::string, std::size_t> named;
    for (std::size_t index : items) {
        const LabeledImage& item = dataset.items.at(index);
        if (item.label < 0 || item.label >= static_cast<int>(classes)) {
            throw Error(item.origin + ": label " + std::to_string(item.label) + " is outside the " +
                        std::to_string(classes) + " labels of the dataset");
        }
        std::size_t slot = groups.size();
        if (!item.group.empty()) {
            const auto [found, inserted] = named.emplace(item.group, groups.size());
            slot = found->second;
            if (!inserted) {
                groups[slot].items.push_back(index);
                groups[slot].class_counts[static_cast<std::size_t>(item.label)] += 1.0;
                continue;
            }
        }
        Group group{{index}, std::vector<double>(classes, 0.0)};
        group.class_counts[static_cast<std::size_t>(item.label)] = 1.0;
        groups.push_back(std::move(group));
    }
    std::mt19937_64 rng(seed);
    std::shuffle(groups.begin(), groups.end(), rng);
    std::stable_sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
        return a.items.size() > b.items.size();
    });
    return groups;
}

// Deals the groups among `items` into bins with the given fractions. Each group goes to the bin
// where it most reduces the squared gap between the bin's class counts and its target share;
// bins with fraction 0 get nothing. Indices in each bin are sorted.
std::vector<std::vector<std::size_t>> assignGroups(const Dataset& dataset,
                                                   const std::vector<std::size_t>& items,
                                                   const std::vector<double>& fractions,
                                                   std::uint64_t seed) {
    const std::size_t classes = dataset.labels.size();
    const std::vector<Group> groups = orderedGroups(dataset, items, seed);
    std::vector<double> totals(classes, 0.0);
    for (const auto& group : groups) {
        for (std::size_t c = 0; c < classes; ++c)
            totals[c] += group.class_counts[c];
    }
    std::vector<std::vector<double>> gap(fractions.size(), std::vector<double>(classes));
    for (std::size_t b = 0; b < fractions.size(); ++b) {
        for (std::size_t c = 0; c < classes; ++c)
            gap[b][c] = -fractions[b] * totals[c];  // count minus target
    }
    std::vector<std::vector<std::size_t>> bins(fractions.size());
    for (const auto& group : groups) {
        std::size_t best = 0;
        double best_cost = INFINITY;
        for (std::size_t b = 0; b < fractions.size(); ++b) {
            if (fractions[b] <= 0.0)
                continue;
            double cost = 0.0;  // change of sum (count - target)^2 if the group joins bin b
            for (std::size_t c = 0; c < classes; ++c) {
                const double n = group.class_counts[c];
                cost += n * (2.0 * gap[b][c] + n);
            }
            if (cost < best_cost) {
                best_cost = cost;
                best = b;
            }
        }
        for (std::size_t c = 0; c < classes; ++c)
            gap[best][c] += group.class_counts[c];
        bins[best].insert(bins[best].end(), group.items.begin(), group.items.end());
    }
    for (auto& bin : bins)
        std::sort(bin.begin(), bin.end());
    return bins;
}

std::vector<std::size_t> allItems(const Dataset& dataset) {
    std::vector<std::size_t> items(dataset.items.size());
    std::iota(items.begin(), items.end(), std::size_t{0});
    return items;
}

std::size_t groupCount(const Dataset& dataset) {
    std::size_t ungrouped = 0;
    std::map<std::string, int> named;
    for (const auto& item : dataset.items) {
        if (item.group.empty())
            ++ungrouped;
        else
            named.emplace(item.group, 0);
    }
    return ungrouped + named.size();
}

}  // namespace

Split stratifiedGroupSplit(const Dataset& dataset, const SplitFractions& fractions,
                           std::uint64_t seed) {
    const std::vector<double> parts{fractions.train, fractions.validation, fractions.test};
    const double sum = parts[0] + parts[1] + parts[2];
    if (*std::min_element(parts.begin(), parts.end()) < 0.0 || std::abs(sum - 1.0) > 1e-6) {
        throw Error("split fractions must be >= 0 and sum to 1, got train " +
                    std::to_string(fractions.train) + ", validation " +
                    std::to_string(fractions.validation) + ", test " +
                    std::to_string(fractions.test));
    }
    auto bins = assignGroups(dataset, allItems(dataset), parts, seed);
    return {std::move(bins[0]), std::move(bins[1]), std::move(bins[2])};
}

std::vector<Split> stratifiedGroupKFold(const Dataset& dataset, const KFoldOptions& options) {
    if (options.folds < 2)
        throw Error("k-fold needs at least 2 folds, got " + std::to_string(options.folds));
    const std::size_t groups = groupCount(dataset);
    if (groups < static_cast<std::size_t>(options.folds)) {
        throw Error("cannot make " + std::to_string(options.folds) + " folds from " +
                    std::to_string(groups) + " groups");
    }
    if (options.validation_fraction < 0.0 || options.validation_fraction >= 1.0) {
        throw Error("validation fraction must be in [0,1), got " +
                    std::to_string(options.validation_fraction));
    }
    const auto k = static_cast<std::size_t>(options.folds);
    const auto bins =
        assignGroups(dataset, allItems(dataset), std::vector<double>(k, 1.0 / k), options.seed);
    std::vector<Split> folds(k);
    for (std::size_t i = 0; i < k; ++i) {
        folds[i].test = bins[i];
        for (std::size_t j = 0; j < k; ++j) {
            if (j != i)
                folds[i].train.insert(folds[i].train.end(), bins[j].begin(), bins[j].end());
        }
        std::sort(folds[i].train.begin(), folds[i].train.end());
        if (options.validation_fraction > 0.0) {
            auto carved =
                assignGroups(dataset, folds[i].train,
                             {1.0 - options.validation_fraction, options.validation_fraction},
                             options.seed + i + 1);
            folds[i].train = std::move(carved[0]);
            folds[i].validation = std::move(carved[1]);
        }
    }
    return folds;
}

Split fer2013CanonicalSplit(const Fer2013Data& data) {
    Split split;
    for (std::size_t i = 0; i < data.usage.size(); ++i) {
        switch (data.usage[i]) {
            case Fer2013Usage::Training:
                split.train.push_back(i);
                break;
            case Fer2013Usage::PublicTest:
                split.validation.push_back(i);
                break;
            case Fer2013Usage::PrivateTest:
                split.test.push_back(i);
                break;
        }
    }
    return split;
}

Dataset subset(const Dataset& dataset, const std::vector<std::size_t>& indices) {
    Dataset part;
    part.labels = dataset.labels;
    part.items.reserve(indices.size());
    for (std::size_t index : indices)
        part.items.push_back(dataset.items.at(index));
    return part;
}

CombinedDataset combineFer2013AndCkPlus(const Fer2013Data& fer2013, const Dataset& ckplus,
                                        const SplitFractions& ckplus_fractions,
                                        std::uint64_t seed) {
    CombinedDataset combined;
    combined.fer2013_items = fer2013.dataset.items.size();
    const Dataset ck = toLabelSpace(ckplus, paperLabels());
    combined.split = fer2013CanonicalSplit(fer2013);
    const Split ck_split = stratifiedGroupSplit(ck, ckplus_fractions, seed);
    const auto append = [offset = combined.fer2013_items](std::vector<std::size_t>& to,
                                                          const std::vector<std::size_t>& from) {
        for (std::size_t index : from)
            to.push_back(offset + index);
    };
    append(combined.split.train, ck_split.train);
    append(combined.split.validation, ck_split.validation);
    append(combined.split.test, ck_split.test);
    combined.dataset = mergeDatasets({fer2013.dataset, ck});
    return combined;
}

}  // namespace emotrace
