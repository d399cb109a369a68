// Brute-force k-nearest-neighbour search on flattened 8-bit images, for SMOTE. Exact integer
// squared distances, so results do not depend on vector width or thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "emotrace/dataset.h"

namespace emotrace {

// Images of a dataset as contiguous rows of bytes.
struct PixelMatrix {
    std::vector<std::uint8_t> data;
    std::size_t rows = 0;
    std::size_t cols = 0;

    const std::uint8_t* row(std::size_t r) const { return data.data() + r * cols; }
    // Throws Error unless all the items' images are 8-bit single-channel of one size.
    static PixelMatrix of(const Dataset& dataset, const std::vector<std::size_t>& items);
};

// For each query row, the rows of `pool` nearest to it (at most k), nearest first, ties by lower
// row. A pool row whose id equals the query's id (the query itself) is left out.
std::vector<std::vector<std::size_t>> kNearestRows(const PixelMatrix& queries,
                                                   const PixelMatrix& pool,
                                                   const std::vector<std::size_t>& query_ids,
                                                   const std::vector<std::size_t>& pool_ids, int k);

}  // namespace emotrace
