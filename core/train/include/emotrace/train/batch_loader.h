// Turns a Dataset into training batches in a worker thread ahead of the training step, so image
// conversion and augmentation overlap the model's work (PLATFORM.md pitfall 5). Batches are
// plain float buffers, reused from a small pool: no per-sample allocation, no torch here.
// Every batch draws its augmentation from its own generator, seeded by (seed, epoch, batch), so
// a run is repeatable and can resume mid-epoch whatever the threads did.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "emotrace/dataset.h"

namespace emotrace::train {

// Changes an 8-bit grey training image in place (flip, rotation, scaling, ...), drawing its
// randomness from `rng` only. Must keep the size and type.
using AugmentFunction = std::function<void(cv::Mat& image, std::mt19937& rng)>;

struct Batch {
    int index = 0;                     // position in the epoch, from 0
    int size = 0;                      // items in this batch
    std::vector<float> pixels;         // size x 1 x height x width, normalised
    std::vector<std::int64_t> labels;  // class index per item
    std::vector<float> soft_targets;   // size x classes when soft labels are asked for
};

struct BatchLoaderOptions {
    int batch_size = 32;
    int prefetch = 4;   // batches prepared ahead of the consumer
    float mean = 0.0f;  // after scaling to [0,1]: (x - mean) / std
    float std = 1.0f;
    bool soft_targets = false;  // fill soft_targets from soft_label (one-hot where absent)
    // Mixup (Zhang et al., ICLR 2018) when > 0: each batch is blended with a shuffled copy of
    // itself, pixels and targets alike, by one lambda ~ Beta(alpha, alpha) per batch. Needs
    // soft_targets; a mixed item's label is that of the image with the larger share.
    float mixup_alpha = 0.0f;
    AugmentFunction augment;  // empty: images as they are
    std::uint64_t seed = 0;
    int epoch = 0;
};

// The generator for one batch's augmentation; also used for an epoch's order (batch -1).
std::mt19937 batchGenerator(std::uint64_t seed, int epoch, int batch);

// Produces the batches of one epoch: `order` lists dataset item indices (repeats allowed, for a
// weighted sampler), cut into batches of batch_size (the last may be smaller); batches before
// `first_batch` are skipped (resuming mid-epoch). Checks every image up front and throws
// std::invalid_argument naming the item when one is not CV_8UC1 of the dataset's size or has an
// unknown label.
class BatchLoader {
  public:
    BatchLoader(const Dataset& data, std::vector<std::size_t> order, BatchLoaderOptions options,
                int first_batch = 0);
    ~BatchLoader();
    BatchLoader(const BatchLoader&) = delete;
    BatchLoader& operator=(const BatchLoader&) = delete;

    int batchCount() const { return batch_count_; }
    // The next batch in order; nullptr after the last. Rethrows an error from the worker.
    std::unique_ptr<Batch> next();
    // Hands a batch's buffers back for reuse.
    void recycle(std::unique_ptr<Batch> batch);

  private:
    void run(std::stop_token stop);
    void fill(Batch& batch, int index, cv::Mat& scratch) const;

    const Dataset& data_;
    std::vector<std::size_t> order_;
    BatchLoaderOptions options_;
    int batch_count_ = 0;
    int first_batch_ = 0;

    std::mutex mutex_;
    std::condition_variable_any changed_;
    std::deque<std::unique_ptr<Batch>> ready_;
    std::vector<std::unique_ptr<Batch>> free_;
    std::exception_ptr error_;
    bool worker_done_ = false;
    std::jthread worker_;  // last: joins before the members it uses go
};

}  // namespace emotrace::train
