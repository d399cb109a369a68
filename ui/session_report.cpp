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
#include "emotion_palette.h"
#include "emotrace/error.h"
#include "emotrace/moment_thumbnails.h"
#include "video_view.h"
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
                  int track_id, const Smoothing& smoothing, std::span<const Moment> moments = {}) {
    timeline.setLabels(session.setup.labels);
    timeline.setSeries(smooth(trackSeries(frames, track_id), smoothing));
    timeline.setLowQualityStretches(lowQualityStretches(frames, track_id));
    timeline.setMarkers(std::vector<Marker>(markers.begin(), markers.end()));
    std::vector<std::pair<Moment, QColor>> marks;
    for (const auto& m : moments) {
        const auto label = static_cast<std::size_t>(m.label);
        marks.emplace_back(
            m, emotionColor(label < session.setup.labels.size() ? session.setup.labels[label]
                                                                : std::string(),
                            m.label));
    }
    timeline.setMoments(marks);
    timeline.setDuration(sessionSeconds(session));
    timeline.fitAll();
    timeline.setPlayheadVisible(false);
    timeline.setLegendVisible(true);
}

// Under the timeline, in a row of its own aligned with it: which emotion leads the smoothed
// reading, as coloured runs (grey where the face is absent).
void addDominantStrip(QCustomPlot& plot, const TrackSeries& smoothed,
                      const std::vector<std::string>& labels) {
    auto* strip = new QCPAxisRect(&plot);
    plot.plotLayout()->addElement(plot.plotLayout()->rowCount(), 0, strip);
    strip->setMinimumSize(QSize(0, 34));
    strip->setMaximumSize(QSize(QWIDGETSIZE_MAX, 34));
    auto* margins = new QCPMarginGroup(&plot);
    plot.axisRect()->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    strip->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    auto* x = strip->axis(QCPAxis::atBottom);
    auto* y = strip->axis(QCPAxis::atLeft);
    x->setRange(plot.xAxis->range());
    x->setLabel(plot.xAxis->label());
    plot.xAxis->setLabel({});
    y->setRange(0.0, 1.0);
    y->setTicks(false);
    y->setTickLabels(false);
    y->setLabel(QObject::tr("leading"));
    const auto leading = [&](std::size_t i) {
        const auto& p = smoothed.probabilities[i];
        if (p.empty())
            return -1;
        return static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
    };
    std::size_t run = 0;
    for (std::size_t i = 1; i <= smoothed.time_ms.size(); ++i) {
        if (i < smoothed.time_ms.size() && leading(i) == leading(run))
            continue;
        const int label = leading(run);
        auto* cell = new QCPItemRect(&plot);
        cell->setClipAxisRect(strip);
        for (auto* position : {cell->topLeft, cell->bottomRight})
            position->setAxes(x, y);
        const double end_ms =
            i < smoothed.time_ms.size() ? smoothed.time_ms[i] : smoothed.time_ms[i - 1];
        cell->topLeft->setCoords(smoothed.time_ms[run] / 1000.0, 1.0);
        cell->bottomRight->setCoords(end_ms / 1000.0, 0.0);
        const auto color = label < 0 ? QColor(225, 225, 225)
                                     : emotionColor(static_cast<std::size_t>(label) < labels.size()
                                                        ? labels[static_cast<std::size_t>(label)]
                                                        : std::string(),
                                                    label);
        cell->setPen(Qt::NoPen);
        cell->setBrush(color);
        run = i;
    }
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

QString momentTable(const SessionInfo& session, std::span<const Moment> moments, int dismissed,
                    std::span<const QString> thumbnails) {
    QString text = QObject::tr(
                       "<p>Stretches in which this face departs clearly from its own recent "
                       "baseline (docs/moments.md: default sensitivity, rise 0.35 and "
                       "probability 0.5 held 0.6 s, beyond three times the person's own "
                       "spread). Found from the stored readings; the face is the one at the "
                       "peak.%1</p>")
                       .arg(dismissed > 0 ? QObject::tr(" %1 moment(s) dismissed in review are "
                                                        "left out.")
                                                .arg(dismissed)
                                          : QString());
    if (moments.empty())
        return text + QObject::tr("<p>No moments.</p>");
    QString rows;
    for (std::size_t i = 0; i < moments.size(); ++i) {
        const auto& m = moments[i];
        const auto label = static_cast<std::size_t>(m.label);
        const auto name = label < session.setup.labels.size() ? session.setup.labels[label]
                                                              : std::to_string(m.label);
        const auto face =
            i < thumbnails.size() && !thumbnails[i].isEmpty()
                ? QStringLiteral("<img src='%1' width='56' height='56'>").arg(thumbnails[i])
                : QObject::tr("(no picture)");
        rows += QStringLiteral("<tr><td>%1</td><td>%2 – %3</td><td>%4</td><td>%5 at %6</td></tr>")
                    .arg(face, formatSessionTime(m.start_ms / 1000.0),
                         formatSessionTime(m.end_ms / 1000.0), html(name))
                    .arg(m.peak_probability, 0, 'f', 2)
                    .arg(formatSessionTime(m.peak_ms / 1000.0));
    }
    return text + QObject::tr(
                      "<table border='1' cellspacing='0' cellpadding='4' width='100%'><tr>"
                      "<th>Face</th><th>Time</th><th>Emotion</th><th>Peak (smoothed)</th></tr>"
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
                       int track_id, const ReportMomentRecords& moment_records,
                       LowQualityReadings low_quality, unsigned mode,
                       const std::optional<StoredBaseline>& relative_to) {
    AtomicFile out(pdf, mode);
    const double seconds = sessionSeconds(session);
    const auto statistics = sessionStatistics(frames, session.setup.labels, track_id, markers,
                                              summaryWindowSeconds(seconds), {}, low_quality);
    // The track's moments at the default sensitivity, less those the reviewer dismissed.
    std::vector<Moment> moments;
    int dismissed = 0;
    if (!session.setup.labels.empty()) {
        for (const auto& m : findMoments(frames, session.setup.labels)) {
            if (m.track_id != track_id)
                continue;
            const bool was_dismissed = std::any_of(
                moment_records.decisions.begin(), moment_records.decisions.end(),
                [&](const DecidedMoment& d) {
                    return d.decision == MomentDecision::Dismissed && isSameMoment(d.moment, m);
                });
            if (was_dismissed)
                ++dismissed;
            else
                moments.push_back(m);
        }
    }
    ReviewTimeline timeline;
    fillTimeline(timeline, session, frames, markers, track_id, kReportSmoothing, moments);
    addDominantStrip(*timeline.plot(), smooth(trackSeries(frames, track_id), kReportSmoothing),
                     session.setup.labels);
    QCustomPlot distribution;
    plotEmotionDistribution(distribution, statistics);
    QCustomPlot trend;
    plotValenceTrend(trend, statistics);

    QTextDocument document;
    document.addResource(QTextDocument::ImageResource, QUrl(QStringLiteral("report:timeline")),
                         plotImage(*timeline.plot(), 1000, 420));
    document.addResource(QTextDocument::ImageResource, QUrl(QStringLiteral("report:distribution")),
                         plotImage(distribution, 640, 360));
    document.addResource(QTextDocument::ImageResource, QUrl(QStringLiteral("report:trend")),
                         plotImage(trend, 1000, 330));
    QStringList thumbnails;
    const auto faces =
        momentThumbnails(moments, moment_records.live, frames, session.recording.path);
    for (std::size_t i = 0; i < faces.size(); ++i) {
        if (faces[i].empty()) {
            thumbnails << QString();
            continue;
        }
        const auto name = QStringLiteral("report:moment%1").arg(i);
        document.addResource(QTextDocument::ImageResource, QUrl(name), toQImage(faces[i]));
        thumbnails << name;
    }
    const auto series = trackSeries(frames, track_id);
    QString body;
    body += QObject::tr("<h1>emotrace session report</h1>");
    body += QStringLiteral("<p style='font-size:large'><b>%1</b></p>")
                .arg(QString::fromUtf8(kDecisionSupportStatement));
    body += QObject::tr("<h2>Session</h2>") + factsTable(session);
    if (relative_to) {
        body += QObject::tr(
                    "<p><b>Readings relative to this person's resting face</b>, taken at "
                    "%1–%2 s of the session over %3 readings: the emotions their resting face "
                    "showed are taken down by a fixed amount, so the figures show how they "
                    "differ from how they look at rest. The session's exports carry the "
                    "readings as read as well.</p>")
                    .arg(relative_to->start_ms / 1000.0, 0, 'f', 1)
                    .arg(relative_to->end_ms / 1000.0, 0, 'f', 1)
                    .arg(relative_to->baseline.frames);
    }
    body += QObject::tr("<h2>Emotions over time (face #%1)</h2>").arg(track_id);
    body += QObject::tr(
                "<p>%1 Smoothed with a centred moving average over %2 s (the raw readings "
                "jump several times a second). Dashed lines: markers; grey spans: excluded "
                "from the statistics; coloured bars along the bottom: moments. The strip under "
                "the plot shows the leading emotion of the smoothed reading.</p>")
                .arg(describeFacePresence(statistics).toHtmlEscaped())
                .arg(kReportSmoothing.seconds, 0, 'f', 1);
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
    // After the figures: a model's description can run long, and page one is the timeline's.
    body += QObject::tr("<h2>Model card summary</h2>") + modelCard(session);
    body +=
        QObject::tr("<h2 style='page-break-before: always'>Moments (face #%1)</h2>").arg(track_id) +
        momentTable(session, moments, dismissed,
                    std::vector<QString>(thumbnails.begin(), thumbnails.end()));
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
