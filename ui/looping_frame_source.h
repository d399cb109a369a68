// Replays a finite source forever (--loop, for demos): at the end it reopens the source and
// continues the frame index and the session clock, so the timeline keeps moving right instead
// of jumping back to zero on every pass.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "emotrace/frame_source.h"

namespace emotrace::ui {

class LoopingFrameSource : public FrameSource {
  public:
    using Opener = std::function<std::unique_ptr<FrameSource>()>;
    // Opens the first pass at once, so a bad file fails here with the opener's SourceError.
    explicit LoopingFrameSource(Opener open);

    // Ends (nullopt) only when stopped, or when a pass yields no frame at all: a source that is
    // empty would otherwise be reopened in a busy loop.
    std::optional<Frame> next(std::stop_token stop) override;
    SourceInfo info() const override { return info_; }

  private:
    Opener open_;
    std::unique_ptr<FrameSource> current_;
    SourceInfo info_;
    std::int64_t frames_in_pass_ = 0;
    std::int64_t index_offset_ = 0;
    double time_offset_ms_ = 0.0;
    double last_timestamp_ms_ = 0.0;  // of the current pass, before the offset
};

}  // namespace emotrace::ui
