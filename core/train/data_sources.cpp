#include "emotrace/train/data_sources.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <ostream>
#include <random>
#include <sstream>

#include <opencv2/imgcodecs.hpp>

#include "emotrace/error.h"
#include "emotrace/fer2013.h"
#include "emotrace/image_folder.h"
#include "emotrace/load_report.h"
#include "emotrace/recrop.h"
#include "emotrace/train/distillation.h"
#include "emotrace/splits.h"

namespace emotrace::train {

namespace {

namespace fs = std::filesystem;

// The first path that exists; the last one is named in the error when none does.
fs::path firstExisting(const std::vector<fs::path>& candidates, const std::string& what,
                       const std::string& option) {
    for (const auto& path : candidates) {
        if (fs::exists(path))
            return path;
    }
    std::string tried;
    for (const auto& path : candidates)
        tried += (tried.empty() ? "" : ", ") + path.string();
    throw DatasetError(what + " not found (tried " + tried + "): pass " + option +
                       " or unpack the data with ../shared/data/unpack.sh ../cache/data");
}

fs::path fer2013Path(const DataSources& s) {
    if (!s.fer2013_csv.empty())
        return s.fer2013_csv;
    return firstExisting(
        {s.cache / "fer2013" / "fer2013.csv", s.shared_data / "fer2013" / "fer2013.csv.xz"},
        "FER-2013 csv", "--fer2013 FILE");
}

fs::path ferPlusPath(const DataSources& s) {
    if (!s.ferplus_csv.empty())
        return s.ferplus_csv;
    return firstExisting(
        {s.cache / "fer2013" / "fer2013new.csv", s.shared_data / "fer2013" / "fer2013new.csv"},
        "FER+ vote file", "--ferplus FILE");
}

fs::path ckPlusPath(const DataSources& s) {
    if (!s.ckplus_dir.empty())
        return s.ckplus_dir;
    return firstExisting({s.cache / "CK+48"}, "CK+48 folder (one folder per class)",
                         "--ckplus DIR");
}

void report(std::ostream& log, const LoadReport& loaded) {
    log << loaded.summary() << '\n';
}

// The votes for FER-2013 rows already loaded (`pixels`, a copy: the images are shared, not
// duplicated), so the pixel file is read once.
FerPlusData loadVotes(const DataSources& s, Fer2013Data pixels, std::ostream& log) {
    FerPlusOptions options;
    options.fer2013_csv = fer2013Path(s);
    options.votes_csv = ferPlusPath(s);
    options.strict = s.strict;
    // Ties keep their row: only the vote distribution is used, not the winning label.
    options.rule = FerPlusVoteRule::PluralityFirstInPaperOrder;
    auto plus = relabelByFerPlusVotes(std::move(pixels), options);
    report(log, plus.votes_report);
    return plus;
}

Fer2013Data loadFer(const DataSources& s, std::ostream& log) {
    Fer2013Options options;
    options.csv = fer2013Path(s);
    options.strict = s.strict;
    auto data = loadFer2013(options);
    report(log, data.report);
    if (s.ferplus_mix <= 0.0 && !s.ferplus_contempt)
        return data;
    const auto votes = loadVotes(s, data, log);
    if (s.ferplus_contempt) {
        const auto moved = adoptFerPlusContempt(data, votes);
        log << moved << " FER-2013 training faces moved to contempt (FER+ annotators' plurality)\n";
    }
    if (s.ferplus_mix > 0.0) {
        const auto blended = blendFerPlusVotes(data, votes, s.ferplus_mix);
        log << "FER+ votes blended into " << blended << " of " << data.dataset.items.size()
            << " FER-2013 targets (mix " << s.ferplus_mix << ")\n";
    }
    return data;
}

// Validation and test measure against the hard labels; their targets are never used.
void dropSoftLabels(Dataset& data) {
    for (auto& item : data.items)
        item.soft_label.clear();
}

Dataset loadCkPlus(const DataSources& s, std::ostream& log) {
    ImageFolderOptions options;
    options.root = ckPlusPath(s);
    options.strict = s.strict;
    auto data = loadImageFolder(options);
    report(log, data.report);
    return std::move(data.dataset);
}

std::string levellingNote(const CropOptions& crop) {
    if (!crop.level_eyes)
        return " without levelling the eyes";
    const char* fully = crop.level_tilted_fully ? " (fully, for the tilted-face model)" : "";
    if (crop.level_beyond_degrees == CropOptions{}.level_beyond_degrees)
        return crop.level_tilted_fully ? std::string(" levelling tilted faces") + fully : "";
    std::ostringstream note;
    note << " levelling the eyes beyond " << crop.level_beyond_degrees << " degrees" << fully;
    return note.str();
}

// Each split through the app's detection and crop; the description's note on it.
std::string throughPipeline(PreparedData& data, const std::vector<std::string>& names,
                            const PictureDegradation& degradation, const DataSources& s,
                            std::ostream& log) {
    RecropOptions options;
    options.degradation = degradation;
    options.crop.level_eyes = !s.unlevelled;
    options.crop.level_beyond_degrees = s.level_beyond_degrees;
    options.crop.level_tilted_fully = s.level_tilted_fully;
    std::ofstream index;
    std::string current_split;
    const std::vector<std::string>* current_labels = nullptr;
    std::size_t written = 0;
    if (!s.write_pictures.empty()) {
        std::filesystem::create_directories(s.write_pictures);
        const auto index_path = std::filesystem::path(s.write_pictures) / "pictures.csv";
        index.open(index_path);
        if (!index)
            throw OutputError("cannot write " + index_path.string());
        index << "file,split,label,origin\n";
        options.picture_sink = [&](const cv::Mat& picture, const LabeledImage& item) {
            const std::string file = current_split + "-" + std::to_string(written++) + ".pgm";
            const auto path = std::filesystem::path(s.write_pictures) / file;
            if (!cv::imwrite(path.string(), picture))
                throw OutputError("cannot write the picture " + path.string());
            // Origins are paths or "fer2013.csv:N": no commas to quote.
            index << file << ',' << current_split << ','
                  << current_labels->at(static_cast<std::size_t>(item.label)) << ',' << item.origin
                  << '\n';
        };
    }
    std::size_t missed = 0;
    std::string done;
    const std::pair<const char*, Dataset*> splits[] = {
        {"train", &data.train}, {"validation", &data.validation}, {"test", &data.test}};
    for (const auto& [name, split] : splits) {
        if (split->items.empty() || std::find(names.begin(), names.end(), name) == names.end())
            continue;
        done += (done.empty() ? "" : ", ") + std::string(name);
        if (!options.detector)
            options.detector = createFaceDetector(options.detector_options);
        current_split = name;
        current_labels = &split->labels;
        options.random_tilt_degrees = std::string(name) == "train" ? s.train_tilt_degrees : 0.0;
        options.tilt_seed = s.split_seed + 5;
        const std::size_t before = split->items.size();
        const auto result = recropThroughPipeline(*split, options);
        missed += result.without_face.size();
        log << name << " through the app's detection and crop: " << result.recropped << " of "
            << before << " faces found";
        for (std::size_t i = 0; i < result.without_face.size() && i < 3; ++i)
            log << (i == 0 ? "; no face in " : ", ") << result.without_face[i];
        if (result.without_face.size() > 3)
            log << " and " << result.without_face.size() - 3 << " more";
        log << '\n';
    }
    if (done.empty())
        return {};
    const std::string degraded =
        degradation.kind == PictureDegradation::Kind::None
            ? ""
            : ", each picture degraded (" + toString(degradation) + ") before detection";
    std::string tilted;
    if (s.train_tilt_degrees > 0.0 &&
        std::find(names.begin(), names.end(), "train") != names.end() &&
        !data.train.items.empty()) {
        std::ostringstream note;
        note << ", each training picture tilted by up to " << s.train_tilt_degrees
             << " degrees either way before detection";
        tilted = note.str();
    }
    return ", " + done + " through the app's face detection and crop" +
           levellingNote(options.crop) + degraded + tilted + " (" + std::to_string(missed) +
           " faces without a detection left out)";
}

// Appends copies of the indices >= `first` so that each appears `times` times; the number of
// such indices.
std::size_t repeatItemsFrom(std::vector<std::size_t>& indices, std::size_t first,
                            std::size_t times) {
    std::vector<std::size_t> chosen;
    for (std::size_t index : indices) {
        if (index >= first)
            chosen.push_back(index);
    }
    for (std::size_t copy = 1; copy < times; ++copy)
        indices.insert(indices.end(), chosen.begin(), chosen.end());
    return chosen.size();
}

PreparedData fromSplit(const Dataset& all, const Split& split) {
    return {subset(all, split.train), subset(all, split.validation), subset(all, split.test), {}};
}

std::string counts(const PreparedData& d) {
    return "train " + std::to_string(d.train.items.size()) + ", validation " +
           std::to_string(d.validation.items.size()) + ", test " +
           std::to_string(d.test.items.size());
}

}  // namespace

void addDataOptions(CLI::App& app, DataSources& s) {
    const std::string group = "data";
    app.add_option("--dataset", s.dataset,
                   "fer2013 | ferplus | ckplus | combined (default: combined, the paper's "
                   "FER-2013 + CK+48 in 8 classes) | folder (with --images DIR)")
        ->check(CLI::IsMember({"fer2013", "ferplus", "ckplus", "combined", "folder"}))
        ->group(group);
    app.add_option("--images", s.images_dir,
                   "with --dataset folder: face pictures, one folder per class named by class "
                   "(anger, happy, ...); photos go through the app's face detection and crop. "
                   "All of them form the test split (evaluation only)")
        ->group(group);
    app.add_option("--fer2013", s.fer2013_csv,
                   "fer2013.csv or .csv.xz (default: ../cache/data/fer2013/fer2013.csv, else "
                   "../shared/data/fer2013/fer2013.csv.xz)")
        ->group(group);
    app.add_option("--ferplus", s.ferplus_csv,
                   "FER+ votes fer2013new.csv (default: beside the cache or shared data)")
        ->group(group);
    app.add_option("--ckplus", s.ckplus_dir,
                   "CK+48 folder, one folder per class (default: ../cache/data/CK+48; make it "
                   "with ../shared/data/unpack.sh ../cache/data)")
        ->group(group);
    app.add_option("--data", s.shared_data, "the shared data folder (default: ../shared/data)")
        ->group(group);
    app.add_option("--data-cache", s.cache, "the unpacked cache (default: ../cache/data)")
        ->group(group);
    app.add_flag("--strict", s.strict,
                 "stop at the first malformed row or image instead of skipping it")
        ->group(group);
    app.add_option("--split-seed", s.split_seed, "seed of CK+'s subject split (default 0)")
        ->group(group);
    app.add_option("--max-train-items", s.max_train_items,
                   "train on a seeded random subset of N items (quick checks)")
        ->group(group);
    app.add_option("--max-eval-items", s.max_eval_items, "the same for validation and test")
        ->group(group);
    app.add_option("--ferplus-mix", s.ferplus_mix,
                   "train FER-2013 images (fer2013, combined) towards (1 - A) x their label + A "
                   "x their FER+ vote distribution (needs the FER+ votes); validation and test "
                   "keep FER-2013's labels (default 0: off)")
        ->check(CLI::Range(0.0, 1.0))
        ->group(group);
    app.add_flag("--ferplus-contempt", s.ferplus_contempt,
                 "train FER-2013 training images whose FER+ votes make contempt the plurality "
                 "as contempt (FER-2013 has no contempt class; 162 faces); validation and test "
                 "keep FER-2013's labels (default: off)")
        ->group(group);
    app.add_option("--ckplus-repeat", s.ckplus_repeat,
                   "with --dataset combined: each CK+ training frame appears N times per "
                   "epoch, each copy augmented on its own (the posed faces and the only "
                   "contempt weigh more); validation and test unchanged (default 1)")
        ->check(CLI::Range(1, 100))
        ->group(group);
    app.add_flag("--through-pipeline", s.through_pipeline,
                 "every split's crops are enlarged 4x and go through the app's face detection "
                 "(YuNet) and crop, as a photo would: the faces as the app frames them; faces "
                 "without a detection are left out and counted")
        ->group(group);
    app.add_option("--degrade", s.degrade,
                   "with --through-pipeline: degrade each enlarged picture before detection, as "
                   "a call does: rotate:DEGREES (turned in the image plane), shrink:PIXELS (a "
                   "face that small on the picture), blur:SIGMA (Gaussian, in enlarged pixels); "
                   "default none")
        ->group(group);
    app.add_flag("--unlevelled", s.unlevelled,
                 "with --through-pipeline: crop the detector's box as it is, without turning "
                 "it to level the eyes (the app's crop before it used the landmarks), to "
                 "measure what levelling does")
        ->group(group);
    app.add_option("--write-pictures", s.write_pictures,
                   "with --through-pipeline: write each enlarged, degraded picture the detector "
                   "is given into this folder (8-bit PGM, listed in pictures.csv with split and "
                   "label), to score another program on the same pictures (tools/peer/)")
        ->group(group);
    app.add_option("--level-eyes-beyond", s.level_beyond_degrees,
                   "with --through-pipeline: the tilt in degrees the app's crop leaves as it is; "
                   "beyond it the crop is turned back to it (default 10, the app's; 0 levels "
                   "every face fully)")
        ->check(CLI::Range(0.0, 90.0))
        ->group(group);
    app.add_option("--distill-from", s.distill_from,
                   "emotrace-train: blend each training target with this model's readings of the "
                   "training images as the dataset frames them (flip-averaged), before "
                   "--through-pipeline re-frames them: the student keeps the teacher's class "
                   "balance while it learns the app's framing; validation and test keep their "
                   "labels")
        ->group(group);
    app.add_option("--distill-mix", s.distill_mix,
                   "with --distill-from: the teacher's share of each training target (default "
                   "0.5)")
        ->check(CLI::Range(0.0, 1.0))
        ->group(group);
    app.add_option("--train-tilt", s.train_tilt_degrees,
                   "with --through-pipeline: turn each training picture by its own angle drawn "
                   "evenly from +-DEGREES before detection, as heads lean in a call, so the "
                   "model learns tilted faces as the app's crop frames them; validation and test "
                   "stay upright (default 0)")
        ->check(CLI::Range(0.0, 90.0))
        ->group(group);
}

Dataset randomSubset(const Dataset& data, std::size_t count, std::uint64_t seed) {
    if (count == 0 || count >= data.items.size())
        return data;
    std::vector<std::size_t> indices(data.items.size());
    std::iota(indices.begin(), indices.end(), std::size_t{0});
    std::mt19937 rng(static_cast<std::uint32_t>(seed ^ (seed >> 32)));
    std::shuffle(indices.begin(), indices.end(), rng);
    indices.resize(count);
    std::sort(indices.begin(), indices.end());
    return subset(data, indices);
}

PreparedData prepareData(const DataSources& s, std::ostream& log) {
    if (!s.images_dir.empty() && s.dataset != "folder")
        throw UsageError("--images is for --dataset folder, got --dataset '" + s.dataset + "'");
    if (s.ferplus_mix > 0.0 && s.dataset != "fer2013" && s.dataset != "combined")
        throw UsageError(
            "--ferplus-mix blends FER+ votes into FER-2013's labels: it needs "
            "--dataset fer2013 or combined, got '" +
            s.dataset + "'");
    if (s.ferplus_contempt && s.dataset != "fer2013" && s.dataset != "combined")
        throw UsageError(
            "--ferplus-contempt relabels FER-2013 training faces: it needs "
            "--dataset fer2013 or combined, got '" +
            s.dataset + "'");
    if (!s.degrade.empty() && s.degrade != "none" && !s.through_pipeline)
        throw UsageError(
            "--degrade changes the pictures the app's detection sees: it needs "
            "--through-pipeline");
    try {
        parseDegradation(s.degrade);  // a malformed value fails before the data are loaded
    } catch (const Error& e) {
        throw UsageError(e.what());
    }
    if (s.level_beyond_degrees != CropOptions{}.level_beyond_degrees && !s.through_pipeline)
        throw UsageError(
            "--level-eyes-beyond changes the app's crop of a detected face: it needs "
            "--through-pipeline");
    if (s.distill_mix != DataSources{}.distill_mix && s.distill_from.empty())
        throw UsageError(
            "--distill-mix is the share of --distill-from's readings: it needs "
            "--distill-from MODEL");
    if (!s.distill_from.empty() && !(s.distill_mix > 0.0))
        throw UsageError("--distill-mix must be above 0 with --distill-from, got " +
                         std::to_string(s.distill_mix));
    if (!s.distill_from.empty() && !std::filesystem::is_regular_file(s.distill_from))
        throw UsageError("--distill-from: expected an emotrace model file, found no file at " +
                         s.distill_from.string());
    if (s.train_tilt_degrees > 0.0 && !s.through_pipeline)
        throw UsageError(
            "--train-tilt turns the pictures the app's detection sees: it needs "
            "--through-pipeline");
    if (!s.write_pictures.empty() && !s.through_pipeline)
        throw UsageError(
            "--write-pictures writes the pictures the app's detection is given: it "
            "needs --through-pipeline");
    if (s.unlevelled && !s.through_pipeline)
        throw UsageError(
            "--unlevelled changes the app's crop of a detected face: it needs "
            "--through-pipeline");
    if (s.ckplus_repeat > 1 && s.dataset != "combined")
        throw UsageError(
            "--ckplus-repeat repeats CK+'s training frames within the combined set: it needs "
            "--dataset combined, got '" +
            s.dataset + "'");
    PreparedData data;
    if (s.dataset == "fer2013") {
        const auto fer = loadFer(s, log);
        data = fromSplit(fer.dataset, fer2013CanonicalSplit(fer));
        data.description = "FER-2013 (" + fer2013Path(s).filename().string() +
                           ", canonical Training/PublicTest/PrivateTest split)";
    } else if (s.dataset == "ferplus") {
        FerPlusOptions options;
        options.fer2013_csv = fer2013Path(s);
        options.votes_csv = ferPlusPath(s);
        options.strict = s.strict;
        const auto plus = loadFerPlus(options);
        report(log, plus.data.report);
        log << "FER+: dropped " << plus.dropped_unknown_or_not_face << " unknown/not-a-face, "
            << plus.dropped_no_votes << " without votes, " << plus.dropped_by_rule
            << " by the vote rule\n";
        data = fromSplit(plus.data.dataset, fer2013CanonicalSplit(plus.data));
        data.description = "FER+ majority labels with vote distributions (canonical split)";
    } else if (s.dataset == "folder") {
        if (s.images_dir.empty())
            throw UsageError(
                "--dataset folder needs --images DIR: a folder with one sub-folder of face "
                "pictures per class");
        ImageFolderOptions options;
        options.root = s.images_dir;
        options.strict = s.strict;
        auto folder = loadImageFolder(options);
        report(log, folder.report);
        if (folder.faces_cropped > 0)
            log << folder.faces_cropped
                << " pictures larger than the model's input went through face detection and "
                   "crop\n";
        data.test = std::move(folder.dataset);
        data.train.labels = data.test.labels;
        data.validation.labels = data.test.labels;
        data.description = s.images_dir.string() + ", all images as the test split";
    } else if (s.dataset == "ckplus") {
        const auto ck = loadCkPlus(s, log);
        data = fromSplit(ck, stratifiedGroupSplit(ck, {}, s.split_seed));
        data.description =
            "CK+48 split 80/10/10 by subject (seed " + std::to_string(s.split_seed) + ")";
    } else {
        const auto fer = loadFer(s, log);
        const auto ck = loadCkPlus(s, log);
        auto combined = combineFer2013AndCkPlus(fer, ck, {}, s.split_seed);
        const std::size_t repeated =
            repeatItemsFrom(combined.split.train, combined.fer2013_items, s.ckplus_repeat);
        data = fromSplit(combined.dataset, combined.split);
        data.description =
            "combined FER-2013 + CK+48 in 8 classes (FER-2013 canonical split, "
            "CK+ 80/10/10 by subject, seed " +
            std::to_string(s.split_seed) + ")";
        if (s.ckplus_repeat > 1) {
            log << repeated << " CK+ training frames appear " << s.ckplus_repeat << " times each\n";
            data.description += ", each of the " + std::to_string(repeated) +
                                " CK+ training frames " + std::to_string(s.ckplus_repeat) +
                                " times";
        }
    }
    if (s.ferplus_mix > 0.0) {
        dropSoftLabels(data.validation);
        dropSoftLabels(data.test);
        std::ostringstream mix;
        mix << s.ferplus_mix;
        data.description +=
            ", FER-2013 training targets blended with FER+ votes (mix " + mix.str() + ")";
    }
    if (s.ferplus_contempt)
        data.description += ", FER+ contempt faces trained as contempt";
    data.train = randomSubset(data.train, s.max_train_items, s.split_seed + 1);
    data.validation = randomSubset(data.validation, s.max_eval_items, s.split_seed + 2);
    data.test = randomSubset(data.test, s.max_eval_items, s.split_seed + 3);
    if (s.max_train_items > 0 || s.max_eval_items > 0)
        data.description += ", random subset";
    if (!s.distill_from.empty()) {
        // Before any re-framing: the teacher reads the faces as it was trained to.
        const auto blended =
            blendTeacherPredictions(data.train, s.distill_from, s.distill_mix, s.teacher_threads);
        std::ostringstream note;
        note << ", training targets blended with " << s.distill_from.filename().string()
             << "'s readings of the dataset's own crops (mix " << s.distill_mix << ")";
        log << blended << " training targets blended with " << s.distill_from.string()
            << "'s readings (mix " << s.distill_mix << ")\n";
        data.description += note.str();
    }
    if (s.through_pipeline)
        data.description +=
            throughPipeline(data, s.pipeline_splits, parseDegradation(s.degrade), s, log);
    data.description += ": " + counts(data);
    return data;
}

}  // namespace emotrace::train
