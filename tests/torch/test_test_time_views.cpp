#include <gtest/gtest.h>

#include <stdexcept>

#include "emotrace/test_time_views.h"

using emotrace::nets::averageViews;
using emotrace::nets::expandViews;
using emotrace::nets::TestTimeViews;
using emotrace::nets::viewCount;

namespace {

// Two 1-channel 6x8 faces whose every pixel is different.
torch::Tensor numberedFaces() {
    return torch::arange(2 * 6 * 8, torch::kFloat).reshape({2, 1, 6, 8});
}

}  // namespace

TEST(TestTimeViews, CountsTheFaceTheShiftsAndTheMirrors) {
    EXPECT_EQ(viewCount({.flip = false, .shift = 0}), 1);
    EXPECT_EQ(viewCount({.flip = true, .shift = 0}), 2);
    EXPECT_EQ(viewCount({.flip = false, .shift = 2}), 5);
    EXPECT_EQ(viewCount({.flip = true, .shift = 2}), 10);
    const auto faces = numberedFaces();
    for (const TestTimeViews views : {TestTimeViews{false, 0}, TestTimeViews{true, 0},
                                      TestTimeViews{false, 1}, TestTimeViews{true, 2}}) {
        const auto expanded = expandViews(faces, views);
        EXPECT_EQ(expanded.size(0), 2 * viewCount(views));
        EXPECT_EQ(expanded.sizes().slice(1), faces.sizes().slice(1));
        EXPECT_TRUE(torch::equal(expanded.slice(0, 0, 2), faces)) << "the faces come first";
    }
}

TEST(TestTimeViews, ShiftedCopiesMoveTheFaceAndRepeatTheBorder) {
    const auto faces = numberedFaces();
    const int s = 2;
    const auto views = expandViews(faces, {.flip = false, .shift = s});
    const auto right = views.slice(0, 2, 4);  // the first copy: moved right by s
    const auto left = views.slice(0, 4, 6);
    const auto down = views.slice(0, 6, 8);
    const auto up = views.slice(0, 8, 10);
    using torch::indexing::None;
    using torch::indexing::Slice;
    // Moved right: column x shows the face's column x - s; the gap repeats column 0.
    EXPECT_TRUE(torch::equal(right.index({Slice(), Slice(), Slice(), Slice(s, None)}),
                             faces.index({Slice(), Slice(), Slice(), Slice(None, -s)})));
    for (int x = 0; x < s; ++x)
        EXPECT_TRUE(torch::equal(right.select(3, x), faces.select(3, 0)));
    EXPECT_TRUE(torch::equal(left.index({Slice(), Slice(), Slice(), Slice(None, -s)}),
                             faces.index({Slice(), Slice(), Slice(), Slice(s, None)})));
    EXPECT_TRUE(torch::equal(left.select(3, 7), faces.select(3, 7)));
    EXPECT_TRUE(torch::equal(down.index({Slice(), Slice(), Slice(s, None)}),
                             faces.index({Slice(), Slice(), Slice(None, -s)})));
    EXPECT_TRUE(torch::equal(up.index({Slice(), Slice(), Slice(None, -s)}),
                             faces.index({Slice(), Slice(), Slice(s, None)})));
}

TEST(TestTimeViews, MirrorsFollowTheirViews) {
    const auto faces = numberedFaces();
    const auto views = expandViews(faces, {.flip = true, .shift = 1});
    ASSERT_EQ(views.size(0), 20);
    EXPECT_TRUE(torch::equal(views.slice(0, 10), torch::flip(views.slice(0, 0, 10), {3})));
}

TEST(TestTimeViews, AveragesEachFaceOverItsOwnViews) {
    // 3 views of 2 faces, view-major: face 0 gets 1, 3, 5 and face 1 gets 10, 30, 50.
    const auto p = torch::tensor({1.f, 10.f, 3.f, 30.f, 5.f, 50.f}).reshape({6, 1});
    const auto mean = averageViews(p, 3);
    ASSERT_EQ(mean.size(0), 2);
    EXPECT_FLOAT_EQ(mean[0][0].item<float>(), 3.f);
    EXPECT_FLOAT_EQ(mean[1][0].item<float>(), 30.f);
    EXPECT_TRUE(torch::equal(averageViews(p, 1), p));
}

TEST(TestTimeViews, RefusesAShiftOfHalfTheFace) {
    const auto faces = numberedFaces();  // 6 high
    EXPECT_THROW(expandViews(faces, {.flip = false, .shift = 3}), std::invalid_argument);
    EXPECT_THROW(expandViews(faces, {.flip = false, .shift = -1}), std::invalid_argument);
    EXPECT_NO_THROW(expandViews(faces, {.flip = false, .shift = 2}));
}
