// A model exported from PyTorch (tools/export_pytorch_model.py, torchvision's ResNet18) loads
// through the same path as emotrace's own files.
#include <gtest/gtest.h>

#include <cstdlib>

#include "emotrace/emotion_classifier.h"
#include "test_support.h"

namespace {

bool pytorchAvailable() {
    return std::system("/usr/bin/python3 -c 'import torch, torchvision' >/dev/null 2>&1") == 0;
}

}  // namespace

TEST(PyTorchExport, TorchvisionResNet18WithMetadataLoadsAndClassifies) {
    if (!pytorchAvailable())
        EMOTRACE_SKIP_UNLESS_REQUIRED("python3-torch/python3-torchvision not installed");
    emotrace::test::TempDir dir;
    const auto model = dir / "torchvision.pt";
    const std::string command = "/usr/bin/python3 " EMOTRACE_SOURCE_DIR
                                "/tools/export_pytorch_model.py --seed 3 --labels "
                                "angry,disgust,fear,happy,sad,surprise,neutral --out " +
                                model.string() + " 2>/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;

    auto plain = emotrace::loadEmotionClassifier(
        model, {.optimize = false, .flip_average = {}, .shift_average = {}});
    auto fast = emotrace::loadEmotionClassifier(model);
    EXPECT_EQ(fast->info().architecture, "resnet18");
    EXPECT_EQ(fast->info().labels, emotrace::fer2013Labels());
    const std::vector<cv::Mat> faces{cv::Mat(48, 48, CV_32FC1, cv::Scalar(0.25)),
                                     cv::Mat(48, 48, CV_32FC1, cv::Scalar(0.75))};
    const auto a = plain->classify(faces);
    const auto b = fast->classify(faces);
    ASSERT_EQ(b.size(), 2u);
    ASSERT_EQ(b[0].size(), 7u);
    for (std::size_t i = 0; i < 2; ++i) {
        for (std::size_t c = 0; c < 7; ++c)
            EXPECT_NEAR(a[i][c], b[i][c], 1e-4);
    }
}
