// Charts drawn with OpenCV straight into PNG files, for the headless command-line tools (dataset
// exploration, training reports, the Table 2 experiment, analysis plots): they run on machines
// with no display and no Qt. A bar chart, a grouped bar chart, a scatter plot with the y = x
// diagonal, a confusion-matrix heatmap, probability lines over time and small multiples of
// line charts.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core/types.hpp>

namespace emotrace {

struct ChartStyle {
    std::string title;
    std::string x_label;
    std::string y_label;
    int width = 900;  // pixels of the PNG
    int height = 540;
    bool value_labels = true;  // print each bar's value above it
    // 0xRRGGBB of each series of a grouped bar chart, in order; series beyond it (or all, when
    // empty) take the default palette.
    std::vector<std::uint32_t> series_rgb{};
};

// 0xRRGGBB for a class: the paper's eight classes have fixed colours (the dashboard uses the
// same ones); other labels get distinct hues from their position.
std::uint32_t emotionRgb(const std::string& label, int index);

// One bar per category, coloured by emotion when the category is one of the paper's classes.
// Throws Error when the sizes differ, OutputError naming the file when it cannot be written.
void saveBarChart(const std::filesystem::path& png, const std::vector<std::string>& categories,
                  const std::vector<double>& values, const ChartStyle& style = {});

// values[s][c]: series s (a split, a method) at category c; one colour per series, with a legend.
// A NaN value (no figure for that category) draws no bar.
void saveGroupedBarChart(const std::filesystem::path& png,
                         const std::vector<std::string>& categories,
                         const std::vector<std::string>& series,
                         const std::vector<std::vector<double>>& values,
                         const ChartStyle& style = {});

// Points (x[i], y[i]) named point_labels[i] (may be empty), both axes on one range, with the
// y = x diagonal: points above it have y > x.
void saveScatterWithDiagonal(const std::filesystem::path& png, const std::vector<double>& x,
                             const std::vector<double>& y,
                             const std::vector<std::string>& point_labels,
                             const ChartStyle& style = {});

// Where the labels of a scatter plot's points go, in image pixels, placed in order: each beside
// its point, to its right (to its left when the point is in the right 30 % of `area`, so that
// the label stays inside), or else on the first other side where it covers no label placed
// before it and no point, inside `area`; where no side is free, the one that covers least.
std::vector<cv::Rect> placePointLabels(const std::vector<cv::Point>& points,
                                       const std::vector<cv::Size>& label_sizes,
                                       const cv::Rect& area);

// counts[t][p]: items of true class t predicted as p. Each cell shows its count and its share of
// the row, and is shaded by that share (recall on the diagonal).
void saveConfusionMatrix(const std::filesystem::path& png, const std::vector<std::string>& labels,
                         const std::vector<std::vector<long long>>& counts,
                         const ChartStyle& style = {});

// Probability of each label over time: values[l][i] at times[i] (seconds); NaN is a gap (no
// face), drawn as a break in the line and a grey band.
void saveTimelineChart(const std::filesystem::path& png, const std::vector<double>& times,
                       const std::vector<std::string>& labels,
                       const std::vector<std::vector<double>>& values,
                       const ChartStyle& style = {});

// One small line chart per panel (e.g. one per model), laid out `columns` to a row in one PNG:
// series s of a panel has values[s][i] at x[i], drawn as a line with a dot at each point; NaN is
// no point (a run that stopped early). Every panel has the same y range, from all the values,
// so that the panels compare at a glance, and one legend at the top serves them all.
// style.width and style.height are one panel's size; series colours as in ChartStyle.
struct LinePanel {
    std::string title;
    std::vector<std::vector<double>> values;  // [series][point]
};
void saveLinePanels(const std::filesystem::path& png, const std::vector<double>& x,
                    const std::vector<std::string>& series, const std::vector<LinePanel>& panels,
                    int columns, const ChartStyle& style = {});

}  // namespace emotrace
