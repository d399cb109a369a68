#include "session_report.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <QBuffer>
#include <QFile>
#include <QPdfWriter>
#include <QTextDocument>
#include <QUrl>
#include <qcustomplot.h>

#include "emotrace/atomic_file.h"
#include "emotrace/error.h"
#include "review_markers.h"
#include "review_summary.h"
#include "review_timeline.h"

namespace emotrace::ui {
namespace {

QString html(const std::string& text) {
    return QString::fromStdString(text).toHtmlEscaped();
}

double sessionSeconds(const SessionInfo& session) {
    return sessionDurationSeconds(session);
}

void fillTimeline(ReviewTimeline& timeline, const SessionInfo& session,
                  std::span<const FrameRecord> frames, std::span<const Marker> markers,
                  int track_id, const Smoothing& smoothing) {
    timeline.setLabels(session.setup.labels);
    timeline.setSeries(smooth(trackSeries(frames, track_id), smoothing));
    timeline.setMarkers(std::vector<Marker>(markers.begin(), markers.end()));
    timeline.setDuration(sessionSeconds(session));
    timeline.fitAll();
    timeline.setPlayheadVisible(false);
    timeline.setLegendVisible(true);
}

QImage plotImage(QCustomPlot& plot, int width, int height) {
    return plot.toPixmap(width, height, 2.0).toImage();
}

QString factsTable(const SessionInfo& session) {
    const auto& recording = session.recording;
    const auto& setup = session.setup;
    const auto row = [](const QString& name, const QString& value) {
        return QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(name, value);
    };
    QString rows;
    if (!session.label.empty())
        rows += row(QObject::tr("Session label"), html(session.label));
    if (session.kind == SessionKind::Live) {
        rows +=
            row(QObject::tr("Session"), QObject::tr("live, started %1 UTC, source %2")
                                            .arg(html(session.started_utc), html(session.source)));
        rows += row(QObject::tr("Recording"), recording.path.empty()
                                                  ? QObject::tr("none (recording was off)")
                                                  : html(recording.path));
    } else {
        rows += row(QObject::tr("Recording"), html(recording.path));
    }
    rows += row(QObject::tr("Duration"), QObject::tr("%1 (%2 frames at %3 fps, %4x%5)")
                                             .arg(formatSessionTime(sessionSeconds(session)))
                                             .arg(session.frames_stored)
                                             .arg(recording.fps, 0, 'f', 2)
                                             .arg(recording.width)
                                             .arg(recording.height));
    if (session.kind != SessionKind::Live)
        rows += row(QObject::tr("Analysed (UTC)"), html(session.created_utc));
    rows +=
        row(QObject::tr("Analysis state"),
            html(toString(session.state)) +
                (session.error.empty() ? QString() : QStringLiteral(": ") + html(session.error)));
    rows +=
        row(QObject::tr("Model"), setup.model_path.empty()
                                      ? QObject::tr("none (faces only)")
                                      : html(setup.model_path) + QStringLiteral(" (") +
                                            html(setup.model_architecture) + QStringLiteral(")"));
    rows += row(QObject::tr("Detector"),
                html(setup.detector) + QStringLiteral(" (") + html(setup.detector_version) +
                    QObject::tr("), every %1 frame(s)").arg(setup.detect_every));
    rows += row(QObject::tr("emotrace version"), html(setup.emotrace_version));
    return QStringLiteral("<table cellspacing='0' cellpadding='3'>%1</table>").arg(rows);
}

// The strongest emotions around a marker, strongest first: "sad 0.55, happy 0.29, neutral
// 0.01". Three are enough to read at a glance; the full vector is in the JSON export.
QString strongestAround(const std::vector<std::string>& labels, const std::vector<double>& means) {
    if (means.empty())
        return QObject::tr("face absent");
    std::vector<std::size_t> order(std::min(labels.size(), means.size()));
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return means[a] > means[b]; });
    QStringList parts;
    for (std::size_t i = 0; i < std::min<std::size_t>(3, order.size()); ++i) {
        parts
            << QStringLiteral("%1 %2").arg(html(labels[order[i]])).arg(means[order[i]], 0, 'f', 2);
    }
    return parts.join(QStringLiteral(", "));
}

QString markerTable(const SessionInfo& session, const TrackSeries& series,
                    std::span<const Marker> markers) {
    if (markers.empty())
        return QObject::tr("<p>No markers.</p>");
    QString rows;
    for (const auto& marker : markers) {
        QString time = formatSessionTime(marker.start_ms / 1000.0);
        if (marker.end_ms > marker.start_ms)
            time += QStringLiteral(" – ") + formatSessionTime(marker.end_ms / 1000.0);
        if (marker.exclude)
            time += QObject::tr("<br>(excluded)");
        const auto means = meanProbabilitiesAround(series, marker.start_ms, marker.end_ms);
        rows += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td></tr>")
                    .arg(time, html(marker.label), html(marker.note),
                         strongestAround(session.setup.labels, means));
    }
    return QObject::tr(
               "<p>Each marker with the mean probability of its three strongest "
               "emotions from %1 s before to %1 s after it.</p>")
               .arg(kMarkerContextMs / 1000.0) +
           QObject::tr(
               "<table border='1' cellspacing='0' cellpadding='4' width='100%'><tr>"
               "<th>Time</th><th>Label</th><th>Note</th><th>Emotions around it</th></tr>"
               "%1</table>")
               .arg(rows);
}

QString modelCard(const SessionInfo& session) {
    const auto& setup = session.setup;
    if (setup.labels.empty())
        return QObject::tr("<p>Analysed without an emotion model: faces and tracks only.</p>");
    QStringList labels;
    for (const auto& label : setup.labels)
        labels << html(label);
    return QObject::tr(
               "<p><b>Architecture:</b> %1<br><b>Classes:</b> %2<br><b>Description:</b> "
               "%3</p>")
        .arg(html(setup.model_architecture), labels.join(QStringLiteral(", ")),
             setup.model_description.empty() ? QObject::tr("(none given)")
                                             : html(setup.model_description));
}

}  // namespace

std::vector<double> meanProbabilitiesAround(const TrackSeries& series, double start_ms,
                                            double end_ms, double margin_ms) {
    std::vector<double> sums;
    std::size_t count = 0;
    const double from = start_ms - margin_ms;
    const double to = std::max(end_ms, start_ms) + margin_ms;
    for (std::size_t i = 0; i < series.time_ms.size(); ++i) {
        const auto& probabilities = series.probabilities[i];
        if (series.time_ms[i] < from || series.time_ms[i] > to || probabilities.empty())
            continue;
        sums.resize(std::max(sums.size(), probabilities.size()), 0.0);
        for (std::size_t label = 0; label < probabilities.size(); ++label)
            sums[label] += probabilities[label];
        ++count;
    }
    for (auto& sum : sums)
        sum /= static_cast<double>(count);
    return sums;
}

void saveTimeline(const std::filesystem::path& file, const SessionInfo& session,
                  std::span<const FrameRecord> frames, std::span<const Marker> markers,
                  int track_id, const Smoothing& smoothing, int width, int height, unsigned mode) {
    const auto extension = file.extension().string();
    if (extension != ".png" && extension != ".pdf") {
        throw Error("timeline export: expected a .png or .pdf file name, got " + file.string());
    }
    // Fails early with the file's name, before any drawing: QPdfWriter and savePng only say
    // that something went wrong, not what.
    AtomicFile out(file, mode);
    ReviewTimeline timeline;
    fillTimeline(timeline, session, frames, markers, track_id, smoothing);
    const auto name = QString::fromStdString(out.temporaryPath().string());
    const bool written = extension == ".png"
                             ? timeline.plot()->savePng(name, width, height)
                             : timeline.plot()->savePdf(name, width, height, QCP::epNoCosmetic,
                                                        QStringLiteral("emotrace"));
    if (!written)
        throw OutputError("cannot write the timeline to " + file.string());
    out.commit();
}

void saveSessionReport(const std::filesystem::path& pdf, const SessionInfo& session,
                       std::span<const FrameRecord> frames, std::span<const Marker> markers,
                       int track_id, unsigned mode) {
    AtomicFile out(pdf, mode);
    const double seconds = sessionSeconds(session);
    const auto statistics = sessionStatistics(frames, session.setup.labels, track_id, markers,
                                              summaryWindowSeconds(seconds));
    ReviewTimeline timeline;
    fillTimeline(timeline, session, frames, markers, track_id, {});
    QCustomPlot distribution;
    plotEmotionDistribution(distribution, statistics);
    QCustomPlot trend;
    plotValenceTrend(trend, statistics);

    QTextDocument document;
    document.addResource(QTextDocument::ImageResource, QUrl(QStringLiteral("report:timeline")),
                         plotImage(*timeline.plot(), 1000, 380));
    document.addResource(QTextDocument::ImageResource, QUrl(QStringLiteral("report:distribution")),
                         plotImage(distribution, 640, 360));
    document.addResource(QTextDocument::ImageResource, QUrl(QStringLiteral("report:trend")),
                         plotImage(trend, 1000, 330));
    const auto series = trackSeries(frames, track_id);
    QString body;
    body += QObject::tr("<h1>emotrace session report</h1>");
    body += QStringLiteral("<p style='font-size:large'><b>%1</b></p>")
                .arg(QString::fromUtf8(kDecisionSupportStatement));
    body += QObject::tr("<h2>Session</h2>") + factsTable(session);
    // Beside the session's model facts, and short enough to leave page one to the timeline.
    body += QObject::tr("<h2>Model card summary</h2>") + modelCard(session);
    body += QObject::tr("<h2>Emotions over time (face #%1)</h2>").arg(track_id);
    body += QObject::tr(
                "<p>%1 Dashed lines: markers; grey spans: excluded from the "
                "statistics.</p>")
                .arg(describeFacePresence(statistics).toHtmlEscaped());
    body += QStringLiteral("<p align='center'><img src='report:timeline' width='600'></p>");
    body += QObject::tr("<h2 style='page-break-before: always'>Emotion distribution</h2>");
    body += QStringLiteral("<p align='center'><img src='report:distribution' width='400'></p>");
    body += QObject::tr(
                "<h2>Valence trend</h2><p>Valence per %1 s window: happy +1; angry, "
                "contempt, disgust, fear, sad −1; neutral and surprise 0. The strip "
                "under the line shows each window's dominant emotion.</p>")
                .arg(summaryWindowSeconds(seconds), 0, 'f', 1);
    body += QStringLiteral("<p align='center'><img src='report:trend' width='600'></p>");
    body += QObject::tr("<h2>Markers</h2>") + markerTable(session, series, markers);
    body += QStringLiteral("<p><b>%1</b></p>").arg(QString::fromUtf8(kDecisionSupportStatement));
    document.setHtml(body);

    {  // the writer finishes the file when it goes
        QPdfWriter writer(QString::fromStdString(out.temporaryPath().string()));
        writer.setPageSize(QPageSize(QPageSize::A4));
        writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
        writer.setTitle(QObject::tr("emotrace session report"));
        writer.setCreator(QStringLiteral("emotrace"));
        document.print(&writer);
    }
    std::error_code error;
    if (std::filesystem::file_size(out.temporaryPath(), error) == 0 || error)
        throw OutputError("cannot write the session report to " + pdf.string());
    out.commit();
}

}  // namespace emotrace::ui
