#include "nearest_neighbours.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include <opencv2/core/utility.hpp>

#include "emotrace/error.h"

namespace emotrace {

namespace {

// Queries compared against each pool row while it is in L1; 8 rows of 48x48 are 18 KiB.
constexpr std::size_t kQueryBlock = 8;
// Largest image whose squared distance fits an int32: 255^2 * 33000 < 2^31.
constexpr std::size_t kMaxPixels = 33000;

// Squared distances of `query_count` query rows to every pool row, into out[q * pool_rows + j].
// Cloned for AVX2, which the compiler's vectoriser uses for the widening multiply-add; the
// default clone keeps the binary portable. Sanitizer builds skip the clones: the ifunc resolver
// runs before the sanitizer runtime is up and crashes ThreadSanitizer at start-up.
#if defined(EMOTRACE_SANITIZER_BUILD)
#define EMOTRACE_AVX2_CLONES
#else
#define EMOTRACE_AVX2_CLONES __attribute__((target_clones("avx2", "default")))
#endif
EMOTRACE_AVX2_CLONES void blockDistances(const std::uint8_t* queries, std::size_t query_count,
                                         const std::uint8_t* pool, std::size_t pool_rows,
                                         std::size_t cols, std::int32_t* out) {
    for (std::size_t j = 0; j < pool_rows; ++j) {
        const std::uint8_t* candidate = pool + j * cols;
        for (std::size_t q = 0; q < query_count; ++q) {
            const std::uint8_t* query = queries + q * cols;
            std::int32_t sum = 0;
            for (std::size_t d = 0; d < cols; ++d) {
                const std::int32_t diff =
                    static_cast<std::int32_t>(query[d]) - static_cast<std::int32_t>(candidate[d]);
                sum += diff * diff;
            }
            out[q * pool_rows + j] = sum;
        }
    }
}

std::vector<std::size_t> smallest(const std::int32_t* distances, std::size_t pool_rows,
                                  std::size_t excluded_row, std::size_t k) {
    std::vector<std::size_t> rows;
    rows.reserve(pool_rows);
    for (std::size_t j = 0; j < pool_rows; ++j) {
        if (j != excluded_row)
            rows.push_back(j);
    }
    const std::size_t keep = std::min(k, rows.size());
    std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(keep), rows.end(),
                      [distances](std::size_t a, std::size_t b) {
                          return distances[a] != distances[b] ? distances[a] < distances[b] : a < b;
                      });
    rows.resize(keep);
    return rows;
}

}  // namespace

PixelMatrix PixelMatrix::of(const Dataset& dataset, const std::vector<std::size_t>& items) {
    PixelMatrix matrix;
    matrix.rows = items.size();
    if (items.empty())
        return matrix;
    const cv::Mat& first = dataset.items.at(items.front()).image;
    matrix.cols = first.total();
    if (matrix.cols > kMaxPixels)
        throw Error("neighbour search supports images up to " + std::to_string(kMaxPixels) +
                    " pixels, got " + std::to_string(matrix.cols));
    matrix.data.resize(matrix.rows * matrix.cols);
    for (std::size_t r = 0; r < items.size(); ++r) {
        const LabeledImage& item = dataset.items.at(items[r]);
        if (item.image.type() != CV_8UC1 || item.image.size() != first.size()) {
            throw Error(item.origin + ": neighbour search needs 8-bit grey images of one size (" +
                        std::to_string(first.cols) + "x" + std::to_string(first.rows) + "), got " +
                        cv::typeToString(item.image.type()) + " " +
                        std::to_string(item.image.cols) + "x" + std::to_string(item.image.rows));
        }
        const cv::Mat dense = item.image.isContinuous() ? item.image : item.image.clone();
        std::memcpy(matrix.data.data() + r * matrix.cols, dense.data, matrix.cols);
    }
    return matrix;
}

std::vector<std::vector<std::size_t>> kNearestRows(const PixelMatrix& queries,
                                                   const PixelMatrix& pool,
                                                   const std::vector<std::size_t>& query_ids,
                                                   const std::vector<std::size_t>& pool_ids,
                                                   int k) {
    std::vector<std::vector<std::size_t>> result(queries.rows);
    if (queries.rows == 0 || pool.rows == 0 || k <= 0)
        return result;
    if (queries.cols != pool.cols)
        throw Error("neighbour search: query and pool images differ in size");
    const std::size_t blocks = (queries.rows + kQueryBlock - 1) / kQueryBlock;
    cv::parallel_for_(cv::Range(0, static_cast<int>(blocks)), [&](const cv::Range& range) {
        std::vector<std::int32_t> distances(kQueryBlock * pool.rows);
        for (int block = range.start; block < range.end; ++block) {
            const std::size_t first = static_cast<std::size_t>(block) * kQueryBlock;
            const std::size_t count = std::min(kQueryBlock, queries.rows - first);
            blockDistances(queries.row(first), count, pool.data.data(), pool.rows, pool.cols,
                           distances.data());
            for (std::size_t q = 0; q < count; ++q) {
                const auto self = std::find(pool_ids.begin(), pool_ids.end(), query_ids[first + q]);
                const auto excluded = static_cast<std::size_t>(self - pool_ids.begin());
                result[first + q] = smallest(distances.data() + q * pool.rows, pool.rows, excluded,
                                             static_cast<std::size_t>(k));
            }
        }
    });
    return result;
}

}  // namespace emotrace
