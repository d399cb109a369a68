#include "emotrace/charts.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <cstdio>
#include <string_view>
#include <utility>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "emotrace/error.h"

namespace emotrace {

namespace {

constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
const cv::Scalar kInk(40, 40, 40);
const cv::Scalar kGrid(225, 225, 225);
const cv::Scalar kWhite(255, 255, 255);

// Colours for series, distinct on white and in grey print (matplotlib's tab10 order).
constexpr std::uint32_t kSeriesColors[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                           0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};

cv::Scalar bgr(std::uint32_t rgb) {
    return {static_cast<double>(rgb & 0xff), static_cast<double>((rgb >> 8) & 0xff),
            static_cast<double>((rgb >> 16) & 0xff)};
}

cv::Scalar darker(const cv::Scalar& colour) {
    return {colour[0] * 0.75, colour[1] * 0.75, colour[2] * 0.75};
}

std::string formatValue(double value) {
    char text[32];
    if (std::abs(value - std::round(value)) < 1e-9 && std::abs(value) < 1e15)
        std::snprintf(text, sizeof text, "%lld", static_cast<long long>(std::llround(value)));
    else
        std::snprintf(text, sizeof text, "%.3g", value);
    return text;
}

void requireSameSize(std::size_t a, std::size_t b, const std::string& what) {
    if (a != b) {
        throw Error("chart: " + what + " differ in length (" + std::to_string(a) + " and " +
                    std::to_string(b) + ")");
    }
}

cv::Size textSize(const std::string& text, double scale, int thickness = 1) {
    int baseline = 0;
    return cv::getTextSize(text, kFont, scale, thickness, &baseline);
}

enum class Align { Left, Centre, Right };

void drawText(cv::Mat& image, const std::string& text, cv::Point anchor, double scale,
              Align align = Align::Centre, const cv::Scalar& colour = kInk, int thickness = 1) {
    const auto size = textSize(text, scale, thickness);
    int x = anchor.x;
    if (align == Align::Centre)
        x -= size.width / 2;
    else if (align == Align::Right)
        x -= size.width;
    cv::putText(image, text, {x, anchor.y + size.height / 2}, kFont, scale, colour, thickness,
                cv::LINE_AA);
}

// Text turned 90 degrees counter-clockwise, for the y-axis label.
void drawVerticalText(cv::Mat& image, const std::string& text, cv::Point centre, double scale) {
    const auto size = textSize(text, scale);
    cv::Mat strip(size.height + 8, size.width + 4, CV_8UC3, kWhite);
    cv::putText(strip, text, {2, size.height + 2}, kFont, scale, kInk, 1, cv::LINE_AA);
    cv::Mat turned;
    cv::rotate(strip, turned, cv::ROTATE_90_COUNTERCLOCKWISE);
    const cv::Rect target(centre.x - turned.cols / 2, centre.y - turned.rows / 2, turned.cols,
                          turned.rows);
    const cv::Rect inside = target & cv::Rect(0, 0, image.cols, image.rows);
    if (inside.area() > 0)
        turned(inside - target.tl()).copyTo(image(inside));
}

// The canvas with title and axis labels, and the plot area left for the data.
struct Canvas {
    cv::Mat image;
    cv::Rect plot;
};

Canvas makeCanvas(const ChartStyle& style, int extra_bottom = 0, int extra_right = 0,
                  int extra_top = 0) {
    if (style.width < 200 || style.height < 150) {
        throw Error("chart size must be at least 200x150, got " + std::to_string(style.width) +
                    "x" + std::to_string(style.height));
    }
    Canvas canvas;
    canvas.image = cv::Mat(style.height, style.width, CV_8UC3, kWhite);
    const int top = (style.title.empty() ? 20 : 48) + extra_top;
    const int left = style.y_label.empty() ? 62 : 84;
    const int bottom = (style.x_label.empty() ? 40 : 64) + extra_bottom;
    canvas.plot =
        cv::Rect(left, top, style.width - left - 24 - extra_right, style.height - top - bottom);
    if (!style.title.empty())
        drawText(canvas.image, style.title, {style.width / 2, 22}, 0.65, Align::Centre, kInk, 2);
    if (!style.x_label.empty())
        drawText(canvas.image, style.x_label,
                 {canvas.plot.x + canvas.plot.width / 2, style.height - 18}, 0.5);
    if (!style.y_label.empty())
        drawVerticalText(canvas.image, style.y_label, {18, canvas.plot.y + canvas.plot.height / 2},
                         0.5);
    return canvas;
}

// A "nice" tick step covering span with about `count` ticks.
double tickStep(double span, int count) {
    const double raw = span / std::max(count, 1);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double factor : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (factor * magnitude >= raw)
            return factor * magnitude;
    }
    return 10.0 * magnitude;
}

struct Range {
    double low = 0.0;
    double high = 1.0;
    double toY(const cv::Rect& plot, double value) const {
        return plot.y + plot.height - (value - low) / (high - low) * plot.height;
    }
    double toX(const cv::Rect& plot, double value) const {
        return plot.x + (value - low) / (high - low) * plot.width;
    }
};

void valueAxis(cv::Mat& image, const cv::Rect& plot, const Range& range) {
    const double step = tickStep(range.high - range.low, 6);
    for (double tick = std::ceil(range.low / step) * step; tick <= range.high + 1e-9;
         tick += step) {
        const int y = static_cast<int>(std::lround(range.toY(plot, tick)));
        cv::line(image, {plot.x, y}, {plot.x + plot.width, y}, kGrid, 1);
        drawText(image, formatValue(std::abs(tick) < 1e-12 ? 0.0 : tick), {plot.x - 6, y}, 0.42,
                 Align::Right);
    }
    cv::line(image, {plot.x, plot.y}, {plot.x, plot.y + plot.height}, kInk, 1);
    cv::line(image, {plot.x, plot.y + plot.height}, {plot.x + plot.width, plot.y + plot.height},
             kInk, 1);
}

// Category names under slots 0..n-1 of the plot; tilted text is replaced by smaller text.
void categoryAxis(cv::Mat& image, const cv::Rect& plot, const std::vector<std::string>& names) {
    const double slot = static_cast<double>(plot.width) / std::max<std::size_t>(1, names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        double scale = 0.45;
        while (scale > 0.3 && textSize(names[i], scale).width > slot - 4)
            scale -= 0.03;
        const int x = static_cast<int>(plot.x + (static_cast<double>(i) + 0.5) * slot);
        drawText(image, names[i], {x, plot.y + plot.height + 14}, scale);
    }
}

Range valueRange(double low, double high, bool room_for_labels) {
    low = std::min(low, 0.0);
    high = std::max(high, 0.0);
    const double span = high > low ? high - low : 1.0;
    return {low, high + span * (room_for_labels ? 0.12 : 0.04)};
}

void legend(cv::Mat& image, const cv::Rect& plot, const std::vector<std::string>& names,
            const std::vector<cv::Scalar>& colours) {
    int total = 0;
    for (const auto& name : names)
        total += 22 + textSize(name, 0.45).width + 16;
    int x = plot.x + std::max(0, (plot.width - total) / 2);
    const int y = plot.y - 14;
    for (std::size_t i = 0; i < names.size(); ++i) {
        cv::rectangle(image, cv::Rect(x, y - 6, 14, 12), colours[i], cv::FILLED);
        drawText(image, names[i], {x + 20, y}, 0.45, Align::Left);
        x += 22 + textSize(names[i], 0.45).width + 16;
    }
}

void save(const cv::Mat& image, const std::filesystem::path& png) {
    bool written = false;
    try {
        written = cv::imwrite(png.string(), image);
    } catch (const cv::Exception&) {
        written = false;
    }
    if (!written) {
        throw OutputError("cannot write the chart " + png.string() +
                          " (missing folder, no permission or a full disk?)");
    }
}

}  // namespace

std::uint32_t emotionRgb(const std::string& label, int index) {
    // Chosen to stay apart on a white timeline and on video: warm for aroused negative classes,
    // gold for happy, grey for neutral.
    static constexpr std::array<std::pair<std::string_view, std::uint32_t>, 8> kPaperColors{{
        {"angry", 0xd62728},
        {"contempt", 0x8c564b},
        {"disgust", 0x2ca02c},
        {"fear", 0x9467bd},
        {"happy", 0xe6b400},
        {"neutral", 0x7f7f7f},
        {"sad", 0x1f77b4},
        {"surprise", 0xff7f0e},
    }};
    for (const auto& [name, rgb] : kPaperColors) {
        if (label == name)
            return rgb;
    }
    // Golden-angle hue steps keep neighbouring indices far apart (HSV with s, v = 200/255).
    const double hue = static_cast<double>((index * 137 + 200) % 360) / 60.0;
    const double v = 200.0, c = v * 200.0 / 255.0, x = c * (1 - std::abs(std::fmod(hue, 2) - 1));
    double r = 0, g = 0, b = 0;
    switch (static_cast<int>(hue)) {
        case 0:
            r = c, g = x;
            break;
        case 1:
            r = x, g = c;
            break;
        case 2:
            g = c, b = x;
            break;
        case 3:
            g = x, b = c;
            break;
        case 4:
            r = x, b = c;
            break;
        default:
            r = c, b = x;
            break;
    }
    const auto channel = [&](double value) {
        return static_cast<std::uint32_t>(std::lround(value + v - c));
    };
    return (channel(r) << 16) | (channel(g) << 8) | channel(b);
}

void saveBarChart(const std::filesystem::path& png, const std::vector<std::string>& categories,
                  const std::vector<double>& values, const ChartStyle& style) {
    requireSameSize(categories.size(), values.size(), "categories and values");
    auto canvas = makeCanvas(style);
    const auto& plot = canvas.plot;
    const auto [low, high] = std::minmax_element(values.begin(), values.end());
    const auto range =
        valueRange(values.empty() ? 0.0 : *low, values.empty() ? 1.0 : *high, style.value_labels);
    valueAxis(canvas.image, plot, range);
    const double slot = static_cast<double>(plot.width) / std::max<std::size_t>(1, values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        const auto colour = bgr(emotionRgb(categories[i], static_cast<int>(i)));
        const int x0 = static_cast<int>(plot.x + (static_cast<double>(i) + 0.15) * slot);
        const int x1 = static_cast<int>(plot.x + (static_cast<double>(i) + 0.85) * slot);
        const int y0 = static_cast<int>(std::lround(range.toY(plot, 0.0)));
        const int y1 = static_cast<int>(std::lround(range.toY(plot, values[i])));
        cv::rectangle(canvas.image, cv::Point(x0, std::min(y0, y1)),
                      cv::Point(x1, std::max(y0, y1)), colour, cv::FILLED);
        cv::rectangle(canvas.image, cv::Point(x0, std::min(y0, y1)),
                      cv::Point(x1, std::max(y0, y1)), darker(colour), 1);
        if (style.value_labels)
            drawText(canvas.image, formatValue(values[i]), {(x0 + x1) / 2, std::min(y0, y1) - 9},
                     0.42);
    }
    categoryAxis(canvas.image, plot, categories);
    save(canvas.image, png);
}

void saveGroupedBarChart(const std::filesystem::path& png,
                         const std::vector<std::string>& categories,
                         const std::vector<std::string>& series,
                         const std::vector<std::vector<double>>& values, const ChartStyle& style) {
    requireSameSize(series.size(), values.size(), "series names and value rows");
    double low = 0.0, high = 0.0;
    for (std::size_t s = 0; s < series.size(); ++s) {
        requireSameSize(categories.size(), values[s].size(),
                        "categories and series '" + series[s] + "' values");
        for (double v : values[s]) {
            if (std::isnan(v))
                continue;
            low = std::min(low, v);
            high = std::max(high, v);
        }
    }
    auto canvas = makeCanvas(style, 0, 0, series.empty() ? 0 : 22);
    const auto& plot = canvas.plot;
    const auto range = valueRange(low, high, style.value_labels);
    valueAxis(canvas.image, plot, range);
    const double slot =
        static_cast<double>(plot.width) / std::max<std::size_t>(1, categories.size());
    const double bar = 0.8 * slot / static_cast<double>(std::max<std::size_t>(1, series.size()));
    const bool small_labels = bar < 30.0;
    std::vector<cv::Scalar> colours;
    for (std::size_t s = 0; s < series.size(); ++s) {
        colours.push_back(bgr(s < style.series_rgb.size()
                                  ? style.series_rgb[s]
                                  : kSeriesColors[s % std::size(kSeriesColors)]));
        for (std::size_t c = 0; c < categories.size(); ++c) {
            if (std::isnan(values[s][c]))
                continue;
            const double left =
                plot.x + (static_cast<double>(c) + 0.1) * slot + static_cast<double>(s) * bar;
            const int x0 = static_cast<int>(left), x1 = static_cast<int>(left + bar) - 1;
            const int y0 = static_cast<int>(std::lround(range.toY(plot, 0.0)));
            const int y1 = static_cast<int>(std::lround(range.toY(plot, values[s][c])));
            cv::rectangle(canvas.image, cv::Point(x0, std::min(y0, y1)),
                          cv::Point(x1, std::max(y0, y1)), colours.back(), cv::FILLED);
            if (style.value_labels)
                drawText(canvas.image, formatValue(values[s][c]),
                         {(x0 + x1) / 2, std::min(y0, y1) - 8}, small_labels ? 0.3 : 0.4);
        }
    }
    categoryAxis(canvas.image, plot, categories);
    if (!series.empty())
        legend(canvas.image, plot, series, colours);
    save(canvas.image, png);
}

namespace {

constexpr int kPointRadius = 5;
constexpr int kLabelGap = 8;  // from a point's centre to its label

// How much of `box` is covered by `taken` boxes or points, or falls outside `area`: 0 is free.
long long labelClash(const cv::Rect& box, const std::vector<cv::Rect>& taken,
                     const std::vector<cv::Point>& points, const cv::Rect& area) {
    constexpr int kMargin = 2;
    const cv::Rect padded(box.x - kMargin, box.y - kMargin, box.width + 2 * kMargin,
                          box.height + 2 * kMargin);
    long long clash = box.area() - (box & area).area();
    for (const auto& other : taken)
        clash += (padded & other).area();
    for (const auto& point : points) {
        const cv::Rect disc(point.x - kPointRadius, point.y - kPointRadius, 2 * kPointRadius + 1,
                            2 * kPointRadius + 1);
        clash += (padded & disc).area();
    }
    return clash;
}

}  // namespace

std::vector<cv::Rect> placePointLabels(const std::vector<cv::Point>& points,
                                       const std::vector<cv::Size>& label_sizes,
                                       const cv::Rect& area) {
    requireSameSize(points.size(), label_sizes.size(), "points and label sizes");
    std::vector<cv::Rect> placed;
    placed.reserve(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        const cv::Point p = points[i];
        const int w = label_sizes[i].width, h = label_sizes[i].height;
        const int right = p.x + kLabelGap, left = p.x - kLabelGap - w;
        const bool left_first = p.x > area.x + 0.7 * area.width;
        const int first = left_first ? left : right, second = left_first ? right : left;
        const int up = p.y - kLabelGap - h / 2, down = p.y + kLabelGap - h / 2;
        // Beside the point (slightly above, then below), then over and under it, then further
        // up and down the same two sides: the nearest free place wins.
        std::vector<cv::Rect> candidates{{first, up, w, h},
                                         {second, up, w, h},
                                         {first, down, w, h},
                                         {second, down, w, h},
                                         {p.x - w / 2, p.y - kLabelGap - h, w, h},
                                         {p.x - w / 2, p.y + kLabelGap, w, h}};
        for (int step = 1; step <= 4; ++step) {
            const int shift = step * (h + 4);
            for (int x : {first, second}) {
                candidates.emplace_back(x, up - shift, w, h);
                candidates.emplace_back(x, down + shift, w, h);
            }
        }
        std::vector<cv::Point> others;
        for (std::size_t j = 0; j < points.size(); ++j)
            if (j != i)
                others.push_back(points[j]);
        cv::Rect best = candidates.front();
        long long best_clash = -1;
        for (const auto& candidate : candidates) {
            const long long clash = labelClash(candidate, placed, others, area);
            if (best_clash < 0 || clash < best_clash) {
                best = candidate;
                best_clash = clash;
            }
            if (clash == 0)
                break;
        }
        placed.push_back(best);
    }
    return placed;
}

void saveScatterWithDiagonal(const std::filesystem::path& png, const std::vector<double>& x,
                             const std::vector<double>& y,
                             const std::vector<std::string>& point_labels,
                             const ChartStyle& style) {
    requireSameSize(x.size(), y.size(), "x and y");
    if (!point_labels.empty())
        requireSameSize(x.size(), point_labels.size(), "points and point labels");
    auto canvas = makeCanvas(style);
    // Square axes: one range for both.
    auto& plot = canvas.plot;
    const int side = std::min(plot.width, plot.height);
    plot = cv::Rect(plot.x + (plot.width - side) / 2, plot.y, side, side);
    double low = 0.0, high = 1.0;
    if (!x.empty()) {
        low =
            std::min(*std::min_element(x.begin(), x.end()), *std::min_element(y.begin(), y.end()));
        high =
            std::max(*std::max_element(x.begin(), x.end()), *std::max_element(y.begin(), y.end()));
    }
    const double pad = std::max(0.05 * (high - low), 1e-3 * std::max(1.0, std::abs(high)));
    const Range range{low - pad, high + pad};
    valueAxis(canvas.image, plot, range);
    const double step = tickStep(range.high - range.low, 6);
    for (double tick = std::ceil(range.low / step) * step; tick <= range.high + 1e-9;
         tick += step) {
        const int px = static_cast<int>(std::lround(range.toX(plot, tick)));
        cv::line(canvas.image, {px, plot.y + plot.height}, {px, plot.y + plot.height + 4}, kInk);
        drawText(canvas.image, formatValue(tick), {px, plot.y + plot.height + 14}, 0.42);
    }
    // The diagonal, dashed.
    for (int i = 0; i < 40; i += 2) {
        const double a = range.low + (range.high - range.low) * i / 40.0;
        const double b = range.low + (range.high - range.low) * (i + 1) / 40.0;
        cv::line(canvas.image,
                 {static_cast<int>(range.toX(plot, a)), static_cast<int>(range.toY(plot, a))},
                 {static_cast<int>(range.toX(plot, b)), static_cast<int>(range.toY(plot, b))},
                 cv::Scalar(150, 150, 150), 1, cv::LINE_AA);
    }
    const auto colour = bgr(kSeriesColors[0]);
    std::vector<cv::Point> points;
    for (std::size_t i = 0; i < x.size(); ++i) {
        points.emplace_back(static_cast<int>(std::lround(range.toX(plot, x[i]))),
                            static_cast<int>(std::lround(range.toY(plot, y[i]))));
        cv::circle(canvas.image, points.back(), kPointRadius, colour, cv::FILLED, cv::LINE_AA);
    }
    if (!point_labels.empty()) {
        constexpr double kLabelScale = 0.4;
        std::vector<cv::Size> sizes;
        for (const auto& label : point_labels)
            sizes.push_back(textSize(label, kLabelScale));
        const auto boxes = placePointLabels(points, sizes, plot);
        for (std::size_t i = 0; i < boxes.size(); ++i) {
            drawText(canvas.image, point_labels[i], {boxes[i].x, boxes[i].y + boxes[i].height / 2},
                     kLabelScale, Align::Left);
        }
    }
    save(canvas.image, png);
}

void saveConfusionMatrix(const std::filesystem::path& png, const std::vector<std::string>& labels,
                         const std::vector<std::vector<long long>>& counts,
                         const ChartStyle& style) {
    requireSameSize(labels.size(), counts.size(), "labels and confusion-matrix rows");
    for (const auto& row : counts)
        requireSameSize(labels.size(), row.size(), "labels and confusion-matrix columns");
    ChartStyle with_axes = style;
    if (with_axes.x_label.empty())
        with_axes.x_label = "predicted";
    if (with_axes.y_label.empty())
        with_axes.y_label = "true";
    auto canvas = makeCanvas(with_axes, 0, 0);
    auto& plot = canvas.plot;
    const int n = static_cast<int>(labels.size());
    // Room for the row names on the left.
    int name_width = 0;
    for (const auto& label : labels)
        name_width = std::max(name_width, textSize(label, 0.42).width);
    plot.x += name_width + 4;
    plot.width -= name_width + 4;
    const int cell = std::max(1, std::min(plot.width, plot.height) / std::max(n, 1));
    // Centred in the room there is.
    plot = cv::Rect(plot.x + std::max(0, (plot.width - cell * n) / 2), plot.y, cell * n, cell * n);
    for (int t = 0; t < n; ++t) {
        const auto& row = counts[static_cast<std::size_t>(t)];
        long long total = 0;
        for (long long count : row)
            total += count;
        for (int p = 0; p < n; ++p) {
            const long long count = row[static_cast<std::size_t>(p)];
            const double share = total > 0 ? static_cast<double>(count) / total : 0.0;
            // From near-white to dark blue, as matplotlib's "Blues".
            const cv::Scalar low(255, 251, 247), high(107, 48, 8);
            const cv::Scalar shade = low * (1.0 - share) + high * share;
            const cv::Rect box(plot.x + p * cell, plot.y + t * cell, cell, cell);
            cv::rectangle(canvas.image, box, shade, cv::FILLED);
            cv::rectangle(canvas.image, box, cv::Scalar(210, 210, 210), 1);
            const auto ink = share > 0.55 ? kWhite : kInk;
            const double scale = cell < 50 ? 0.33 : 0.42;
            drawText(canvas.image, std::to_string(count), {box.x + cell / 2, box.y + cell / 2 - 8},
                     scale, Align::Centre, ink);
            drawText(canvas.image, std::to_string(std::lround(100.0 * share)) + "%",
                     {box.x + cell / 2, box.y + cell / 2 + 9}, scale, Align::Centre, ink);
        }
        drawText(canvas.image, labels[static_cast<std::size_t>(t)],
                 {plot.x - 6, plot.y + t * cell + cell / 2}, 0.42, Align::Right);
    }
    categoryAxis(canvas.image, plot, labels);
    save(canvas.image, png);
}

void saveTimelineChart(const std::filesystem::path& png, const std::vector<double>& times,
                       const std::vector<std::string>& labels,
                       const std::vector<std::vector<double>>& values, const ChartStyle& style) {
    requireSameSize(labels.size(), values.size(), "labels and value rows");
    for (std::size_t l = 0; l < labels.size(); ++l)
        requireSameSize(times.size(), values[l].size(), "times and '" + labels[l] + "' values");
    auto canvas = makeCanvas(style, 0, 0, labels.empty() ? 0 : 22);
    const auto& plot = canvas.plot;
    const Range y_range{0.0, 1.0};
    valueAxis(canvas.image, plot, y_range);
    Range x_range{0.0, 1.0};
    if (times.size() >= 2) {
        x_range = {times.front(), times.back()};
        if (x_range.high <= x_range.low)
            x_range.high = x_range.low + 1.0;
    }
    const double step = tickStep(x_range.high - x_range.low, 10);
    for (double tick = std::ceil(x_range.low / step) * step; tick <= x_range.high + 1e-9;
         tick += step) {
        const int px = static_cast<int>(std::lround(x_range.toX(plot, tick)));
        cv::line(canvas.image, {px, plot.y + plot.height}, {px, plot.y + plot.height + 4}, kInk);
        drawText(canvas.image, formatValue(tick), {px, plot.y + plot.height + 14}, 0.42);
    }
    // Frames without a face: a grey band, so a gap reads as "no face", not "zero".
    for (std::size_t i = 0; i < times.size() && !values.empty(); ++i) {
        if (!std::isnan(values[0][i]))
            continue;
        const double next = i + 1 < times.size() ? times[i + 1] : times[i];
        const int x0 = static_cast<int>(x_range.toX(plot, times[i]));
        const int x1 = std::max(x0 + 1, static_cast<int>(x_range.toX(plot, next)));
        cv::rectangle(canvas.image, cv::Point(x0, plot.y), cv::Point(x1, plot.y + plot.height),
                      cv::Scalar(238, 238, 238), cv::FILLED);
    }
    std::vector<cv::Scalar> colours;
    for (std::size_t l = 0; l < labels.size(); ++l) {
        colours.push_back(bgr(emotionRgb(labels[l], static_cast<int>(l))));
        std::vector<cv::Point> run;
        const auto flush = [&] {
            if (run.size() >= 2)
                cv::polylines(canvas.image, run, false, colours.back(), 2, cv::LINE_AA);
            run.clear();
        };
        for (std::size_t i = 0; i < times.size(); ++i) {
            if (std::isnan(values[l][i])) {
                flush();
                continue;
            }
            run.emplace_back(static_cast<int>(std::lround(x_range.toX(plot, times[i]))),
                             static_cast<int>(std::lround(y_range.toY(plot, values[l][i]))));
        }
        flush();
    }
    if (!labels.empty())
        legend(canvas.image, plot, labels, colours);
    save(canvas.image, png);
}

void saveLinePanels(const std::filesystem::path& png, const std::vector<double>& x,
                    const std::vector<std::string>& series, const std::vector<LinePanel>& panels,
                    int columns, const ChartStyle& style) {
    if (columns < 1)
        throw Error("chart: line panels need at least 1 column, got " + std::to_string(columns));
    if (panels.empty())
        throw Error("chart: line panels need at least one panel, got none");
    double low = std::numeric_limits<double>::infinity();
    double high = -low;
    for (const auto& panel : panels) {
        requireSameSize(series.size(), panel.values.size(),
                        "series names and panel '" + panel.title + "' rows");
        for (std::size_t s = 0; s < series.size(); ++s) {
            requireSameSize(x.size(), panel.values[s].size(),
                            "x and panel '" + panel.title + "' series '" + series[s] + "' values");
            for (double v : panel.values[s]) {
                if (!std::isnan(v)) {
                    low = std::min(low, v);
                    high = std::max(high, v);
                }
            }
        }
    }
    if (!(low <= high))
        low = 0.0, high = 1.0;  // no value at all: empty panels on a unit range
    const double margin = high > low ? 0.06 * (high - low) : 0.5;
    const Range y_range{low - margin, high + margin};
    Range x_range{0.0, 1.0};
    if (!x.empty()) {
        x_range = {*std::min_element(x.begin(), x.end()), *std::max_element(x.begin(), x.end())};
        const double pad = x_range.high > x_range.low ? 0.04 * (x_range.high - x_range.low) : 0.5;
        x_range = {x_range.low - pad, x_range.high + pad};
    }
    std::vector<cv::Scalar> colours;
    for (std::size_t s = 0; s < series.size(); ++s) {
        colours.push_back(bgr(s < style.series_rgb.size()
                                  ? style.series_rgb[s]
                                  : kSeriesColors[s % std::size(kSeriesColors)]));
    }

    const int rows = (static_cast<int>(panels.size()) + columns - 1) / columns;
    const int header = (style.title.empty() ? 0 : 40) + (series.empty() ? 0 : 30);
    cv::Mat image(header + rows * style.height, columns * style.width, CV_8UC3, kWhite);
    if (!style.title.empty())
        drawText(image, style.title, {image.cols / 2, 22}, 0.65, Align::Centre, kInk, 2);
    if (!series.empty())
        legend(image, cv::Rect(0, header - 2, image.cols, 1), series, colours);

    for (std::size_t p = 0; p < panels.size(); ++p) {
        ChartStyle panel_style = style;
        panel_style.title = panels[p].title;
        auto canvas = makeCanvas(panel_style);
        const auto& plot = canvas.plot;
        valueAxis(canvas.image, plot, y_range);
        const double step = std::max(1.0, tickStep(x_range.high - x_range.low, 10));
        for (double tick = std::ceil(x_range.low / step) * step; tick <= x_range.high + 1e-9;
             tick += step) {
            const int px = static_cast<int>(std::lround(x_range.toX(plot, tick)));
            cv::line(canvas.image, {px, plot.y + plot.height}, {px, plot.y + plot.height + 4},
                     kInk);
            drawText(canvas.image, formatValue(tick), {px, plot.y + plot.height + 14}, 0.42);
        }
        for (std::size_t s = 0; s < series.size(); ++s) {
            std::vector<cv::Point> run;
            const auto flush = [&] {
                if (run.size() >= 2)
                    cv::polylines(canvas.image, run, false, colours[s], 2, cv::LINE_AA);
                for (const auto& point : run)
                    cv::circle(canvas.image, point, 3, colours[s], cv::FILLED, cv::LINE_AA);
                run.clear();
            };
            for (std::size_t i = 0; i < x.size(); ++i) {
                if (std::isnan(panels[p].values[s][i])) {
                    flush();
                    continue;
                }
                run.emplace_back(
                    static_cast<int>(std::lround(x_range.toX(plot, x[i]))),
                    static_cast<int>(std::lround(y_range.toY(plot, panels[p].values[s][i]))));
            }
            flush();
        }
        const int column = static_cast<int>(p) % columns;
        const int row = static_cast<int>(p) / columns;
        canvas.image.copyTo(image(cv::Rect(column * style.width, header + row * style.height,
                                           style.width, style.height)));
    }
    save(image, png);
}

}  // namespace emotrace
