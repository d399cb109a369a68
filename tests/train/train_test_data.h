// Tiny generated datasets for the trainer's tests: two or three classes that a small CNN can tell
// apart (a bright stripe in a different place per class) plus seeded noise.
#pragma once

#include <random>
#include <string>

#include "emotrace/dataset.h"

namespace emotrace::test {

inline Dataset stripesDataset(int per_class, int classes = 2, int size = 16,
                              std::uint32_t seed = 1) {
    Dataset data;
    for (int c = 0; c < classes; ++c)
        data.labels.push_back("class" + std::to_string(c));
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> noise(0, 60);
    for (int i = 0; i < per_class; ++i) {
        for (int c = 0; c < classes; ++c) {
            cv::Mat image(size, size, CV_8UC1);
            for (int r = 0; r < size; ++r) {
                for (int col = 0; col < size; ++col) {
                    const bool stripe = col * classes / size == c;
                    image.at<std::uint8_t>(r, col) =
                        static_cast<std::uint8_t>((stripe ? 180 : 20) + noise(rng));
                }
            }
            LabeledImage item;
            item.image = image;
            item.label = c;
            item.origin = "generated:" + std::to_string(c) + "/" + std::to_string(i);
            data.items.push_back(std::move(item));
        }
    }
    return data;
}

}  // namespace emotrace::test
