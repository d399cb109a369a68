#include "emotrace/pipeline.h"

#include <exception>

#include "emotrace/error.h"
#include "emotrace/face_appearance.h"
#include "emotrace/face_quality.h"

namespace emotrace {

FrameAnalyzer::FrameAnalyzer(std::unique_ptr<FaceDetector> detector,
                             std::unique_ptr<EmotionClassifier> classifier, CropOptions crop)
    : detector_(std::move(detector)), classifier_(std::move(classifier)), crop_(crop) {
    if (!detector_)
        throw Error("FrameAnalyzer needs a face detector");
    if (classifier_) {
        const auto& info = classifier_->info();
        crop_.size = {info.input_width, info.input_height};
        crop_.level_tilted_fully = classifier_->readsTiltedFacesApart();
    }
}

std::vector<FaceResult> FrameAnalyzer::analyze(const cv::Mat& bgr) {
    const auto detections = detector_->detect(bgr);
    std::vector<FaceResult> faces;
    std::vector<FaceCrop> crops;
    faces.reserve(detections.size());
    crops.reserve(detections.size());
    for (const auto& detection : detections) {
        FaceCrop crop{cropFace(bgr, detection.box, crop_, detection.landmarks),
                      beyondLevellingBand(detection.landmarks, crop_)};
        if (crop.pixels.empty())
            continue;
        FaceResult face;
        face.box = detection.box;
        face.detection_confidence = detection.score;
        face.appearance = faceAppearance(bgr, detection.box);
        face.quality = assessReading(bgr, detection.box, detection.landmarks);
        faces.push_back(std::move(face));
        crops.push_back(std::move(crop));
    }
    if (classifier_ && !crops.empty()) {
        auto probabilities = classifyFaces(*classifier_, crops);  // one batch per model
        for (std::size_t i = 0; i < faces.size(); ++i) {
            faces[i].probabilities = std::move(probabilities[i]);
        }
    }
    return faces;
}

Pipeline::Pipeline(std::unique_ptr<FrameSource> source, std::unique_ptr<FrameAnalyzer> analyzer,
                   PipelineCallbacks callbacks, SlotPolicy policy, const FaceTrackerOptions& tracks)
    : source_(std::move(source)),
      analyzer_(std::move(analyzer)),
      callbacks_(std::move(callbacks)),
      tracker_(tracks),
      slot_(policy) {
    if (!source_ || !analyzer_)
        throw Error("Pipeline needs a frame source and an analyzer");
    source_info_ = source_->info();
}

Pipeline::~Pipeline() {
    stop();
}

void Pipeline::start() {
    if (capture_.joinable())
        return;
    capture_ = std::jthread([this](std::stop_token stop) { captureLoop(stop); });
    capture_stop_ = capture_.get_stop_source();
    worker_ = std::jthread([this](std::stop_token stop) { inferenceLoop(stop); });
}

void Pipeline::stop() {
    capture_.request_stop();
    worker_.request_stop();
    slot_.close();
    if (worker_.joinable())
        worker_.join();
    if (capture_.joinable())
        capture_.join();
}

void Pipeline::captureLoop(std::stop_token stop) {
    try {
        while (!stop.stop_requested()) {
            auto frame = source_->next(stop);
            if (!frame)
                break;
            if (!slot_.put(std::move(*frame), stop))
                break;
        }
    } catch (const std::exception& e) {
        capture_error_ = e.what();
    }
    slot_.close();  // publishes capture_error_ to the worker through the slot's mutex
}

void Pipeline::inferenceLoop(std::stop_token stop) {
    std::string error;
    try {
        while (auto frame = slot_.take(stop)) {
            FrameResult result;
            result.frame_index = frame->index;
            result.timestamp_ms = frame->timestamp_ms;
            result.faces = analyzer_->analyze(frame->image);
            linkFaces(tracker_, result);
            result.image = std::move(frame->image);
            result.latency = std::chrono::duration_cast<std::chrono::microseconds>(
                SteadyClock::now() - frame->captured_at);
            result.dropped_frames = slot_.dropped();
            if (callbacks_.on_result)
                callbacks_.on_result(std::move(result));
        }
        // The slot ended: either stop was requested, or the capture thread closed it after
        // writing capture_error_ (a normal end of file leaves it empty).
        if (!stop.stop_requested())
            error = capture_error_;
    } catch (const std::exception& e) {
        error = e.what();
        capture_stop_.request_stop();  // nothing more can be analysed: let the capture thread end
        slot_.close();
    }
    if (callbacks_.on_finished)
        callbacks_.on_finished(error);
}

}  // namespace emotrace
