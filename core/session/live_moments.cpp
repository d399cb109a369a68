#include "emotrace/live_moments.h"

#include <algorithm>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace emotrace {

LiveMomentFinder::LiveMomentFinder(std::vector<std::string> labels, MomentOptions options,
                                   FaceTrackerOptions tracks)
    : tracker_(tracks), detector_(std::move(labels), options) {}

LiveMoment LiveMomentFinder::withThumbnail(const Moment& moment) const {
    LiveMoment live{moment, {}};
    if (const auto face = peak_faces_.find(moment.track_id); face != peak_faces_.end())
        live.thumbnail = face->second;
    return live;
}

LiveMomentFinder::Update LiveMomentFinder::add(const FrameResult& result) {
    const auto tracks = trackIdsOf(tracker_, result);
    std::vector<TrackedFace> faces;
    faces.reserve(result.faces.size());
    for (std::size_t i = 0; i < result.faces.size(); ++i) {
        const auto& face = result.faces[i];
        faces.push_back({tracks[i], face.box, face.detection_confidence, true, face.probabilities});
        if (excluded_.contains(faces.back().track_id))
            faces.back().probabilities.clear();
    }
    const auto found = detector_.add(result.frame_index, result.timestamp_ms, faces);
    Update update;
    for (const auto& face : faces)
        update.tracks.push_back(face.track_id);
    // Closed moments take the face kept for their peak before a new departure replaces it.
    for (const auto& moment : found.closed)
        update.closed.push_back(withThumbnail(moment));
    for (int track : found.peaked) {
        const auto face = std::find_if(faces.begin(), faces.end(),
                                       [&](const TrackedFace& f) { return f.track_id == track; });
        if (face != faces.end())
            peak_faces_[track] = faceThumbnail(result.image, face->box);
    }
    for (const auto& moment : found.opened)
        update.opened.push_back(withThumbnail(moment));
    return update;
}

void LiveMomentFinder::setExcluded(int track, bool excluded) {
    if (excluded)
        excluded_.insert(track);
    else
        excluded_.erase(track);
}

std::vector<LiveMoment> LiveMomentFinder::finish() {
    std::vector<LiveMoment> closed;
    for (const auto& moment : detector_.finish())
        closed.push_back(withThumbnail(moment));
    return closed;
}

cv::Mat faceThumbnail(const cv::Mat& image, const cv::Rect2f& box, int size) {
    if (image.empty() || box.width <= 0.0f || box.height <= 0.0f)
        return {};
    // A square around the face with a fifth of its size as margin: the whole face, some hair.
    const float side = 1.2f * std::max(box.width, box.height);
    const cv::Point2f centre(box.x + box.width / 2.0f, box.y + box.height / 2.0f);
    const cv::Rect wanted(cv::Point(static_cast<int>(centre.x - side / 2.0f),
                                    static_cast<int>(centre.y - side / 2.0f)),
                          cv::Size(static_cast<int>(side), static_cast<int>(side)));
    const cv::Rect inside = wanted & cv::Rect(0, 0, image.cols, image.rows);
    if (inside.area() <= 0)
        return {};
    cv::Mat square(wanted.size(), image.type(), cv::Scalar::all(0));
    image(inside).copyTo(square(cv::Rect(inside.tl() - wanted.tl(), inside.size())));
    cv::Mat thumbnail;
    cv::resize(square, thumbnail, cv::Size(size, size), 0, 0, cv::INTER_AREA);
    if (thumbnail.channels() == 1)
        cv::cvtColor(thumbnail, thumbnail, cv::COLOR_GRAY2BGR);
    return thumbnail;
}

std::vector<std::byte> encodeThumbnail(const cv::Mat& thumbnail) {
    if (thumbnail.empty())
        return {};
    std::vector<uchar> bytes;
    cv::imencode(".jpg", thumbnail, bytes, {cv::IMWRITE_JPEG_QUALITY, 85});
    std::vector<std::byte> out(bytes.size());
    std::transform(bytes.begin(), bytes.end(), out.begin(),
                   [](uchar b) { return static_cast<std::byte>(b); });
    return out;
}

cv::Mat decodeThumbnail(const std::vector<std::byte>& jpeg) {
    if (jpeg.empty())
        return {};
    const cv::Mat raw(1, static_cast<int>(jpeg.size()), CV_8UC1,
                      const_cast<std::byte*>(jpeg.data()));
    return cv::imdecode(raw, cv::IMREAD_COLOR);
}

}  // namespace emotrace
