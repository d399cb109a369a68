// Charts written straight to PNG files with QCustomPlot, for the command-line tools (dataset
// exploration, training reports, the Table 2 experiment): a bar chart, a grouped bar chart, a
// scatter plot with the y = x diagonal and a confusion-matrix heatmap with counts. Plain vectors
// and strings in, so callers need no Qt. Drawing needs a QApplication: tools create a
// FigureApplication at the start of main() (tests and the dashboard already have one).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

class QApplication;

namespace emotrace::ui {

// A QApplication on the offscreen platform (unless QT_QPA_PLATFORM says otherwise), or nothing
// when the process already has one. Keep it alive while drawing.
class FigureApplication {
  public:
    FigureApplication();
    ~FigureApplication();
    FigureApplication(const FigureApplication&) = delete;
    FigureApplication& operator=(const FigureApplication&) = delete;

  private:
    int argc_ = 1;
    char name_[16] = "emotrace";
    char* argv_[2] = {name_, nullptr};
    std::unique_ptr<QApplication> app_;
};

struct FigureStyle {
    std::string title;
    std::string x_label;
    std::string y_label;
    int width = 900;  // pixels of the PNG
    int height = 540;
    bool value_labels = true;  // print each bar's value above it
};

// One bar per category, coloured by emotion when the category is one of the paper's classes.
// Throws Error when the sizes differ, OutputError naming the file when it cannot be written.
void saveBarChart(const std::filesystem::path& png, const std::vector<std::string>& categories,
                  const std::vector<double>& values, const FigureStyle& style = {});

// values[s][c]: series s (a split, a method) at category c; one colour per series, with a legend.
void saveGroupedBarChart(const std::filesystem::path& png,
                         const std::vector<std::string>& categories,
                         const std::vector<std::string>& series,
                         const std::vector<std::vector<double>>& values,
                         const FigureStyle& style = {});

// Points (x[i], y[i]) named point_labels[i] (may be empty), both axes on one range, with the
// y = x diagonal: points above it have y > x.
void saveScatterWithDiagonal(const std::filesystem::path& png, const std::vector<double>& x,
                             const std::vector<double>& y,
                             const std::vector<std::string>& point_labels,
                             const FigureStyle& style = {});

// counts[t][p]: items of true class t predicted as p. Each cell shows its count and its share of
// the row, and is shaded by that share (recall on the diagonal).
void saveConfusionMatrix(const std::filesystem::path& png, const std::vector<std::string>& labels,
                         const std::vector<std::vector<long long>>& counts,
                         const FigureStyle& style = {});

}  // namespace emotrace::ui
