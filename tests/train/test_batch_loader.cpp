#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "emotrace/train/batch_loader.h"
#include "train_test_data.h"

namespace emotrace::train {
namespace {

std::vector<std::size_t> identityOrder(std::size_t n) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    return order;
}

std::vector<std::unique_ptr<Batch>> drain(BatchLoader& loader) {
    std::vector<std::unique_ptr<Batch>> batches;
    while (auto batch = loader.next()) {
        auto copy = std::make_unique<Batch>(*batch);
        loader.recycle(std::move(batch));
        batches.push_back(std::move(copy));
    }
    return batches;
}

BatchLoaderOptions randomFlips() {
    BatchLoaderOptions o;
    o.batch_size = 4;
    o.seed = 9;
    o.epoch = 2;
    o.augment = [](cv::Mat& image, std::mt19937& rng) {
        if (rng() % 2)
            cv::flip(image, image, 1);
    };
    return o;
}

TEST(BatchLoader, CutsTheOrderIntoBatchesScaledToUnitRange) {
    const auto data = test::stripesDataset(5);  // 10 items
    BatchLoaderOptions o;
    o.batch_size = 4;
    BatchLoader loader(data, identityOrder(10), o);
    EXPECT_EQ(loader.batchCount(), 3);
    const auto batches = drain(loader);
    ASSERT_EQ(batches.size(), 3u);
    EXPECT_EQ(batches[2]->size, 2);
    EXPECT_EQ(batches[2]->pixels.size(), 2u * 16 * 16);
    EXPECT_EQ(batches[0]->labels, (std::vector<std::int64_t>{0, 1, 0, 1}));
    EXPECT_FLOAT_EQ(batches[0]->pixels[0], data.items[0].image.at<std::uint8_t>(0, 0) / 255.0f);
    for (const auto& batch : batches) {
        EXPECT_TRUE(std::all_of(batch->pixels.begin(), batch->pixels.end(),
                                [](float v) { return v >= 0.0f && v <= 1.0f; }));
    }
}

TEST(BatchLoader, AppliesMeanAndStd) {
    const auto data = test::stripesDataset(1);
    BatchLoaderOptions o;
    o.mean = 0.5f;
    o.std = 0.25f;
    BatchLoader loader(data, identityOrder(2), o);
    const auto batch = loader.next();
    const float raw = data.items[0].image.at<std::uint8_t>(0, 0) / 255.0f;
    EXPECT_NEAR(batch->pixels[0], (raw - 0.5f) / 0.25f, 1e-5f);
}

TEST(BatchLoader, AugmentationIsRepeatableAndResumableMidEpoch) {
    const auto data = test::stripesDataset(8);
    BatchLoader first(data, identityOrder(16), randomFlips());
    BatchLoader again(data, identityOrder(16), randomFlips());
    BatchLoader from_third(data, identityOrder(16), randomFlips(), 2);
    const auto a = drain(first);
    const auto b = drain(again);
    const auto c = drain(from_third);
    ASSERT_EQ(a.size(), 4u);
    ASSERT_EQ(c.size(), 2u);
    for (std::size_t i = 0; i < a.size(); ++i)
        EXPECT_EQ(a[i]->pixels, b[i]->pixels);
    EXPECT_EQ(c[0]->index, 2);
    EXPECT_EQ(c[0]->pixels, a[2]->pixels);
    EXPECT_EQ(c[1]->pixels, a[3]->pixels);
    auto other_epoch = randomFlips();
    other_epoch.epoch = 3;
    BatchLoader later(data, identityOrder(16), other_epoch);
    const auto d = drain(later);
    bool differs = false;
    for (std::size_t i = 0; i < a.size(); ++i)
        differs = differs || a[i]->pixels != d[i]->pixels;
    EXPECT_TRUE(differs) << "another epoch should draw other augmentations";
}

TEST(BatchLoader, SoftTargetsFallBackToOneHot) {
    auto data = test::stripesDataset(1, 3);
    data.items[1].soft_label = {0.2f, 0.7f, 0.1f};
    BatchLoaderOptions o;
    o.soft_targets = true;
    BatchLoader loader(data, identityOrder(3), o);
    const auto batch = loader.next();
    EXPECT_EQ(batch->soft_targets, (std::vector<float>{1, 0, 0, 0.2f, 0.7f, 0.1f, 0, 0, 1}));
}

BatchLoaderOptions mixup(float alpha) {
    BatchLoaderOptions o;
    o.batch_size = 8;
    o.seed = 5;
    o.epoch = 1;
    o.soft_targets = true;
    o.mixup_alpha = alpha;
    return o;
}

TEST(BatchLoader, MixupBlendsEachItemWithAnotherOfTheBatchByOneLambda) {
    const auto data = test::stripesDataset(16, 3);  // 48 items, distinct noise each
    const std::size_t plane = 16 * 16, classes = 3;
    BatchLoader plain_loader(data, identityOrder(48), mixup(0.0f));
    BatchLoader mixed_loader(data, identityOrder(48), mixup(1.0f));
    const auto plain = drain(plain_loader);
    const auto mixed = drain(mixed_loader);
    ASSERT_EQ(mixed.size(), 6u);
    bool saw_label_from_partner = false;
    for (std::size_t b = 0; b < mixed.size(); ++b) {
        const auto& a = *plain[b];
        const auto& m = *mixed[b];
        const auto n = static_cast<std::size_t>(m.size);
        std::vector<float> lambdas;
        std::vector<std::size_t> partners;
        for (std::size_t i = 0; i < n; ++i) {
            float from_own = 0.0f;
            for (std::size_t q = 0; q < plane; ++q)
                from_own =
                    std::max(from_own, std::abs(m.pixels[i * plane + q] - a.pixels[i * plane + q]));
            if (from_own < 1e-5f)
                continue;  // the shuffle paired the item with itself
            // Find the partner j and lambda with m_i = lambda a_i + (1 - lambda) a_j.
            bool found = false;
            for (std::size_t j = 0; j < n && !found; ++j) {
                if (j == i)
                    continue;
                std::size_t p = 0;
                while (p < plane && a.pixels[i * plane + p] == a.pixels[j * plane + p])
                    ++p;
                ASSERT_LT(p, plane) << "the test needs distinct images";
                const float lambda = (m.pixels[i * plane + p] - a.pixels[j * plane + p]) /
                                     (a.pixels[i * plane + p] - a.pixels[j * plane + p]);
                bool fits = lambda >= -1e-4f && lambda <= 1.0001f;
                for (std::size_t q = 0; q < plane && fits; ++q)
                    fits = std::abs(m.pixels[i * plane + q] -
                                    (lambda * a.pixels[i * plane + q] +
                                     (1 - lambda) * a.pixels[j * plane + q])) < 1e-4f;
                for (std::size_t c = 0; c < classes && fits; ++c)
                    fits = std::abs(m.soft_targets[i * classes + c] -
                                    (lambda * a.soft_targets[i * classes + c] +
                                     (1 - lambda) * a.soft_targets[j * classes + c])) < 1e-4f;
                if (fits) {
                    found = true;
                    lambdas.push_back(lambda);
                    partners.push_back(j);
                    EXPECT_EQ(m.labels[i], lambda >= 0.5f ? a.labels[i] : a.labels[j]);
                    saw_label_from_partner =
                        saw_label_from_partner || (lambda < 0.5f && a.labels[i] != a.labels[j]);
                }
            }
            EXPECT_TRUE(found) << "item " << i << " of batch " << b << " is no blend of two items";
        }
        ASSERT_FALSE(lambdas.empty()) << "every item of batch " << b << " was paired with itself";
        for (float lambda : lambdas)
            EXPECT_NEAR(lambda, lambdas.front(), 1e-3f) << "one lambda per batch";
        std::sort(partners.begin(), partners.end());
        EXPECT_EQ(std::adjacent_find(partners.begin(), partners.end()), partners.end())
            << "partners are a permutation: no item is everyone's partner";
        EXPECT_NE(m.pixels, a.pixels);
    }
    EXPECT_TRUE(saw_label_from_partner) << "the label follows the larger share";
    // Repeatable from (seed, epoch, batch), so a resumed run mixes the same way.
    BatchLoader again(data, identityOrder(48), mixup(1.0f), 1);
    const auto resumed = drain(again);
    ASSERT_EQ(resumed.size(), 5u);
    EXPECT_EQ(resumed[0]->pixels, mixed[1]->pixels);
    EXPECT_EQ(resumed[0]->soft_targets, mixed[1]->soft_targets);
}

TEST(BatchLoader, MixupNeedsSoftTargetsAndANonNegativeAlpha) {
    const auto data = test::stripesDataset(2);
    auto without_targets = mixup(0.2f);
    without_targets.soft_targets = false;
    EXPECT_THROW(BatchLoader(data, identityOrder(4), without_targets), std::invalid_argument);
    EXPECT_THROW(BatchLoader(data, identityOrder(4), mixup(-0.1f)), std::invalid_argument);
}

TEST(BatchLoader, RejectsBadItemsNamingThem) {
    auto data = test::stripesDataset(2);
    data.items[1].label = 5;
    try {
        BatchLoader loader(data, identityOrder(4), {});
        FAIL() << "expected invalid_argument";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find(data.items[1].origin), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("label 5"), std::string::npos) << e.what();
    }
    data.items[1].label = 1;
    data.items[2].soft_label = {1.0f};
    EXPECT_THROW(BatchLoader(data, identityOrder(4), {}), std::invalid_argument);
    EXPECT_THROW(BatchLoader(data, {7}, {}), std::invalid_argument);
    EXPECT_THROW(BatchLoader(Dataset{}, {}, {}), std::invalid_argument);
}

}  // namespace
}  // namespace emotrace::train
