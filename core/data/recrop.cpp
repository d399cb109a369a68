#include "emotrace/recrop.h"

#include <cmath>
#include <random>
#include <string>

#include <opencv2/imgproc.hpp>

#include "emotrace/error.h"
#include "emotrace/face_quality.h"
#include "emotrace/types.h"

namespace emotrace {

PictureDegradation parseDegradation(const std::string& text) {
    const auto fail = [&](const std::string& why) {
        return Error(
            "--degrade: expected none, rotate:DEGREES, shrink:PIXELS or blur:SIGMA, got '" + text +
            "'" + (why.empty() ? "" : " (" + why + ")"));
    };
    if (text.empty() || text == "none")
        return {};
    const auto colon = text.find(':');
    if (colon == std::string::npos)
        throw fail("");
    const std::string kind = text.substr(0, colon);
    double amount = 0.0;
    try {
        std::size_t used = 0;
        amount = std::stod(text.substr(colon + 1), &used);
        if (used != text.size() - colon - 1)
            throw fail("not a number after the colon");
    } catch (const std::logic_error&) {
        throw fail("not a number after the colon");
    }
    if (!std::isfinite(amount))
        throw fail("not a finite number");
    if (kind == "rotate")
        return {PictureDegradation::Kind::Rotate, amount};
    if (kind == "shrink") {
        if (amount < 8.0)
            throw fail("a face of fewer than 8 pixels");
        return {PictureDegradation::Kind::Shrink, amount};
    }
    if (kind == "blur") {
        if (amount <= 0.0)
            throw fail("sigma must be above 0");
        return {PictureDegradation::Kind::Blur, amount};
    }
    throw fail("unknown kind '" + kind + "'");
}

std::string toString(const PictureDegradation& degradation) {
    const auto amount = [&] {
        std::string text = std::to_string(degradation.amount);
        text.erase(text.find_last_not_of('0') + 1);
        if (text.ends_with('.'))
            text.pop_back();
        return text;
    };
    switch (degradation.kind) {
        case PictureDegradation::Kind::Rotate:
            return "rotate:" + amount();
        case PictureDegradation::Kind::Shrink:
            return "shrink:" + amount();
        case PictureDegradation::Kind::Blur:
            return "blur:" + amount();
        case PictureDegradation::Kind::None:
            break;
    }
    return "none";
}

cv::Mat degradePicture(const cv::Mat& picture, const PictureDegradation& degradation) {
    cv::Mat out;
    switch (degradation.kind) {
        case PictureDegradation::Kind::None:
            return picture.clone();
        case PictureDegradation::Kind::Rotate: {
            const cv::Point2f centre(static_cast<float>(picture.cols) / 2.0f,
                                     static_cast<float>(picture.rows) / 2.0f);
            const cv::Mat turn = cv::getRotationMatrix2D(centre, degradation.amount, 1.0);
            // The corners the turn uncovers repeat the edge, as a background behind a head would
            // continue, rather than a black wedge the detector could take for an edge of a face.
            cv::warpAffine(picture, out, turn, picture.size(), cv::INTER_LINEAR,
                           cv::BORDER_REPLICATE);
            return out;
        }
        case PictureDegradation::Kind::Shrink: {
            const int side = static_cast<int>(std::lround(degradation.amount));
            const double scale = static_cast<double>(side) / std::max(picture.cols, picture.rows);
            cv::Mat small;
            cv::resize(picture, small, {}, scale, scale, cv::INTER_AREA);
            out = cv::Mat(picture.size(), picture.type(), cv::mean(picture));
            const cv::Rect place((picture.cols - small.cols) / 2, (picture.rows - small.rows) / 2,
                                 small.cols, small.rows);
            small.copyTo(out(place & cv::Rect(0, 0, out.cols, out.rows)));
            return out;
        }
        case PictureDegradation::Kind::Blur:
            cv::GaussianBlur(picture, out, {0, 0}, degradation.amount);
            return out;
    }
    return picture.clone();
}

RecropResult recropThroughPipeline(Dataset& data, const RecropOptions& options) {
    if (options.upscale < 1)
        throw Error("recrop upscale must be at least 1, got " + std::to_string(options.upscale));
    if (!std::isfinite(options.random_tilt_degrees) || options.random_tilt_degrees < 0.0)
        throw Error("recrop random tilt must be 0 or more degrees, got " +
                    std::to_string(options.random_tilt_degrees));
    std::mt19937_64 tilt_rng(options.tilt_seed);
    std::uniform_real_distribution<double> tilt(-options.random_tilt_degrees,
                                                options.random_tilt_degrees);
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
        if (options.random_tilt_degrees > 0.0)
            large = degradePicture(large, {PictureDegradation::Kind::Rotate, tilt(tilt_rng)});
        const cv::Mat degraded = degradePicture(large, options.degradation);
        if (options.picture_sink)
            options.picture_sink(degraded, item);
        cv::Mat bgr;
        cv::cvtColor(degraded, bgr, cv::COLOR_GRAY2BGR);
        const auto faces = detector->detect(bgr);
        const cv::Mat crop =
            faces.empty() ? cv::Mat()
                          : cropFace(bgr, faces.front().box, options.crop, faces.front().landmarks);
        if (crop.empty()) {
            result.without_face.push_back(item.origin);
            continue;
        }
        // A new buffer: the old image may be shared with other copies of the dataset.
        cv::Mat recropped;
        crop.convertTo(recropped, CV_8U, 255.0);
        item.image = recropped;
        item.reading_quality =
            assessReading(bgr, faces.front().box, faces.front().landmarks).quality;
        if (faces.front().landmarks.size() > kRightEyeInImage)
            item.eye_tilt_degrees = eyeLineAngle(faces.front().landmarks);
        item.tilted_beyond_band = beyondLevellingBand(faces.front().landmarks, options.crop);
        kept.push_back(std::move(item));
        ++result.recropped;
    }
    data.items = std::move(kept);
    return result;
}

}  // namespace emotrace
