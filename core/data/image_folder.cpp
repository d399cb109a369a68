#include "emotrace/image_folder.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <regex>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "emotrace/label_map.h"
#include "emotrace/model_info.h"

namespace emotrace {

namespace {

namespace fs = std::filesystem;

bool isHidden(const fs::path& path) {
    return path.filename().string().rfind('.', 0) == 0;
}

std::vector<fs::path> sortedEntries(const fs::path& folder, bool directories) {
    std::vector<fs::path> entries;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (isHidden(entry.path()))
            continue;
        if (directories ? entry.is_directory() : entry.is_regular_file())
            entries.push_back(entry.path());
    }
    std::sort(entries.begin(), entries.end());
    return entries;
}

std::vector<uchar> readBytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Loads folders of one dataset; keeps the detector it creates for the next large image.
class FolderLoader {
  public:
    explicit FolderLoader(const ImageFolderOptions& options)
        : options_(options), detector_(options.detector) {}

    // An 8-bit grey crop of options.crop.size, or an empty Mat after reporting why.
    cv::Mat load(const fs::path& file, const std::string& where, ImageFolderData& data) {
        const std::vector<uchar> bytes = readBytes(file);
        if (bytes.empty()) {
            data.report.skip("empty file", where + ": empty file");
            return {};
        }
        const cv::Mat bgr = cv::imdecode(bytes, cv::IMREAD_COLOR);
        if (bgr.empty()) {
            data.report.skip("unreadable image", where + ": not a readable image (" +
                                                     std::to_string(bytes.size()) + " bytes)");
            return {};
        }
        const cv::Size size = options_.crop.size;
        if (bgr.cols <= size.width && bgr.rows <= size.height)
            return asCrop(bgr);
        return detectAndCrop(bgr, where, data);
    }

  private:
    cv::Mat asCrop(const cv::Mat& bgr) const {
        cv::Mat grey;
        cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
        if (grey.size() != options_.crop.size)
            cv::resize(grey, grey, options_.crop.size, 0, 0, cv::INTER_LINEAR);
        return grey;
    }

    cv::Mat detectAndCrop(const cv::Mat& bgr, const std::string& where, ImageFolderData& data) {
        if (!detector_)
            detector_ = createFaceDetector(options_.detector_options);
        const std::vector<Detection> faces = detector_->detect(bgr);
        if (faces.empty()) {
            data.report.skip("no face found", where + ": no face found in the " +
                                                  std::to_string(bgr.cols) + "x" +
                                                  std::to_string(bgr.rows) + " image");
            return {};
        }
        const cv::Mat crop =
            cropFace(bgr, faces.front().box, options_.crop, faces.front().landmarks);
        if (crop.empty()) {
            data.report.skip("no face found", where + ": the detected face lies outside the image");
            return {};
        }
        cv::Mat grey;
        crop.convertTo(grey, CV_8U, 255.0);
        ++data.faces_cropped;
        return grey;
    }

    const ImageFolderOptions& options_;
    std::shared_ptr<FaceDetector> detector_;
};

}  // namespace

std::string ckPlusSubject(const std::string& file_name) {
    static const std::regex pattern(R"((S\d+)_\d+_\d+\.[A-Za-z]+)");
    std::smatch match;
    return std::regex_match(file_name, match, pattern) ? match[1].str() : std::string();
}

ImageFolderData loadImageFolder(const ImageFolderOptions& options) {
    std::error_code error;
    if (!fs::is_directory(options.root, error)) {
        throw DatasetError("image folder not found: " + options.root.string() +
                           " (expected a folder with one sub-folder per class)");
    }
    const std::vector<fs::path> class_folders = sortedEntries(options.root, true);
    if (class_folders.empty()) {
        throw DatasetError(options.root.string() +
                           " has no class folders; expected one sub-folder per class, such as "
                           "anger/ and happy/");
    }
    ImageFolderData data;
    data.report = LoadReport(options.root.string(), options.strict, options.max_reported);
    const std::string root_name = options.root.filename().empty()
                                      ? options.root.parent_path().filename().string()
                                      : options.root.filename().string();
    if (options.paper_labels) {
        data.dataset.labels = paperLabels();
    } else {
        for (const auto& folder : class_folders)
            data.dataset.labels.push_back(folder.filename().string());
    }

    FolderLoader loader(options);
    for (std::size_t c = 0; c < class_folders.size(); ++c) {
        const std::string class_name = class_folders[c].filename().string();
        const std::string folder_where = root_name + "/" + class_name;
        int label = static_cast<int>(c);
        if (options.paper_labels) {
            try {
                label = paperLabelIndex(class_name);
            } catch (const DatasetError& unknown) {
                data.report.warn(folder_where + ": folder skipped, " + unknown.what());
                continue;
            }
        }
        const std::vector<fs::path> files = sortedEntries(class_folders[c], false);
        if (files.empty()) {
            data.report.warn(folder_where + ": empty class folder");
            continue;
        }
        for (const auto& file : files) {
            const std::string name = file.filename().string();
            const std::string where = folder_where + "/" + name;
            cv::Mat image = loader.load(file, where, data);
            if (image.empty())
                continue;
            LabeledImage item;
            item.image = std::move(image);
            item.label = label;
            item.group = ckPlusSubject(name);
            item.origin = where;
            data.dataset.items.push_back(std::move(item));
            data.report.addLoaded();
        }
    }
    return data;
}

}  // namespace emotrace
