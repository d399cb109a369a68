#include "emotrace/moment_thumbnails.h"

#include <algorithm>
#include <memory>
#include <numeric>

#include "emotrace/live_moments.h"
#include "emotrace/video_reader.h"

namespace emotrace {

std::vector<cv::Mat> momentThumbnails(std::span<const Moment> moments,
                                      std::span<const KeptMoment> kept,
                                      std::span<const FrameRecord> frames,
                                      const std::filesystem::path& video) {
    std::vector<cv::Mat> thumbnails(moments.size());
    std::vector<std::size_t> from_video;
    for (std::size_t i = 0; i < moments.size(); ++i) {
        const auto live = std::find_if(kept.begin(), kept.end(), [&](const KeptMoment& k) {
            return isSameMoment(k.moment, moments[i]) && !k.thumbnail_jpeg.empty();
        });
        if (live != kept.end())
            thumbnails[i] = decodeThumbnail(live->thumbnail_jpeg);
        if (thumbnails[i].empty())
            from_video.push_back(i);
    }
    std::error_code error;
    if (from_video.empty() || video.empty() || !std::filesystem::is_regular_file(video, error))
        return thumbnails;
    std::unique_ptr<VideoReader> reader;
    try {
        reader = std::make_unique<VideoReader>(video);
    } catch (const std::exception&) {
        return thumbnails;  // the review says itself why the video cannot be played
    }
    // In frame order, so the reader seeks forward.
    std::sort(from_video.begin(), from_video.end(), [&](std::size_t a, std::size_t b) {
        return moments[a].peak_frame < moments[b].peak_frame;
    });
    for (const auto i : from_video) {
        const auto& m = moments[i];
        if (m.peak_frame < 0 || m.peak_frame >= static_cast<std::int64_t>(frames.size()))
            continue;
        const auto& record = frames[static_cast<std::size_t>(m.peak_frame)];
        const auto face =
            std::find_if(record.faces.begin(), record.faces.end(),
                         [&](const TrackedFace& f) { return f.track_id == m.track_id; });
        if (face == record.faces.end())
            continue;
        try {
            if (!reader->seek(record.frame_index, record.timestamp_ms))
                continue;
            if (const auto frame = reader->read())
                thumbnails[i] = faceThumbnail(frame->image, face->box);
        } catch (const std::exception&) {
            break;  // a damaged file: what was cut so far stays
        }
    }
    return thumbnails;
}

}  // namespace emotrace
