// What the end-to-end tests of the training tools (emotrace-train, -evaluate, -average,
// -experiment, -explore) share: a tiny generated image folder in the layout every tool reads
// (one sub-folder per class, 48x48 crops taken as they are), the short training run they start
// from, and small readers for the files the tools write.
#pragma once

#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "test_support.h"

namespace emotrace::test {

struct ClassImages {
    std::string label;  // a class name of the paper's label table (docs/datasets.md)
    int count = 0;
};

// Unbalanced on purpose (SMOTE then has work), and large enough for CK+'s 80/10/10 split to
// put every class on each side.
inline std::vector<ClassImages> tinyClasses() {
    return {{"angry", 14}, {"happy", 10}, {"sad", 8}};
}

inline int imageCount(const std::vector<ClassImages>& classes) {
    int total = 0;
    for (const auto& c : classes)
        total += c.count;
    return total;
}

// Writes root/<label>/face_NN.png: a bright horizontal band whose height depends on the class
// (so a small CNN can learn it) plus seeded noise. The names are not CK+ names, so each image
// is its own group in the subject split.
inline void writeClassImageFolder(const std::filesystem::path& root,
                                  const std::vector<ClassImages>& classes = tinyClasses()) {
    std::mt19937 rng(5);
    std::uniform_int_distribution<int> noise(0, 50);
    for (std::size_t c = 0; c < classes.size(); ++c) {
        const auto folder = root / classes[c].label;
        std::filesystem::create_directories(folder);
        const int band_top = static_cast<int>(c) * 48 / static_cast<int>(classes.size());
        const int band_bottom = band_top + 48 / static_cast<int>(classes.size());
        for (int i = 0; i < classes[c].count; ++i) {
            cv::Mat image(48, 48, CV_8UC1);
            for (int row = 0; row < 48; ++row) {
                const bool band = row >= band_top && row < band_bottom;
                for (int col = 0; col < 48; ++col)
                    image.at<std::uint8_t>(row, col) =
                        static_cast<std::uint8_t>((band ? 190 : 30) + noise(rng));
            }
            const std::string name =
                "face_" + std::string(i < 10 ? "0" : "") + std::to_string(i) + ".png";
            cv::imwrite((folder / name).string(), image);
        }
    }
}

// emotrace-train's options for a short run on `images` read as a CK+-style folder (split
// 80/10/10), one thread, no progress line.
inline std::vector<std::string> tinyTrainArguments(const std::filesystem::path& images,
                                                   const std::filesystem::path& out, int epochs,
                                                   int batch_size = 8,
                                                   const std::string& model = "mycnn_v1") {
    return {"--dataset",     "ckplus",
            "--ckplus",      images.string(),
            "--model",       model,
            "--epochs",      std::to_string(epochs),
            "--batch-size",  std::to_string(batch_size),
            "--threads",     "1",
            "--no-progress", "--out",
            out.string()};
}

// A one-epoch tiny run with its images, trained by emotrace-train into a temporary folder of
// its own: made once per test suite (SetUpTestSuite), since each program start costs about a
// second of loading LibTorch. Tests that change its files work on a copy (copyTo).
class TinyTrainedRun {
  public:
    TinyTrainedRun() {
        writeClassImageFolder(images());
        result_ =
            runProgram(EMOTRACE_TRAIN_BIN, dir_.path(), tinyTrainArguments(images(), "run", 1));
    }
    std::filesystem::path images() const { return dir_ / "images"; }
    // The --out folder: checkpoint.pt, log.csv, best_model.pt, test_report.txt, ...
    std::filesystem::path folder() const { return dir_ / "run"; }
    const CommandResult& result() const { return result_; }
    bool finished() const { return result_.exit_code == 0; }
    // The run's folder copied to `target` (which must not exist).
    void copyTo(const std::filesystem::path& target) const {
        std::filesystem::copy(folder(), target, std::filesystem::copy_options::recursive);
    }

  private:
    TempDir dir_;
    CommandResult result_;
};

inline std::vector<std::string> withArguments(std::vector<std::string> args,
                                              const std::vector<std::string>& more) {
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

inline std::vector<std::string> csvCells(const std::string& row) {
    std::vector<std::string> cells;
    std::istringstream in(row);
    for (std::string cell; std::getline(in, cell, ',');)
        cells.push_back(cell);
    return cells;
}

// The sum of the counts of a confusion-matrix CSV (header row and label column skipped).
inline long long confusionTotal(const std::filesystem::path& csv) {
    long long total = 0;
    const auto rows = lines(readFile(csv));
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const auto cells = csvCells(rows[r]);
        for (std::size_t c = 1; c < cells.size(); ++c)
            total += std::stoll(cells[c]);
    }
    return total;
}

// Whether `text` holds `part`; for EXPECT_TRUE with the text in the message.
inline bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// The size of a PNG (empty when it cannot be read).
inline cv::Size imageSize(const std::filesystem::path& png) {
    return cv::imread(png.string(), cv::IMREAD_UNCHANGED).size();
}

}  // namespace emotrace::test
