// Loaders for FER-2013 in the Kaggle csv layout (emotion,pixels,Usage) and for the FER+ crowd
// votes that relabel it (fer2013new.csv, row-aligned with fer2013.csv). Both read the unpacked
// csv (../shared/data/unpack.sh DEST) or the .csv.xz directly through `xz -dc`.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "emotrace/dataset.h"
#include "emotrace/load_report.h"

namespace emotrace {

// FER-2013's canonical split. The usual protocol: Training to train, PublicTest to validate,
// PrivateTest to test.
enum class Fer2013Usage { Training, PublicTest, PrivateTest };
std::string toString(Fer2013Usage usage);

struct Fer2013Options {
    std::filesystem::path csv{};  // fer2013.csv or fer2013.csv.xz
    // True: labels in the paper's 8 classes (paperLabels(), contempt unused); false: FER-2013's
    // own 7 classes in its order 0..6 (fer2013Labels()).
    bool paper_labels = true;
    bool strict = false;  // the first malformed row is an error instead of a skip
    std::size_t max_reported = 10;
};

struct Fer2013Data {
    Dataset dataset;  // file order; origin "fer2013.csv:LINE", no group (each image is its own)
    std::vector<Fer2013Usage> usage;  // per item
    std::vector<std::size_t> lines;   // per item: 1-based line in the file (the header is line 1)
    LoadReport report;
};

// Rows with a wrong pixel count, non-numbers, pixels outside 0..255, a label outside 0..6 or an
// unknown Usage are skipped and counted, the first max_reported named by line. A missing
// column, an unreadable file or a failed decompression is always an error (DatasetError).
Fer2013Data loadFer2013(const Fer2013Options& options);

enum class FerPlusVoteRule {
    // The class with the most votes; a tie between emotions drops the row.
    PluralityDropTies,
    // The class with the most votes; a tie goes to the class first in paperLabels() order.
    PluralityFirstInPaperOrder,
    // FER+'s "majority" mode: the top class needs more than half of all votes, else dropped.
    StrictMajority,
};

struct FerPlusOptions {
    std::filesystem::path fer2013_csv{};  // pixels: fer2013.csv or fer2013.csv.xz
    std::filesystem::path votes_csv{};    // fer2013new.csv (or .csv.xz)
    FerPlusVoteRule rule = FerPlusVoteRule::PluralityDropTies;
    bool strict = false;
    std::size_t max_reported = 10;
};

// FER-2013's pixels relabelled by the FER+ votes, in the paper's 8 classes (FER+ adds
// contempt). Rows where unknown or not-a-face (NF) has the most votes (a tie included), rows with
// no emotion votes and rows the vote rule rejects are dropped and counted in `dropped`; they are
// not malformed, so strict mode keeps going. Each kept item carries soft_label: its 8 emotion
// votes normalised to sum 1, in paperLabels() order.
struct FerPlusData {
    Fer2013Data data;         // data.report: the pixel file's rows
    LoadReport votes_report;  // the vote file's rows
    std::size_t dropped_unknown_or_not_face = 0;
    std::size_t dropped_no_votes = 0;
    std::size_t dropped_by_rule = 0;  // ties (PluralityDropTies) or no majority (StrictMajority)
};
FerPlusData loadFerPlus(const FerPlusOptions& options);
// The same from FER-2013 rows already loaded in the paper's labels (loadFer2013 with
// paper_labels) from options.fer2013_csv, so a caller that needs both reads the 300 MB pixel
// file once. Throws std::invalid_argument when `pixels` are not in the paper's labels.
FerPlusData relabelByFerPlusVotes(Fer2013Data pixels, const FerPlusOptions& options);

// Annotator-informed targets: each item of `fer2013` (paper labels) whose row `votes` kept gets
// soft_label = (1 - mix) x one-hot(its own FER-2013 label) + mix x the FER+ vote distribution.
// FER-2013's label stays the label (accuracy is still measured against it); the votes spread
// the rest of the target over what ten annotators saw, contempt included, instead of spreading
// it evenly as label smoothing does. Rows FER+ dropped (unknown, not a face) keep no soft label,
// so they train on the one-hot label. Rows are matched by their line in fer2013.csv. Returns how
// many items got a target. Throws std::invalid_argument for a mix outside [0, 1] or data not in
// the paper's labels.
std::size_t blendFerPlusVotes(Fer2013Data& fer2013, const FerPlusData& votes, double mix);

// FER-2013 has no contempt class, so the only contempt faces a model of the paper's 8 classes
// sees are CK+'s few posed ones. FER+'s ten annotators found contempt in some FER-2013 faces:
// each Training item of `fer2013` (paper labels) whose FER+ votes give contempt strictly more
// votes than any other emotion is moved to contempt. PublicTest and PrivateTest items keep
// FER-2013's label, so validation and test measure against the same labels as before. Call it
// before blendFerPlusVotes, so a blended target centres on contempt. Returns how many moved.
// Throws std::invalid_argument for data not in the paper's labels.
std::size_t adoptFerPlusContempt(Fer2013Data& fer2013, const FerPlusData& votes);

}  // namespace emotrace
