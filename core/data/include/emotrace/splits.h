// Splits that do not leak: items sharing a `group` (the frames of one CK+ subject) always land
// on the same side, and each side keeps the class proportions of the whole. Deterministic for a
// given seed. Also the split of the paper's combined FER-2013 + CK+ dataset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "emotrace/dataset.h"
#include "emotrace/fer2013.h"

namespace emotrace {

// Indices into a Dataset's items.
struct Split {
    std::vector<std::size_t> train;
    std::vector<std::size_t> validation;
    std::vector<std::size_t> test;
};

struct SplitFractions {
    double train = 0.8;
    double validation = 0.1;
    double test = 0.1;
};

// Groups (an empty group: the item alone) are dealt out one at a time, largest first, each to
// the side whose class counts fall furthest short of its fraction of the whole; the seed orders
// groups of equal size. Fractions must be >= 0 and sum to 1 (within 1e-6); a side with fraction
// 0 stays empty. Throws Error otherwise.
Split stratifiedGroupSplit(const Dataset& dataset, const SplitFractions& fractions,
                           std::uint64_t seed);

struct KFoldOptions {
    int folds = 5;
    // > 0: each fold's validation set is carved, grouped and stratified the same way, from its
    // training part (for early stopping); 0 leaves validation empty.
    double validation_fraction = 0.0;
    std::uint64_t seed = 0;
};

// k folds: every item is in exactly one fold's test set, and no group is split across a fold's
// sides. Throws Error for folds < 2 or more folds than groups.
std::vector<Split> stratifiedGroupKFold(const Dataset& dataset, const KFoldOptions& options);

// FER-2013's own split: Training -> train, PublicTest -> validation, PrivateTest -> test.
Split fer2013CanonicalSplit(const Fer2013Data& data);

// The items at `indices`, in that order (images shared, not copied).
Dataset subset(const Dataset& dataset, const std::vector<std::size_t>& indices);

// The paper's combined dataset in paperLabels(): FER-2013's items first (keeping its canonical
// split), then CK+'s, split by subject with `ckplus_fractions` (default 80/10/10, close to
// FER-2013's 28709/3589/3589).
struct CombinedDataset {
    Dataset dataset;
    Split split;
    std::size_t fer2013_items = 0;  // items [0, fer2013_items) come from FER-2013
};
CombinedDataset combineFer2013AndCkPlus(const Fer2013Data& fer2013, const Dataset& ckplus,
                                        const SplitFractions& ckplus_fractions, std::uint64_t seed);

}  // namespace emotrace
