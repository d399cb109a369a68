#include "figures.h"

#include <algorithm>
#include <cmath>

#include <QApplication>
#include <qcustomplot.h>

#include "emotion_palette.h"
#include "emotrace/error.h"

namespace emotrace::ui {

namespace {

// Colours for series, distinct on white and in grey print (matplotlib's tab10 order).
constexpr QRgb kSeriesColors[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                  0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};

QString text(const std::string& value) {
    return QString::fromStdString(value);
}

QString formatValue(double value) {
    if (std::abs(value - std::round(value)) < 1e-9 && std::abs(value) < 1e15)
        return QString::number(static_cast<long long>(std::llround(value)));
    return QString::number(value, 'g', 3);
}

void requireApplication() {
    if (!qobject_cast<QApplication*>(QCoreApplication::instance())) {
        throw Error(
            "drawing a figure needs a QApplication; create an emotrace::ui::FigureApplication "
            "at the start of main()");
    }
}

QFont font(int points, bool bold = false) {
    QFont chosen("DejaVu Sans", points);
    chosen.setBold(bold);
    return chosen;
}

void setUp(QCustomPlot& plot, const FigureStyle& style) {
    if (style.width <= 0 || style.height <= 0) {
        throw Error("figure size must be positive, got " + std::to_string(style.width) + "x" +
                    std::to_string(style.height));
    }
    plot.resize(style.width, style.height);
    plot.setBackground(Qt::white);
    if (!style.title.empty()) {
        plot.plotLayout()->insertRow(0);
        plot.plotLayout()->addElement(0, 0,
                                      new QCPTextElement(&plot, text(style.title), font(12, true)));
    }
    plot.xAxis->setLabel(text(style.x_label));
    plot.yAxis->setLabel(text(style.y_label));
    for (QCPAxis* axis : {plot.xAxis, plot.yAxis}) {
        axis->setLabelFont(font(10));
        axis->setTickLabelFont(font(9));
    }
}

void save(QCustomPlot& plot, const std::filesystem::path& png, const FigureStyle& style) {
    plot.replot();
    if (!plot.savePng(QString::fromStdString(png.string()), style.width, style.height)) {
        throw OutputError("cannot write the figure " + png.string() +
                          " (missing folder, no permission or a full disk?)");
    }
}

// Categories at keys 1..n, labelled by name, tilted when they would collide.
void categoryAxis(QCustomPlot& plot, QCPAxis* axis, const std::vector<std::string>& categories) {
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    std::size_t longest = 0;
    for (std::size_t i = 0; i < categories.size(); ++i) {
        ticker->addTick(static_cast<double>(i + 1), text(categories[i]));
        longest = std::max(longest, categories[i].size());
    }
    axis->setTicker(ticker);
    axis->setSubTicks(false);
    axis->setTickLength(0, 4);
    axis->grid()->setVisible(false);
    axis->setRange(0.5, static_cast<double>(categories.size()) + 0.5);
    const double per_category = plot.width() / std::max<double>(1.0, categories.size());
    if (static_cast<double>(longest) * 7.0 > per_category)
        axis->setTickLabelRotation(30);
}

void valueAxisRange(QCPAxis* axis, double low, double high, bool room_for_labels) {
    low = std::min(low, 0.0);
    high = std::max(high, 0.0);
    const double span = high > low ? high - low : 1.0;
    axis->setRange(low, high + span * (room_for_labels ? 0.12 : 0.04));
}

void valueLabel(QCustomPlot& plot, double key, double value, bool vertical) {
    auto* label = new QCPItemText(&plot);
    label->position->setCoords(key, value);
    label->setText(formatValue(value));
    label->setFont(font(vertical ? 7 : 8));
    label->setColor(QColor(60, 60, 60));
    if (vertical) {
        label->setRotation(-90);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        label->setPadding(QMargins(3, 0, 0, 0));
    } else {
        label->setPositionAlignment(Qt::AlignBottom | Qt::AlignHCenter);
        label->setPadding(QMargins(0, 0, 0, 2));
    }
}

void requireSameSize(std::size_t a, std::size_t b, const std::string& what) {
    if (a != b) {
        throw Error("figure: " + what + " differ in length (" + std::to_string(a) + " and " +
                    std::to_string(b) + ")");
    }
}

}  // namespace

FigureApplication::FigureApplication() {
    if (QCoreApplication::instance())
        return;
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    app_ = std::make_unique<QApplication>(argc_, argv_);
}

FigureApplication::~FigureApplication() = default;

void saveBarChart(const std::filesystem::path& png, const std::vector<std::string>& categories,
                  const std::vector<double>& values, const FigureStyle& style) {
    requireApplication();
    requireSameSize(categories.size(), values.size(), "categories and values");
    QCustomPlot plot;
    setUp(plot, style);
    for (std::size_t i = 0; i < values.size(); ++i) {
        // One QCPBars per bar so each can take its emotion's colour.
        auto* bar = new QCPBars(plot.xAxis, plot.yAxis);
        const QColor colour = emotionColor(categories[i], static_cast<int>(i));
        bar->setPen(QPen(colour.darker(130)));
        bar->setBrush(colour);
        bar->setWidth(0.7);
        bar->addData(static_cast<double>(i + 1), values[i]);
        if (style.value_labels)
            valueLabel(plot, static_cast<double>(i + 1), values[i], false);
    }
    categoryAxis(plot, plot.xAxis, categories);
    const auto [low, high] = std::minmax_element(values.begin(), values.end());
    valueAxisRange(plot.yAxis, values.empty() ? 0.0 : *low, values.empty() ? 1.0 : *high,
                   style.value_labels);
    save(plot, png, style);
}

void saveGroupedBarChart(const std::filesystem::path& png,
                         const std::vector<std::string>& categories,
                         const std::vector<std::string>& series,
                         const std::vector<std::vector<double>>& values, const FigureStyle& style) {
    requireApplication();
    requireSameSize(series.size(), values.size(), "series names and value rows");
    QCustomPlot plot;
    setUp(plot, style);
    const double group_width = 0.8;
    const double bar_width = group_width / std::max<double>(1.0, series.size());
    const bool vertical_labels = series.size() * categories.size() > 16;
    double low = 0.0, high = 0.0;
    for (std::size_t s = 0; s < series.size(); ++s) {
        requireSameSize(categories.size(), values[s].size(),
                        "categories and series '" + series[s] + "' values");
        auto* bars = new QCPBars(plot.xAxis, plot.yAxis);
        const QColor colour = QColor::fromRgb(kSeriesColors[s % std::size(kSeriesColors)]);
        bars->setName(text(series[s]));
        bars->setPen(QPen(colour.darker(130)));
        bars->setBrush(colour);
        bars->setWidth(bar_width);
        const double offset = (static_cast<double>(s) - (series.size() - 1) / 2.0) * bar_width;
        for (std::size_t c = 0; c < categories.size(); ++c) {
            const double key = static_cast<double>(c + 1) + offset;
            bars->addData(key, values[s][c]);
            if (style.value_labels)
                valueLabel(plot, key, values[s][c], vertical_labels);
            low = std::min(low, values[s][c]);
            high = std::max(high, values[s][c]);
        }
    }
    categoryAxis(plot, plot.xAxis, categories);
    valueAxisRange(plot.yAxis, low, high * (vertical_labels ? 1.1 : 1.0), style.value_labels);
    if (!series.empty()) {
        // A one-line legend between the title and the axes, so it never covers a bar.
        plot.legend->setVisible(true);
        plot.legend->setFont(font(9));
        plot.legend->setFillOrder(QCPLegend::foColumnsFirst);
        plot.legend->setBorderPen(Qt::NoPen);
        plot.axisRect()->insetLayout()->take(plot.legend);
        const int row = style.title.empty() ? 0 : 1;
        plot.plotLayout()->insertRow(row);
        // Empty cells either side keep the legend at its natural width, centred.
        auto* strip = new QCPLayoutGrid;
        plot.plotLayout()->addElement(row, 0, strip);
        plot.plotLayout()->setRowStretchFactor(row, 0.001);
        strip->addElement(0, 0, new QCPLayoutElement(&plot));
        strip->addElement(0, 1, plot.legend);
        strip->addElement(0, 2, new QCPLayoutElement(&plot));
        strip->setColumnStretchFactors({1.0, 0.001, 1.0});
    }
    save(plot, png, style);
}

void saveScatterWithDiagonal(const std::filesystem::path& png, const std::vector<double>& x,
                             const std::vector<double>& y,
                             const std::vector<std::string>& point_labels,
                             const FigureStyle& style) {
    requireApplication();
    requireSameSize(x.size(), y.size(), "x and y");
    if (!point_labels.empty())
        requireSameSize(x.size(), point_labels.size(), "points and point labels");
    QCustomPlot plot;
    setUp(plot, style);
    double low = 0.0, high = 1.0;
    if (!x.empty()) {
        low =
            std::min(*std::min_element(x.begin(), x.end()), *std::min_element(y.begin(), y.end()));
        high =
            std::max(*std::max_element(x.begin(), x.end()), *std::max_element(y.begin(), y.end()));
    }
    const double pad = std::max(0.05 * (high - low), 1e-3 * std::max(1.0, std::abs(high)));
    low -= pad;
    high += pad;
    plot.xAxis->setRange(low, high);
    plot.yAxis->setRange(low, high);

    auto* diagonal = new QCPItemStraightLine(&plot);
    diagonal->point1->setCoords(low, low);
    diagonal->point2->setCoords(high, high);
    diagonal->setPen(QPen(QColor(150, 150, 150), 1.5, Qt::DashLine));

    QCPGraph* points = plot.addGraph();
    points->setLineStyle(QCPGraph::lsNone);
    points->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc,
                                            QColor::fromRgb(kSeriesColors[0]),
                                            QColor::fromRgb(kSeriesColors[0]), 9));
    for (std::size_t i = 0; i < x.size(); ++i) {
        points->addData(x[i], y[i]);
        if (point_labels.empty())
            continue;
        auto* label = new QCPItemText(&plot);
        label->position->setCoords(x[i], y[i]);
        label->setText(text(point_labels[i]));
        label->setFont(font(8));
        // Labels of points near the right edge go to their left, so they stay inside.
        const bool right_side = x[i] > low + 0.7 * (high - low);
        label->setPositionAlignment((right_side ? Qt::AlignRight : Qt::AlignLeft) |
                                    Qt::AlignBottom);
        label->setPadding(right_side ? QMargins(0, 0, 6, 2) : QMargins(6, 0, 0, 2));
    }
    save(plot, png, style);
}

void saveConfusionMatrix(const std::filesystem::path& png, const std::vector<std::string>& labels,
                         const std::vector<std::vector<long long>>& counts,
                         const FigureStyle& style) {
    requireApplication();
    requireSameSize(labels.size(), counts.size(), "labels and confusion-matrix rows");
    const int n = static_cast<int>(labels.size());
    QCustomPlot plot;
    setUp(plot, style);
    auto* map = new QCPColorMap(plot.xAxis, plot.yAxis);
    map->data()->setSize(n, n);
    map->data()->setRange(QCPRange(1, std::max(n, 2)), QCPRange(1, std::max(n, 2)));
    map->setInterpolate(false);
    for (int t = 0; t < n; ++t) {
        const auto& row = counts[static_cast<std::size_t>(t)];
        requireSameSize(labels.size(), row.size(), "labels and confusion-matrix columns");
        long long total = 0;
        for (long long count : row)
            total += count;
        for (int p = 0; p < n; ++p) {
            const long long count = row[static_cast<std::size_t>(p)];
            const double share = total > 0 ? static_cast<double>(count) / total : 0.0;
            map->data()->setCell(p, t, share);
            auto* cell = new QCPItemText(&plot);
            cell->position->setCoords(p + 1, t + 1);
            cell->setText(QString("%1\n%2%").arg(count).arg(std::lround(100.0 * share)));
            cell->setFont(font(n > 10 ? 7 : 9));
            cell->setColor(share > 0.55 ? Qt::white : QColor(30, 30, 30));
        }
    }
    QCPColorGradient gradient;
    gradient.setColorStopAt(0.0, QColor(247, 251, 255));
    gradient.setColorStopAt(0.5, QColor(107, 174, 214));
    gradient.setColorStopAt(1.0, QColor(8, 48, 107));
    map->setGradient(gradient);
    map->setDataRange(QCPRange(0.0, 1.0));

    auto* scale = new QCPColorScale(&plot);
    plot.plotLayout()->addElement(style.title.empty() ? 0 : 1, 1, scale);
    scale->setGradient(gradient);
    scale->setDataRange(QCPRange(0.0, 1.0));
    scale->axis()->setLabel("share of the true class");
    scale->axis()->setLabelFont(font(9));
    auto* margins = new QCPMarginGroup(&plot);
    plot.axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);

    categoryAxis(plot, plot.xAxis, labels);
    categoryAxis(plot, plot.yAxis, labels);
    plot.yAxis->setTickLabelRotation(0);
    plot.yAxis->setRangeReversed(true);  // the first class on top, as in the usual layout
    if (plot.xAxis->label().isEmpty())
        plot.xAxis->setLabel("predicted");
    if (plot.yAxis->label().isEmpty())
        plot.yAxis->setLabel("true");
    save(plot, png, style);
}

}  // namespace emotrace::ui
