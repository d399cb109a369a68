// Figures that describe a split dataset: items per class on each side of the split, and the
// pixel mean and standard deviation (on the [0,1] scale the models see) per side.
#pragma once

#include <string>
#include <vector>

#include "emotrace/dataset.h"
#include "emotrace/splits.h"

namespace emotrace::explore {

struct SideStats {
    std::string side;                 // "train", "validation", "test", "all"
    std::vector<std::size_t> counts;  // per label
    std::size_t items = 0;
    double pixel_mean = 0.0;
    double pixel_std = 0.0;
};

// train, validation, test, then all items together.
std::vector<SideStats> summarise(const Dataset& dataset, const Split& split);

// Markdown tables, readable on a terminal too.
std::string classTable(const std::vector<std::string>& labels, const std::vector<SideStats>& sides);
std::string pixelTable(const std::vector<SideStats>& sides);

}  // namespace emotrace::explore
