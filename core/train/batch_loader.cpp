#include "emotrace/train/batch_loader.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace emotrace::train {

namespace {

void checkItems(const Dataset& data, const std::vector<std::size_t>& order) {
    if (data.items.empty())
        throw std::invalid_argument("cannot make batches from an empty dataset");
    const cv::Size size = data.items.front().image.size();
    const auto classes = static_cast<int>(data.labels.size());
    for (std::size_t index : order) {
        if (index >= data.items.size()) {
            throw std::invalid_argument("batch order names item " + std::to_string(index) +
                                        " of a dataset with " + std::to_string(data.items.size()) +
                                        " items");
        }
        const auto& item = data.items[index];
        if (item.image.type() != CV_8UC1 || item.image.size() != size) {
            throw std::invalid_argument(
                "training image " + item.origin + ": expected 8-bit grey " +
                std::to_string(size.width) + "x" + std::to_string(size.height) + ", found " +
                std::to_string(item.image.cols) + "x" + std::to_string(item.image.rows) +
                " of OpenCV type " + std::to_string(item.image.type()));
        }
        if (item.label < 0 || item.label >= classes) {
            throw std::invalid_argument("training image " + item.origin + ": label " +
                                        std::to_string(item.label) + " is not one of the " +
                                        std::to_string(classes) + " classes");
        }
        if (!item.soft_label.empty() && item.soft_label.size() != data.labels.size()) {
            throw std::invalid_argument("training image " + item.origin + ": soft label has " +
                                        std::to_string(item.soft_label.size()) +
                                        " values, expected one per class (" +
                                        std::to_string(classes) + ")");
        }
    }
}

// Beta(alpha, alpha) from two gamma draws: the standard library has no beta distribution.
float drawBeta(float alpha, std::mt19937& rng) {
    std::gamma_distribution<float> gamma(alpha, 1.0f);
    const float x = gamma(rng);
    const float y = gamma(rng);
    return x + y > 0.0f ? x / (x + y) : 0.5f;
}

// Blends every item with the item `partner[i]` of the same batch: lambda of its own pixels and
// target, 1 - lambda of the partner's. The label follows the larger share.
void mixBatch(Batch& batch, float lambda, const std::vector<std::size_t>& partner,
              std::size_t plane, std::size_t classes) {
    const std::vector<float> pixels = batch.pixels;
    const std::vector<float> targets = batch.soft_targets;
    const std::vector<std::int64_t> labels = batch.labels;
    const float other = 1.0f - lambda;
    for (std::size_t i = 0; i < partner.size(); ++i) {
        const std::size_t j = partner[i];
        for (std::size_t p = 0; p < plane; ++p)
            batch.pixels[i * plane + p] =
                lambda * pixels[i * plane + p] + other * pixels[j * plane + p];
        for (std::size_t c = 0; c < classes; ++c)
            batch.soft_targets[i * classes + c] =
                lambda * targets[i * classes + c] + other * targets[j * classes + c];
        batch.labels[i] = lambda >= 0.5f ? labels[i] : labels[j];
    }
}

}  // namespace

std::mt19937 batchGenerator(std::uint64_t seed, int epoch, int batch) {
    std::seed_seq sequence{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                           static_cast<std::uint32_t>(epoch), static_cast<std::uint32_t>(batch)};
    return std::mt19937(sequence);
}

BatchLoader::BatchLoader(const Dataset& data, std::vector<std::size_t> order,
                         BatchLoaderOptions options, int first_batch)
    : data_(data), order_(std::move(order)), options_(std::move(options)) {
    if (options_.batch_size <= 0)
        throw std::invalid_argument("batch size must be positive, found " +
                                    std::to_string(options_.batch_size));
    if (!(options_.mixup_alpha >= 0.0f))
        throw std::invalid_argument("mixup alpha must be 0 (off) or positive, found " +
                                    std::to_string(options_.mixup_alpha));
    if (options_.mixup_alpha > 0.0f && !options_.soft_targets)
        throw std::invalid_argument("mixup blends targets: it needs soft targets");
    checkItems(data_, order_);
    const auto batch = static_cast<std::size_t>(options_.batch_size);
    batch_count_ = static_cast<int>((order_.size() + batch - 1) / batch);
    first_batch_ = std::clamp(first_batch, 0, batch_count_);
    for (int i = 0; i < std::max(options_.prefetch, 1) + 1; ++i)
        free_.push_back(std::make_unique<Batch>());
    worker_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

BatchLoader::~BatchLoader() {
    worker_.request_stop();
    changed_.notify_all();
}

void BatchLoader::run(std::stop_token stop) {
    cv::Mat scratch;
    try {
        for (int index = first_batch_; index < batch_count_; ++index) {
            std::unique_ptr<Batch> batch;
            {
                std::unique_lock lock(mutex_);
                if (!changed_.wait(lock, stop, [&] { return !free_.empty(); }))
                    return;
                batch = std::move(free_.back());
                free_.pop_back();
            }
            fill(*batch, index, scratch);
            std::lock_guard lock(mutex_);
            ready_.push_back(std::move(batch));
            changed_.notify_all();
        }
    } catch (...) {
        std::lock_guard lock(mutex_);
        error_ = std::current_exception();
    }
    std::lock_guard lock(mutex_);
    worker_done_ = true;
    changed_.notify_all();
}

void BatchLoader::fill(Batch& batch, int index, cv::Mat& scratch) const {
    const auto batch_size = static_cast<std::size_t>(options_.batch_size);
    const std::size_t begin = static_cast<std::size_t>(index) * batch_size;
    const std::size_t end = std::min(begin + batch_size, order_.size());
    const cv::Size size = data_.items.front().image.size();
    const auto plane = static_cast<std::size_t>(size.area());
    const auto classes = data_.labels.size();
    batch.index = index;
    batch.size = static_cast<int>(end - begin);
    batch.pixels.resize(static_cast<std::size_t>(batch.size) * plane);
    batch.labels.resize(static_cast<std::size_t>(batch.size));
    batch.soft_targets.assign(options_.soft_targets ? batch.labels.size() * classes : 0, 0.0f);

    auto rng = batchGenerator(options_.seed, options_.epoch, index);
    // Folding /255, -mean and /std into one multiply-add per pixel.
    const float scale = 1.0f / (255.0f * options_.std);
    const float offset = -options_.mean / options_.std;
    for (std::size_t i = 0; i < batch.labels.size(); ++i) {
        const auto& item = data_.items[order_[begin + i]];
        const cv::Mat* image = &item.image;
        if (options_.augment) {
            item.image.copyTo(scratch);
            options_.augment(scratch, rng);
            if (scratch.type() != CV_8UC1 || scratch.size() != size)
                throw std::logic_error("augmentation changed the size or type of " + item.origin);
            image = &scratch;
        }
        float* out = batch.pixels.data() + i * plane;
        for (int row = 0; row < size.height; ++row) {
            const auto* pixels = image->ptr<std::uint8_t>(row);
            for (int col = 0; col < size.width; ++col)
                *out++ = static_cast<float>(pixels[col]) * scale + offset;
        }
        batch.labels[i] = item.label;
        if (options_.soft_targets) {
            float* target = batch.soft_targets.data() + i * classes;
            if (item.soft_label.size() == classes)
                std::copy(item.soft_label.begin(), item.soft_label.end(), target);
            else
                target[item.label] = 1.0f;
        }
    }
    if (options_.mixup_alpha > 0.0f) {
        // Drawn after the augmentation from the same generator: a resumed run mixes alike.
        const float lambda = drawBeta(options_.mixup_alpha, rng);
        std::vector<std::size_t> partner(batch.labels.size());
        std::iota(partner.begin(), partner.end(), std::size_t{0});
        std::shuffle(partner.begin(), partner.end(), rng);
        mixBatch(batch, lambda, partner, plane, classes);
    }
}

std::unique_ptr<Batch> BatchLoader::next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !ready_.empty() || worker_done_; });
    if (!ready_.empty()) {
        auto batch = std::move(ready_.front());
        ready_.pop_front();
        return batch;
    }
    if (error_)
        std::rethrow_exception(error_);
    return nullptr;
}

void BatchLoader::recycle(std::unique_ptr<Batch> batch) {
    if (!batch)
        return;
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(batch));
    changed_.notify_all();
}

}  // namespace emotrace::train
