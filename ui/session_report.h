// What leaves the review workspace on paper: the timeline of one track as PNG or PDF, and the
// session report PDF (session facts, timeline, emotion distribution, valence trend, every
// marker with the mean emotions around it, the model card summary, and the statement that this
// is decision support, not a diagnosis). Free functions over stored values, so the headless
// analysis command can write the same files: they need a QApplication (FigureApplication from
// figures.h on the offscreen platform) but no window.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "emotrace/atomic_file.h"
#include "emotrace/session_statistics.h"
#include "emotrace/session_store.h"

namespace emotrace::ui {

// Said in every report, word for word.
inline constexpr const char* kDecisionSupportStatement =
    "Decision support for clinicians, not a diagnosis.";
// Marker context in the report: the mean emotions this long before and after each marker.
inline constexpr double kMarkerContextMs = 5000.0;

// Mean probability per label over the frames of `series` in [start_ms - margin_ms,
// end_ms + margin_ms] where the track is present; empty when it is absent throughout.
std::vector<double> meanProbabilitiesAround(const TrackSeries& series, double start_ms,
                                            double end_ms, double margin_ms = kMarkerContextMs);

// The report's timeline is smoothed (the raw readings jump several times a second and are hard
// to read on paper): a centred moving average over this many seconds, named on the page.
inline constexpr Smoothing kReportSmoothing{SmoothingKind::MovingAverage, 2.0};

// What the report says about moments beyond the readings: the thumbnails kept live and the
// reviewer's decisions (dismissed moments are left out and counted).
struct ReportMomentRecords {
    std::vector<KeptMoment> live;
    std::vector<DecidedMoment> decisions;
};

// The track's emotions over the whole session with markers and excluded ranges, as PNG or PDF
// (by the file's extension). Written atomically with permissions `mode` (AtomicFile). Throws
// OutputError naming the file when it cannot be written, and Error for another extension.
void saveTimeline(const std::filesystem::path& file, const SessionInfo& session,
                  std::span<const FrameRecord> frames, std::span<const Marker> markers,
                  int track_id, const Smoothing& smoothing = {}, int width = 1600, int height = 520,
                  unsigned mode = kOwnerOnlyFileMode);

// The session report as a PDF (A4), written as saveTimeline() writes. Throws OutputError naming
// the file when it cannot be written.
// Its pages: the facts, the smoothed timeline with the dominant-emotion strip under it and the
// moments and markers on it, the distribution, the valence trend, the markers, and a page of
// the track's moments (default sensitivity) with the face at each peak. With `relative_to`, the
// frames are the track's readings relative to that resting face, and the report says so.
void saveSessionReport(const std::filesystem::path& pdf, const SessionInfo& session,
                       std::span<const FrameRecord> frames, std::span<const Marker> markers,
                       int track_id, const ReportMomentRecords& moment_records = {},
                       LowQualityReadings low_quality = LowQualityReadings::Counted,
                       unsigned mode = kOwnerOnlyFileMode,
                       const std::optional<StoredBaseline>& relative_to = std::nullopt);

}  // namespace emotrace::ui
