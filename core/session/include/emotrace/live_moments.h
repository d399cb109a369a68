// Moments found while a session runs: the dashboard's rail. Links the pipeline's faces into
// tracks (the same tracker, with the same options, as the session writer, so a live moment's
// track is the stored track) and feeds the moment detector; keeps the face at each departure's
// peak so every moment comes with its thumbnail. Not thread-safe: one thread feeds it.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "emotrace/face_tracks.h"
#include "emotrace/moments.h"
#include "emotrace/types.h"

namespace emotrace {

struct LiveMoment {
    Moment moment;
    cv::Mat thumbnail;  // the face at the peak (BGR, square); empty when the frame had none
};

class LiveMomentFinder {
  public:
    LiveMomentFinder(std::vector<std::string> labels, MomentOptions options = {},
                     FaceTrackerOptions tracks = {});

    struct Update {
        std::vector<LiveMoment> opened;  // newly known (the hold has passed)
        std::vector<LiveMoment> closed;  // ended: final end, peak and thumbnail
        std::vector<int> tracks;         // the track of each face of the result, in order
    };
    // Every result of the session in order, with its image (for the thumbnails).
    Update add(const FrameResult& result);
    // A person left out (the self-view): their face is still tracked, so the ids stay the
    // ones shown, but no moment is looked for in it.
    void setExcluded(int track, bool excluded);
    // The session ended: the moments still open, closed.
    std::vector<LiveMoment> finish();

    const std::vector<std::string>& labels() const { return detector_.labels(); }

  private:
    LiveMoment withThumbnail(const Moment& moment) const;

    FaceTracker tracker_;
    MomentDetector detector_;
    std::set<int> excluded_;
    std::map<int, cv::Mat> peak_faces_;  // per track: the face at its current departure's peak
};

// The face in `box` with a margin, squared and scaled to `size` pixels; empty when the box
// lies outside the image.
cv::Mat faceThumbnail(const cv::Mat& image, const cv::Rect2f& box, int size = 96);
// JPEG bytes of a thumbnail (empty for an empty image), for the store.
std::vector<std::byte> encodeThumbnail(const cv::Mat& thumbnail);
cv::Mat decodeThumbnail(const std::vector<std::byte>& jpeg);  // empty when it does not decode

}  // namespace emotrace
