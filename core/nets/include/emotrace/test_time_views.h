// Test-time averaging: a face is classified together with slightly moved copies and mirror
// images of itself, and the probabilities are averaged. The classifier and the evaluation share
// this, so the figures `emotrace-evaluate` reports are those of the path the app runs.
#pragma once

#include <torch/torch.h>

namespace emotrace::nets {

struct TestTimeViews {
    bool flip = false;  // add the mirror image of every view
    int shift = 0;      // pixels; > 0 adds the face moved left, right, up and down by this much
};

// How many views each face becomes: (1 or 5) x (1 or 2).
int viewCount(const TestTimeViews& views);

// faces: N x C x H x W. Returns the views stacked view-major ((views x N) x C x H x W): first the
// faces themselves, then each shifted copy, then (flip) the mirror images of all of those. A
// shifted copy repeats the border pixels into the gap it leaves. Throws std::invalid_argument for
// a negative shift or one of half the face or more.
torch::Tensor expandViews(const torch::Tensor& faces, const TestTimeViews& views);

// probabilities: (views x N) x K in expandViews' order. Returns the N x K mean over the views.
torch::Tensor averageViews(const torch::Tensor& probabilities, int views);

}  // namespace emotrace::nets
