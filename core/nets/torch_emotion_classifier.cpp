// The LibTorch implementation of EmotionClassifier, behind loadEmotionClassifier().
#include <torch/torch.h>

#include "emotrace/emotion_classifier.h"
#include "emotrace/error.h"
#include "emotrace/nets.h"
#include "emotrace/test_time_views.h"

namespace emotrace {

namespace {

std::string firstLine(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

std::string shapeText(const at::IntArrayRef& sizes) {
    std::string text;
    for (auto size : sizes)
        text += (text.empty() ? "" : "x") + std::to_string(size);
    return text;
}

class TorchEmotionClassifier final : public EmotionClassifier {
  public:
    TorchEmotionClassifier(torch::jit::Module module, ModelInfo info, const std::string& origin)
        : module_(std::move(module)), info_(std::move(info)) {
        module_.eval();
        checkOutputShape(origin);
    }

    void optimize() {
        // Freezing inlines weights as constants, so batch-norm folds into the convolutions
        // and oneDNN keeps activations in its own layout: ~3x faster at batch 1 here.
        module_ = torch::jit::optimize_for_inference(module_);
        // The profiling executor specialises on the first runs; pay for it at load time.
        for (int batch : {1, 1, 2, 2})
            forward(torch::rand(inputShape(batch)));
    }

    const ModelInfo& info() const override { return info_; }

    std::vector<std::vector<float>> classify(std::span<const cv::Mat> faces) override {
        if (faces.empty())
            return {};
        const nets::TestTimeViews views{info_.flip_average, info_.shift_average};
        // All views of all faces in one pass (see test_time_views.h), then each face's mean.
        auto output = probabilities(forward(nets::expandViews(toBatch(faces), views)));
        output = nets::averageViews(output, nets::viewCount(views));
        output = output.contiguous();
        const auto classes = static_cast<std::size_t>(output.size(1));
        const float* data = output.data_ptr<float>();
        std::vector<std::vector<float>> result(faces.size());
        for (std::size_t i = 0; i < faces.size(); ++i) {
            result[i].assign(data + i * classes, data + (i + 1) * classes);
        }
        return result;
    }

  private:
    torch::Tensor probabilities(torch::Tensor output) const {
        return info_.outputs_logits ? torch::softmax(output, 1) : output;
    }

    std::vector<int64_t> inputShape(int64_t batch) const {
        return {batch, info_.input_channels, info_.input_height, info_.input_width};
    }

    torch::Tensor forward(torch::Tensor input) {
        torch::InferenceMode inference;
        return module_.forward({std::move(input)}).toTensor().to(torch::kFloat);
    }

    torch::Tensor toBatch(std::span<const cv::Mat> faces) const {
        const auto n = static_cast<int64_t>(faces.size());
        auto batch = torch::empty(inputShape(n));
        const auto plane = static_cast<std::size_t>(info_.input_width * info_.input_height);
        float* out = batch.data_ptr<float>();
        for (std::size_t i = 0; i < faces.size(); ++i) {
            const cv::Mat& face = faces[i];
            if (face.type() != CV_32FC1 || face.cols != info_.input_width ||
                face.rows != info_.input_height || !face.isContinuous()) {
                throw ModelError("classifier input " + std::to_string(i) + ": expected a " +
                                 std::to_string(info_.input_width) + "x" +
                                 std::to_string(info_.input_height) + " grey float image, found " +
                                 std::to_string(face.cols) + "x" + std::to_string(face.rows) +
                                 " of type " + std::to_string(face.type()));
            }
            const auto* pixels = face.ptr<float>();
            // A colour model sees the grey face in every channel.
            for (int c = 0; c < info_.input_channels; ++c) {
                float* dst = out + (i * static_cast<std::size_t>(info_.input_channels) +
                                    static_cast<std::size_t>(c)) *
                                       plane;
                for (std::size_t p = 0; p < plane; ++p)
                    dst[p] = (pixels[p] - info_.mean) / info_.std;
            }
        }
        return batch;
    }

    void checkOutputShape(const std::string& origin) {
        torch::Tensor output;
        try {
            output = forward(torch::zeros(inputShape(1)));
        } catch (const std::exception& e) {  // c10::Error, or the interpreter's own errors
            throw ModelError("model " + origin + " failed on a " + shapeText(inputShape(1)) +
                             " input (batch x channels x height x width, from its metadata): " +
                             firstLine(e.what()));
        }
        const auto expected = static_cast<int64_t>(info_.labels.size());
        if (output.dim() != 2 || output.size(0) != 1 || output.size(1) != expected) {
            throw ModelError("model " + origin + " outputs " + shapeText(output.sizes()) +
                             " for one face, but its metadata lists " + std::to_string(expected) +
                             " classes: expected 1x" + std::to_string(expected));
        }
    }

    torch::jit::Module module_;
    ModelInfo info_;
};

// The model with its companion for tilted faces (tiltedModelPath).
class PairedEmotionClassifier final : public EmotionClassifier {
  public:
    PairedEmotionClassifier(std::unique_ptr<EmotionClassifier> upright,
                            std::unique_ptr<EmotionClassifier> tilted)
        : upright_(std::move(upright)), tilted_(std::move(tilted)) {}

    const ModelInfo& info() const override { return upright_->info(); }
    std::vector<std::vector<float>> classify(std::span<const cv::Mat> faces) override {
        return upright_->classify(faces);
    }
    bool readsTiltedFacesApart() const override { return true; }
    std::vector<std::vector<float>> classifyTilted(std::span<const cv::Mat> faces) override {
        return tilted_->classify(faces);
    }

  private:
    std::unique_ptr<EmotionClassifier> upright_;
    std::unique_ptr<EmotionClassifier> tilted_;
};

std::unique_ptr<TorchEmotionClassifier> loadOne(const std::filesystem::path& path,
                                                const ClassifierOptions& options) {
    auto loaded = nets::loadModelFile(path);
    // info() then reports what this classifier does, an override included.
    loaded.info.flip_average = options.flip_average.value_or(loaded.info.flip_average);
    loaded.info.shift_average = options.shift_average.value_or(loaded.info.shift_average);
    validate(loaded.info);
    auto classifier = std::make_unique<TorchEmotionClassifier>(
        std::move(loaded.module), loaded.info, "'" + path.string() + "'");
    if (options.optimize)
        classifier->optimize();
    return classifier;
}

std::string labelsText(const std::vector<std::string>& labels) {
    std::string text;
    for (const auto& label : labels)
        text += (text.empty() ? "" : ", ") + label;
    return text;
}

}  // namespace

std::unique_ptr<EmotionClassifier> loadEmotionClassifier(const std::filesystem::path& path,
                                                         const ClassifierOptions& options) {
    auto upright = loadOne(path, options);
    const auto companion = tiltedModelPath(path);
    std::error_code missing;
    if (!options.tilted_companion || !std::filesystem::is_regular_file(companion, missing))
        return upright;
    auto tilted = loadOne(companion, options);
    const auto& a = upright->info();
    const auto& b = tilted->info();
    if (a.labels != b.labels || a.input_width != b.input_width ||
        a.input_height != b.input_height) {
        throw ModelError("the companion for tilted faces '" + companion.string() + "' reads " +
                         std::to_string(b.input_width) + "x" + std::to_string(b.input_height) +
                         " faces as [" + labelsText(b.labels) + "], but '" + path.string() +
                         "' reads " + std::to_string(a.input_width) + "x" +
                         std::to_string(a.input_height) + " faces as [" + labelsText(a.labels) +
                         "]: expected the same classes in the same order and the same input "
                         "size (move the companion away to run without it)");
    }
    return std::make_unique<PairedEmotionClassifier>(std::move(upright), std::move(tilted));
}

void setInferenceThreads(int threads) {
    if (threads > 0)
        at::set_num_threads(threads);
}

}  // namespace emotrace
