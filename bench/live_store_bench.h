// What keeping a live session costs (issue 20): the live pipeline on the bench's 640x480 30 fps
// clip with the session store off, on, and on with the recording, for one and four faces, in
// `rounds` rounds whose order rotates (off-on-rec, on-rec-off, rec-off-on) so a drift in the
// machine's load falls on every condition alike; medians over the rounds are compared. Then a
// simulated two-hour live session (readings generated at 30 fps of session time, as fast as the
// writer takes them) for the writer's memory and the store's size.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline_bench.h"

namespace emotrace::bench {

enum class Keeping { Off, Store, StoreAndRecording };
std::string toString(Keeping keeping);

struct KeepingRun {
    Keeping keeping = Keeping::Off;
    int round = 0;
    PipelineReport pipeline;
    std::int64_t readings_kept = 0;
    std::int64_t readings_dropped = 0;
    std::int64_t frames_recorded = 0;
    std::int64_t store_bytes = 0;      // the database with its WAL, after the session
    std::int64_t recording_bytes = 0;  // 0 without a recording
    double finish_ms = 0.0;            // LiveSessionWriter::finish at the end of the session
    std::string problem;               // a keeping or recording failure, if any
};

struct LongSessionFigures {
    double hours = 0.0;
    int faces = 1;
    std::int64_t readings = 0;
    std::int64_t dropped = 0;
    double wall_seconds = 0.0;
    std::vector<std::pair<double, std::int64_t>> rss_by_minute;  // session minute, bytes
    double warmup_minutes = 10.0;
    double growth_percent = 0.0;  // last sample against the first after the warm-up
    std::int64_t store_bytes = 0;
};

struct LiveStoreReport {
    std::vector<KeepingRun> runs;  // every round of every condition, in the order run
    LongSessionFigures long_session;
};

// `one_face` and `four_faces` as pipelineOptions() makes them; `work` holds the stores.
LiveStoreReport runLiveStoreBench(const PipelineBenchOptions& one_face,
                                  const PipelineBenchOptions& four_faces,
                                  const std::filesystem::path& work, int rounds, double long_hours);

std::string liveStoreMarkdown(const LiveStoreReport& report);

}  // namespace emotrace::bench
