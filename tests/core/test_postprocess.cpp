#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "emotrace/emotion_classifier.h"

using emotrace::softmax;
using emotrace::topClass;

TEST(Softmax, MatchesHandComputedValues) {
    // exp(0)=1, exp(ln 3)=3, exp(ln 6)=6: probabilities 0.1, 0.3, 0.6.
    const std::vector<float> logits{0.0f, std::log(3.0f), std::log(6.0f)};
    const auto p = softmax(logits);
    ASSERT_EQ(p.size(), 3u);
    EXPECT_NEAR(p[0], 0.1f, 1e-6);
    EXPECT_NEAR(p[1], 0.3f, 1e-6);
    EXPECT_NEAR(p[2], 0.6f, 1e-6);
}

TEST(Softmax, IsStableForLargeLogits) {
    const std::vector<float> logits{1000.0f, 1000.0f, -1000.0f};
    const auto p = softmax(logits);
    EXPECT_NEAR(p[0], 0.5f, 1e-6);
    EXPECT_NEAR(p[1], 0.5f, 1e-6);
    EXPECT_NEAR(p[2], 0.0f, 1e-6);
}

TEST(Softmax, IsInvariantToAShiftOfAllLogits) {
    const std::vector<float> a{1.0f, 2.0f, 3.0f, -4.0f};
    const std::vector<float> b{11.0f, 12.0f, 13.0f, 6.0f};
    const auto pa = softmax(a);
    const auto pb = softmax(b);
    for (std::size_t i = 0; i < pa.size(); ++i)
        EXPECT_NEAR(pa[i], pb[i], 1e-6);
}

TEST(Softmax, EmptyInputGivesEmptyOutput) {
    EXPECT_TRUE(softmax({}).empty());
}

TEST(TopClass, PicksTheLargestAndTheFirstOnATie) {
    EXPECT_EQ(topClass(std::vector<float>{0.1f, 0.7f, 0.2f}), 1);
    EXPECT_EQ(topClass(std::vector<float>{0.4f, 0.2f, 0.4f}), 0);
    EXPECT_EQ(topClass(std::vector<float>{}), -1);
}
