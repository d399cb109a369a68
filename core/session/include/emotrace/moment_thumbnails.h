// The face at each moment's peak, for the review list and the report: the thumbnail kept when
// the moment was found live, else cut from the session's video (the recording, or the live
// session's own recording) at the peak frame, else none.
#pragma once

#include <filesystem>
#include <span>
#include <vector>

#include <opencv2/core.hpp>

#include "emotrace/moments.h"
#include "emotrace/session_store.h"
#include "emotrace/types.h"

namespace emotrace {

// One image per moment, in the moments' order (an empty image: none could be had). `frames`
// are the session's stored readings (frame i at index i), for the peak frame's time and the
// face's box; `video` may be empty or missing. Never throws for a video that cannot be read.
std::vector<cv::Mat> momentThumbnails(std::span<const Moment> moments,
                                      std::span<const KeptMoment> kept,
                                      std::span<const FrameRecord> frames,
                                      const std::filesystem::path& video);

}  // namespace emotrace
