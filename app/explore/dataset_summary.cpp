#include "dataset_summary.h"

#include <cmath>
#include <iomanip>
#include <numeric>
#include <sstream>

namespace emotrace::explore {

namespace {

SideStats statsOf(const std::string& name, const Dataset& dataset,
                  const std::vector<std::size_t>& indices) {
    SideStats stats;
    stats.side = name;
    stats.counts.assign(dataset.labels.size(), 0);
    stats.items = indices.size();
    double sum = 0.0, squares = 0.0, pixels = 0.0;
    for (std::size_t index : indices) {
        const LabeledImage& item = dataset.items[index];
        ++stats.counts[static_cast<std::size_t>(item.label)];
        sum += cv::sum(item.image)[0];
        squares += item.image.dot(item.image);
        pixels += static_cast<double>(item.image.total());
    }
    if (pixels > 0) {
        const double mean = sum / pixels;
        stats.pixel_mean = mean / 255.0;
        stats.pixel_std = std::sqrt(std::max(0.0, squares / pixels - mean * mean)) / 255.0;
    }
    return stats;
}

}  // namespace

std::vector<SideStats> summarise(const Dataset& dataset, const Split& split) {
    std::vector<std::size_t> all(dataset.items.size());
    std::iota(all.begin(), all.end(), std::size_t{0});
    return {statsOf("train", dataset, split.train),
            statsOf("validation", dataset, split.validation), statsOf("test", dataset, split.test),
            statsOf("all", dataset, all)};
}

std::string classTable(const std::vector<std::string>& labels,
                       const std::vector<SideStats>& sides) {
    std::ostringstream out;
    out << "| class |";
    for (const auto& side : sides)
        out << ' ' << side.side << " |";
    out << "\n|---|";
    for (std::size_t i = 0; i < sides.size(); ++i)
        out << "---:|";
    out << '\n';
    for (std::size_t c = 0; c < labels.size(); ++c) {
        out << "| " << labels[c] << " |";
        for (const auto& side : sides) {
            const double share =
                side.items ? 100.0 * static_cast<double>(side.counts[c]) / side.items : 0.0;
            out << ' ' << side.counts[c] << " (" << std::fixed << std::setprecision(1) << share
                << "%) |";
        }
        out << '\n';
    }
    out << "| **total** |";
    for (const auto& side : sides)
        out << " **" << side.items << "** |";
    out << '\n';
    return out.str();
}

std::string pixelTable(const std::vector<SideStats>& sides) {
    std::ostringstream out;
    out << "| split | images | pixel mean | pixel std |\n|---|---:|---:|---:|\n";
    out << std::fixed << std::setprecision(4);
    for (const auto& side : sides) {
        out << "| " << side.side << " | " << side.items << " | " << side.pixel_mean << " | "
            << side.pixel_std << " |\n";
    }
    return out.str();
}

}  // namespace emotrace::explore
