#include "run_setup.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include <opencv2/core.hpp>

#include "emotrace/error.h"
#include "emotrace/session_store.h"

namespace emotrace::analyze {

std::unique_ptr<FrameSource> openVideo(const std::filesystem::path& video) {
    if (!std::filesystem::exists(video)) {
        throw SetupFailure(kExitVideo, "video not found: " + video.string());
    }
    try {
        return openVideoFile(video.string(), Pacing::AsFastAsPossible);
    } catch (const std::exception& e) {
        throw SetupFailure(kExitVideo, e.what());
    }
}

std::unique_ptr<EmotionClassifier> loadModel(const std::optional<std::filesystem::path>& model,
                                             std::ostream& err) {
    if (!model) {
        err << kPrefix
            << "note: no emotion model (--no-model, or no --model and no shipped model at "
            << defaultEmotionModelPath().string()
            << "), so the CSV holds face boxes only, without the p_<emotion> columns. Pass "
               "--model FILE with an emotrace model file (emotrace-train makes new ones) to get "
               "emotion probabilities.\n";
        return nullptr;
    }
    try {
        return loadEmotionClassifier(*model);
    } catch (const std::exception& e) {
        // Torch's own errors do not name the file; ModelError messages do already.
        const std::string message = e.what();
        const bool names_file = message.find(model->string()) != std::string::npos;
        throw SetupFailure(
            kExitModel,
            names_file ? message : "cannot load the model " + model->string() + ": " + message);
    }
}

std::unique_ptr<FaceDetector> loadDetector(DetectorKind kind) {
    try {
        DetectorOptions options;
        options.kind = kind;
        return createFaceDetector(options);
    } catch (const std::exception& e) {
        throw SetupFailure(kExitDetector, e.what());
    }
}

void checkWritable(const std::filesystem::path& path) {
    // Creates nothing: an earlier file of that name stays as it is until the new one is complete.
    const auto folder =
        path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    std::error_code error;
    if (std::filesystem::is_directory(path, error)) {
        throw SetupFailure(kExitOutput, "cannot write " + path.string() +
                                            ": it is a folder (expected a file name)");
    }
    if (!std::filesystem::is_directory(folder, error) ||
        ::access(folder.c_str(), W_OK | X_OK) != 0) {
        throw SetupFailure(kExitOutput, "cannot create " + path.string() +
                                            " (does the folder exist and is it writable?)");
    }
}

void setThreads(int requested) {
    const int threads = requested > 0
                            ? requested
                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    setInferenceThreads(threads);
    if (requested > 0)
        cv::setNumThreads(requested);
}

std::pair<int, std::string> exitStatusOf(const std::exception_ptr& failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const SourceError& e) {
        return {kExitVideoBroke, e.what()};
    } catch (const OutputError& e) {
        return {kExitOutput, e.what()};
    } catch (const ModelError& e) {
        return {kExitModel, e.what()};
    } catch (const DetectorError& e) {
        return {kExitDetector, e.what()};
    } catch (const StoreError& e) {
        return {kExitOutput, e.what()};
    } catch (const std::exception& e) {
        return {kExitUnexpected, e.what()};
    }
}

}  // namespace emotrace::analyze
