#include "emotrace/recrop.h"

#include <opencv2/imgproc.hpp>

#include "emotrace/error.h"

namespace emotrace {

RecropResult recropThroughPipeline(Dataset& data, const RecropOptions& options) {
    if (options.upscale < 1)
        throw Error("recrop upscale must be at least 1, got " + std::to_string(options.upscale));
    std::shared_ptr<FaceDetector> detector = options.detector;
    if (!detector && !data.items.empty())
        detector = createFaceDetector(options.detector_options);

    RecropResult result;
    std::vector<LabeledImage> kept;
    kept.reserve(data.items.size());
    for (auto& item : data.items) {
        if (item.image.type() != CV_8UC1)
            throw Error("recrop expects 8-bit grey images, got " +
                        cv::typeToString(item.image.type()) + " for " + item.origin);
        cv::Mat large;
        cv::resize(item.image, large, {}, options.upscale, options.upscale, cv::INTER_CUBIC);
        cv::Mat bgr;
        cv::cvtColor(large, bgr, cv::COLOR_GRAY2BGR);
        const auto faces = detector->detect(bgr);
        const cv::Mat crop =
            faces.empty() ? cv::Mat() : cropFace(bgr, faces.front().box, options.crop);
        if (crop.empty()) {
            result.without_face.push_back(item.origin);
            continue;
        }
        // A new buffer: the old image may be shared with other copies of the dataset.
        cv::Mat recropped;
        crop.convertTo(recropped, CV_8U, 255.0);
        item.image = recropped;
        kept.push_back(std::move(item));
        ++result.recropped;
    }
    data.items = std::move(kept);
    return result;
}

}  // namespace emotrace
