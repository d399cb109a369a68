// Loader for image-folder datasets: one sub-folder per class (CK+48/anger/S010_004_00000017.png).
// 48x48 crops are used as they are; larger images (ordinary photos) go through the live app's
// face detection and crop, so any folder of face pictures can be trained on.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include "emotrace/dataset.h"
#include "emotrace/face_detector.h"
#include "emotrace/load_report.h"
#include "emotrace/preprocess.h"

namespace emotrace {

struct ImageFolderOptions {
    std::filesystem::path root{};  // holds one folder per class
    // True: folder names are mapped onto paperLabels() (label_map.h) and an unknown name is a
    // problem; false: the labels are the folder names in sorted order, taken as they are.
    bool paper_labels = true;
    bool strict = false;  // the first problem (bad image, empty or unknown folder) is an error
    std::size_t max_reported = 10;
    // For images larger than crop.size: the live app's defaults. The detector is created on the
    // first large image, so folders of crops need no detector model. `detector` overrides it.
    DetectorOptions detector_options{};
    std::shared_ptr<FaceDetector> detector{};
    CropOptions crop{};
};

struct ImageFolderData {
    // Items sorted by class folder, then file name. origin "<root name>/<class>/<file>";
    // group: the CK+ subject ("S010") for names S<subject>_<sequence>_<frame>.png, else empty.
    Dataset dataset;
    LoadReport report;
    std::size_t faces_cropped = 0;  // large images that went through detection and crop
};

// Unreadable or empty files and large images without a face are skipped and counted, the first
// max_reported named. A missing root or a root without class folders is always an error.
ImageFolderData loadImageFolder(const ImageFolderOptions& options);

// "S010" for a CK+ file name "S010_004_00000017.png"; empty for other names.
std::string ckPlusSubject(const std::string& file_name);

}  // namespace emotrace
