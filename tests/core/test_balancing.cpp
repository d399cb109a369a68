#include <algorithm>
#include <cmath>
#include <numeric>

#include <gtest/gtest.h>

#include "emotrace/balancing.h"
#include "emotrace/error.h"

using namespace emotrace;

namespace {

// counts[c] items of class c; each image random but reproducible, so neighbours differ.
Dataset datasetWithCounts(const std::vector<int>& counts, cv::Size size = {12, 10}) {
    Dataset dataset;
    cv::RNG random(1234);
    for (std::size_t c = 0; c < counts.size(); ++c) {
        dataset.labels.push_back("class" + std::to_string(c));
        for (int i = 0; i < counts[c]; ++i) {
            LabeledImage item;
            item.image = cv::Mat(size, CV_8UC1);
            random.fill(item.image, cv::RNG::UNIFORM, 0, 256);
            item.label = static_cast<int>(c);
            item.origin = "c" + std::to_string(c) + "/" + std::to_string(i);
            dataset.items.push_back(std::move(item));
        }
    }
    return dataset;
}

double squaredDistance(const cv::Mat& a, const cv::Mat& b) {
    const double d = cv::norm(a, b, cv::NORM_L2);
    return d * d;
}

// The k items of the same class nearest to `query`, computed plainly for checking.
std::vector<std::size_t> plainNearest(const Dataset& dataset, std::size_t query, int k) {
    std::vector<std::size_t> same;
    for (std::size_t i = 0; i < dataset.items.size(); ++i) {
        if (i != query && dataset.items[i].label == dataset.items[query].label &&
            !dataset.items[i].synthetic)
            same.push_back(i);
    }
    std::stable_sort(same.begin(), same.end(), [&](std::size_t a, std::size_t b) {
        return squaredDistance(dataset.items[a].image, dataset.items[query].image) <
               squaredDistance(dataset.items[b].image, dataset.items[query].image);
    });
    same.resize(std::min<std::size_t>(same.size(), static_cast<std::size_t>(k)));
    return same;
}

}  // namespace

TEST(ClassWeights, InverseFrequencyWithMeanOneOverItems) {
    const Dataset dataset = datasetWithCounts({6, 3, 1, 0});
    EXPECT_EQ(classCounts(dataset), (std::vector<std::size_t>{6, 3, 1, 0}));
    const std::vector<float> weights = classWeights(dataset);
    // N / (K n_c) with N = 10 items, K = 3 classes present.
    ASSERT_EQ(weights.size(), 4u);
    EXPECT_FLOAT_EQ(weights[0], 10.f / 18.f);
    EXPECT_FLOAT_EQ(weights[1], 10.f / 9.f);
    EXPECT_FLOAT_EQ(weights[2], 10.f / 3.f);
    EXPECT_FLOAT_EQ(weights[3], 0.f);
    double mean = 0.0;
    for (const auto& item : dataset.items)
        mean += weights[static_cast<std::size_t>(item.label)];
    EXPECT_NEAR(mean / 10.0, 1.0, 1e-6);
}

TEST(ClassWeights, APowerSoftensTheInverseFrequency) {
    const Dataset dataset = datasetWithCounts({16, 4, 1});
    const std::vector<float> full = classWeights(dataset);
    const std::vector<float> soft = classWeights(dataset, 0.5);
    const std::vector<float> none = classWeights(dataset, 0.0);
    ASSERT_EQ(soft.size(), 3u);
    for (std::size_t c = 0; c < 3; ++c) {
        EXPECT_FLOAT_EQ(soft[c], std::sqrt(full[c]));
        EXPECT_FLOAT_EQ(none[c], 1.f);
    }
    // The rarest class still weighs most, but 4x the common one instead of 16x.
    EXPECT_FLOAT_EQ(soft[2] / soft[0], 4.f);
    EXPECT_FLOAT_EQ(full[2] / full[0], 16.f);
}

TEST(SamplerWeights, SumToOneAndGiveEachClassTheSameShare) {
    const Dataset dataset = datasetWithCounts({6, 3, 1});
    const std::vector<double> weights = samplerWeights(dataset);
    ASSERT_EQ(weights.size(), 10u);
    EXPECT_NEAR(std::accumulate(weights.begin(), weights.end(), 0.0), 1.0, 1e-12);
    std::vector<double> per_class(3, 0.0);
    for (std::size_t i = 0; i < weights.size(); ++i)
        per_class[static_cast<std::size_t>(dataset.items[i].label)] += weights[i];
    for (double share : per_class)
        EXPECT_NEAR(share, 1.0 / 3.0, 1e-12);
    // Proportional to 1 / n_class.
    EXPECT_NEAR(weights[0] / weights[9], 1.0 / 6.0, 1e-12);
}

TEST(WeightedSampler, DrawsInProportionToTheWeightsAndRepeatsForASeed) {
    const Dataset dataset = datasetWithCounts({60, 30, 10});
    const WeightedSampler sampler(samplerWeights(dataset));
    std::mt19937 rng(5);
    const auto drawn = sampler.draw(30000, rng);
    std::vector<double> per_class(3, 0.0);
    for (std::size_t index : drawn)
        per_class[static_cast<std::size_t>(dataset.items.at(index).label)] += 1.0;
    for (double count : per_class)
        EXPECT_NEAR(count / 30000.0, 1.0 / 3.0, 0.015);
    std::mt19937 again(5);
    EXPECT_EQ(sampler.draw(30000, again), drawn);
}

TEST(WeightedSampler, NeverDrawsZeroWeightsAndRejectsBadOnes) {
    const WeightedSampler sampler({0.0, 2.0, 0.0, 1.0, 0.0});
    std::mt19937 rng(1);
    int ones = 0;
    for (std::size_t index : sampler.draw(9000, rng)) {
        ASSERT_TRUE(index == 1 || index == 3) << index;
        ones += index == 1;
    }
    EXPECT_NEAR(ones / 9000.0, 2.0 / 3.0, 0.02);
    EXPECT_THROW(WeightedSampler({}), Error);
    EXPECT_THROW(WeightedSampler({1.0, -1.0}), Error);
    EXPECT_THROW(WeightedSampler({0.0, 0.0}), Error);
}

TEST(NearestNeighbours, MatchesAPlainSearch) {
    const Dataset dataset = datasetWithCounts({40});
    std::vector<std::size_t> all(40);
    std::iota(all.begin(), all.end(), std::size_t{0});
    for (std::size_t query : {std::size_t{0}, std::size_t{17}, std::size_t{39}})
        EXPECT_EQ(nearestNeighbours(dataset, query, all, 5), plainNearest(dataset, query, 5));
}

TEST(Smote, BalancesEveryClassUpToTheLargest) {
    Dataset dataset = datasetWithCounts({50, 12, 5, 30});
    std::mt19937 rng(9);
    const SmoteReport report = applySmote(dataset, {}, rng);
    EXPECT_EQ(report.counts_before, (std::vector<std::size_t>{50, 12, 5, 30}));
    EXPECT_EQ(report.counts_after, (std::vector<std::size_t>(4, 50)));
    EXPECT_EQ(dataset.items.size(), 200u);
    EXPECT_EQ(report.parents.size(), 103u);
    const auto synthetic = std::count_if(dataset.items.begin(), dataset.items.end(),
                                         [](const LabeledImage& item) { return item.synthetic; });
    EXPECT_EQ(synthetic, 103);
    EXPECT_FALSE(dataset.items[96].synthetic);
    EXPECT_TRUE(dataset.items[97].synthetic);
}

TEST(Smote, EachNewImageLiesBetweenASampleAndOneOfItsKNearestNeighbours) {
    Dataset dataset = datasetWithCounts({40, 15, 8});
    const std::size_t originals = dataset.items.size();
    std::mt19937 rng(11);
    SmoteOptions options;
    options.k = 3;
    const SmoteReport report = applySmote(dataset, options, rng);
    ASSERT_EQ(report.parents.size(), dataset.items.size() - originals);
    for (std::size_t s = 0; s < report.parents.size(); ++s) {
        const LabeledImage& made = dataset.items[originals + s];
        const auto [base, neighbour] = report.parents[s];
        ASSERT_LT(base, originals);
        ASSERT_LT(neighbour, originals);
        EXPECT_EQ(dataset.items[base].label, made.label);
        EXPECT_EQ(dataset.items[neighbour].label, made.label);
        const auto nearest = plainNearest(dataset, base, 3);
        EXPECT_NE(std::find(nearest.begin(), nearest.end(), neighbour), nearest.end())
            << "neighbour " << neighbour << " is not among the 3 nearest of " << base;
        // Collinear: made = base + t (neighbour - base) up to rounding, with t in [0, 1].
        cv::Mat a, b, m;
        dataset.items[base].image.convertTo(a, CV_64F);
        dataset.items[neighbour].image.convertTo(b, CV_64F);
        made.image.convertTo(m, CV_64F);
        const cv::Mat direction = b - a;
        const double t = (m - a).dot(direction) / direction.dot(direction);
        EXPECT_GE(t, -0.01);
        EXPECT_LE(t, 1.01);
        double off_line = 0.0;
        cv::minMaxLoc(cv::abs(m - (a + t * direction)), nullptr, &off_line);
        EXPECT_LE(off_line, 1.0) << "synthetic " << s << " is off the segment";
    }
}

TEST(Smote, TargetsTooSmallClassesAndSeedsAreExplicit) {
    Dataset dataset = datasetWithCounts({20, 1, 4, 0});
    Dataset copy = dataset;
    SmoteOptions options;
    options.target_counts = {20, 10, 10, 10};
    std::mt19937 rng(3);
    const SmoteReport report = applySmote(dataset, options, rng);
    EXPECT_EQ(report.counts_after, (std::vector<std::size_t>{20, 1, 10, 0}));
    EXPECT_EQ(report.labels_too_small, (std::vector<int>{1}));
    std::mt19937 same(3);
    applySmote(copy, options, same);
    ASSERT_EQ(copy.items.size(), dataset.items.size());
    for (std::size_t i = 0; i < copy.items.size(); ++i)
        EXPECT_EQ(cv::norm(copy.items[i].image, dataset.items[i].image), 0.0);
    options.target_counts = {1, 2};
    EXPECT_THROW(applySmote(dataset, options, rng), Error);
}
