#include "sample_grid.h"

#include <algorithm>
#include <random>

#include <opencv2/imgproc.hpp>

namespace emotrace::explore {

namespace {

constexpr int kZoom = 2;
constexpr int kGap = 4;
constexpr int kLabelWidth = 110;
constexpr int kTitleHeight = 34;

void putLabel(cv::Mat& canvas, const std::string& text, cv::Point origin, double scale) {
    cv::putText(canvas, text, origin, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(30, 30, 30), 1,
                cv::LINE_AA);
}

}  // namespace

cv::Mat sampleGrid(const Dataset& dataset, int per_class, std::uint64_t seed,
                   const std::string& title) {
    std::vector<std::vector<std::size_t>> members(dataset.labels.size());
    for (std::size_t i = 0; i < dataset.items.size(); ++i)
        members[static_cast<std::size_t>(dataset.items[i].label)].push_back(i);
    std::mt19937_64 rng(seed);
    std::vector<std::size_t> rows;
    for (std::size_t c = 0; c < members.size(); ++c) {
        if (members[c].empty())
            continue;
        std::shuffle(members[c].begin(), members[c].end(), rng);
        members[c].resize(std::min(members[c].size(), static_cast<std::size_t>(per_class)));
        rows.push_back(c);
    }
    cv::Size cell(48 * kZoom, 48 * kZoom);
    if (!dataset.items.empty())
        cell = dataset.items.front().image.size() * kZoom;
    const int width = kLabelWidth + per_class * (cell.width + kGap) + kGap;
    const int height = kTitleHeight + static_cast<int>(rows.size()) * (cell.height + kGap) + kGap;
    cv::Mat canvas(height, width, CV_8UC3, cv::Scalar::all(255));
    putLabel(canvas, title, {kGap * 2, 24}, 0.7);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const int top = kTitleHeight + static_cast<int>(r) * (cell.height + kGap);
        putLabel(canvas, dataset.labels[rows[r]], {kGap * 2, top + cell.height / 2 + 6}, 0.6);
        const auto& chosen = members[rows[r]];
        for (std::size_t i = 0; i < chosen.size(); ++i) {
            cv::Mat zoomed, colour;
            cv::resize(dataset.items[chosen[i]].image, zoomed, cell, 0, 0, cv::INTER_NEAREST);
            cv::cvtColor(zoomed, colour, cv::COLOR_GRAY2BGR);
            const int left = kLabelWidth + static_cast<int>(i) * (cell.width + kGap);
            colour.copyTo(canvas(cv::Rect(left, top, cell.width, cell.height)));
        }
    }
    return canvas;
}

}  // namespace emotrace::explore
