#include "emotrace/test_time_views.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace emotrace::nets {

int viewCount(const TestTimeViews& views) {
    return (views.shift > 0 ? 5 : 1) * (views.flip ? 2 : 1);
}

torch::Tensor expandViews(const torch::Tensor& faces, const TestTimeViews& views) {
    std::vector<torch::Tensor> all{faces};
    if (views.shift != 0) {
        const auto height = faces.size(2);
        const auto width = faces.size(3);
        const int s = views.shift;
        if (s < 0 || 2 * s >= height || 2 * s >= width)
            throw std::invalid_argument("test-time shift of " + std::to_string(s) +
                                        " pixels: expected 0 up to less than half of a " +
                                        std::to_string(width) + "x" + std::to_string(height) +
                                        " face");
        namespace F = torch::nn::functional;
        const auto padded = F::pad(faces, F::PadFuncOptions({s, s, s, s}).mode(torch::kReplicate));
        // Each copy shows the face moved by s pixels: the window slides the other way.
        for (auto [dx, dy] : {std::pair{s, 0}, {-s, 0}, {0, s}, {0, -s}}) {
            all.push_back(
                padded.slice(2, s - dy, s - dy + height).slice(3, s - dx, s - dx + width));
        }
    }
    auto stacked = all.size() == 1 ? faces : torch::cat(all);
    if (views.flip)
        stacked = torch::cat({stacked, torch::flip(stacked, {3})});
    return stacked;
}

torch::Tensor averageViews(const torch::Tensor& probabilities, int views) {
    if (views == 1)
        return probabilities;
    const auto n = probabilities.size(0) / views;
    return probabilities.reshape({views, n, probabilities.size(1)}).mean(0);
}

}  // namespace emotrace::nets
