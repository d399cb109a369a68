// Running the real Pipeline for a fixed time and recording what it did, for the pipeline and
// soak benchmarks. The detector and classifier are wrapped to time each call on the worker
// thread; everything is kept in fixed-size histograms so a long run does not grow by its own
// bookkeeping.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>

#include "emotrace/frame_source.h"
#include "pipeline_bench.h"

namespace emotrace::bench {

// Plays a video file at its own frame rate (Pacing::RealTime) from the start again whenever
// it ends; indices and timestamps keep counting across loops.
std::unique_ptr<FrameSource> openLoopingVideo(const std::filesystem::path& path);

// Applies the thread settings, loads the optimised classifier, runs the pipeline on `source`
// for warm-up + `run_seconds` (or until the source ends), calling `on_tick` with the seconds
// since the start every `tick_seconds` on this thread, and summarises the measured window.
// `also_on_result`, when set, sees every result on the worker thread first, as the dashboard's
// session keeping does.
PipelineReport runLive(const PipelineBenchOptions& options, std::unique_ptr<FrameSource> source,
                       double run_seconds, double tick_seconds,
                       const std::function<void(double elapsed_seconds)>& on_tick,
                       const std::function<void(const FrameResult&)>& also_on_result = {});

}  // namespace emotrace::bench
