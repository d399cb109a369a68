// Where the training tools take their data from, and the train / validation / test parts that
// go with each dataset: FER-2013 and FER+ with FER-2013's canonical split, CK+48 split by
// subject, the paper's combined FER-2013 + CK+ set, and any folder of labelled face pictures as
// a test set. Paths default to an unpacked cache
// (../cache/data, from ../shared/data/unpack.sh) and fall back to ../shared/data itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "emotrace/dataset.h"
#include "emotrace/preprocess.h"
#include "emotrace/train/arguments.h"

namespace CLI {
class App;
}

namespace emotrace::train {

struct DataSources {
    std::string dataset = "combined";   // fer2013 | ferplus | ckplus | combined | folder
    std::filesystem::path fer2013_csv;  // empty: the default below
    std::filesystem::path ferplus_csv;
    std::filesystem::path ckplus_dir;
    // --dataset folder: a folder of face pictures, one sub-folder per class (any size: photos
    // go through the app's face detection and crop). All of it is the test split: a dataset
    // the model has never seen, for evaluation only.
    std::filesystem::path images_dir;
    std::filesystem::path shared_data = "../shared/data";
    std::filesystem::path cache = "../cache/data";
    bool strict = false;              // a malformed row or image is an error, not a skip
    std::uint64_t split_seed = 0;     // CK+'s subject split
    std::size_t max_train_items = 0;  // 0: all; else a seeded random subset (quick checks)
    std::size_t max_eval_items = 0;   // the same for validation and test
    // > 0 (fer2013 and combined): FER-2013's training targets become (1 - mix) x one-hot +
    // mix x the FER+ votes (blendFerPlusVotes); validation and test keep their hard labels.
    double ferplus_mix = 0.0;
    // fer2013 and combined: FER-2013 training faces whose FER+ votes make contempt the
    // plurality train as contempt (adoptFerPlusContempt); validation and test keep their labels.
    bool ferplus_contempt = false;
    // combined: each CK+ training frame appears this many times per epoch (1: once). CK+ is
    // about 3 % of the combined training set but the only posed faces and the only source of
    // contempt; a repeat gives the posed domain more weight without touching validation or
    // test. Each copy gets its own augmentation.
    std::size_t ckplus_repeat = 1;
    // Every split's crops are enlarged and go through the app's face detection and crop
    // (recropThroughPipeline): the faces as the app frames them. Faces without a detection are
    // left out and counted.
    bool through_pipeline = false;
    // With through_pipeline: each enlarged picture degraded before detection (parseDegradation:
    // "rotate:20", "shrink:32", "blur:4"; empty or "none": as it is).
    std::string degrade;
    // With through_pipeline: crop the detector's box without levelling the eyes (the app's crop
    // before it used the landmarks), to measure what levelling does.
    bool unlevelled = false;
    // With through_pipeline: the tilt the app's crop leaves as it is (CropOptions::
    // level_beyond_degrees; 0 levels every face fully).
    float level_beyond_degrees = CropOptions{}.level_beyond_degrees;
    // With through_pipeline: beyond the band, level the face fully (CropOptions::
    // level_tilted_fully), as the app does for a model with a companion for tilted faces.
    // Set by emotrace-evaluate when it reads with one; not an option of its own.
    bool level_tilted_fully = false;
    // With through_pipeline, > 0: each *training* picture is turned by its own angle drawn
    // evenly from +-train_tilt_degrees before detection (RecropOptions::random_tilt_degrees), so
    // that the model learns tilted heads as the app's crop frames them; validation and test
    // stay as they are.
    double train_tilt_degrees = 0.0;
    // Non-empty: each training target is blended with this model's readings of the training
    // images as the dataset frames them, before any re-framing (blendTeacherPredictions; for
    // emotrace-train only), by distill_mix. Validation and test keep their labels.
    std::filesystem::path distill_from;
    double distill_mix = 0.5;
    int teacher_threads = 2;  // the tool's --threads
    // With through_pipeline: a folder to write each enlarged, degraded picture into (PGM, with
    // pictures.csv naming its file, split and label), for scoring a peer on the same pictures.
    std::string write_pictures;
    // The splits it applies to (emotrace-evaluate narrows it to the split it scores: detection
    // costs about 3 ms a face here).
    std::vector<std::string> pipeline_splits{"train", "validation", "test"};
};

// Declares the data options (--dataset, --fer2013, --ferplus, --ckplus, --images, --data,
// --data-cache, --strict, --split-seed, --max-train-items, --max-eval-items, --ferplus-mix,
// --ferplus-contempt, --ckplus-repeat, --through-pipeline, --degrade, --unlevelled,
// --level-eyes-beyond, --train-tilt, --distill-from, --distill-mix) on `app`, in its "data" group,
// bound to `sources`, which must outlive the parse.
void addDataOptions(CLI::App& app, DataSources& sources);

struct PreparedData {
    Dataset train;
    Dataset validation;
    Dataset test;
    std::string description;  // "combined FER-2013 + CK+48 (train 29493, validation 3687, ...)"
};

// Loads and splits; the loaders' reports (skipped rows and why) go to `log`. Throws
// DatasetError / UsageError naming a missing file and how to get it.
PreparedData prepareData(const DataSources& sources, std::ostream& log);

// A seeded random subset of at most `count` items (all when count is 0 or larger).
Dataset randomSubset(const Dataset& data, std::size_t count, std::uint64_t seed);

}  // namespace emotrace::train
