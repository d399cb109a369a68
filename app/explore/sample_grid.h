// A picture of what a dataset looks like: a few randomly chosen images of each class, one row
// per class with the class name, composed with OpenCV.
#pragma once

#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

#include "emotrace/dataset.h"

namespace emotrace::explore {

// BGR image; classes without items are left out. `per_class` images a row, chosen with `seed`,
// each shown at twice its size.
cv::Mat sampleGrid(const Dataset& dataset, int per_class, std::uint64_t seed,
                   const std::string& title);

}  // namespace emotrace::explore
