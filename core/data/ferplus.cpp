// FER+ relabelling of FER-2013: votes of ten annotators per image, row-aligned with fer2013.csv.
#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "emotrace/csv_lines.h"
#include "emotrace/fer2013.h"
#include "emotrace/label_map.h"
#include "emotrace/model_info.h"

namespace emotrace {

namespace {

constexpr std::size_t kEmotions = 8;
// File columns after the emotions: unknown, NF (not a face).
constexpr std::size_t kVoteColumns = kEmotions + 2;

struct VoteColumns {
    int usage = -1;
    std::array<int, kVoteColumns> votes{};  // file column of each vote, in ferPlusEmotionColumns()
                                            // order, then unknown, NF
};

VoteColumns findVoteColumns(const std::vector<std::string_view>& header, const std::string& file) {
    VoteColumns columns;
    columns.usage = csv::findColumn(header, "Usage");
    std::vector<std::string> names = ferPlusEmotionColumns();
    names.push_back("unknown");
    names.push_back("NF");
    for (std::size_t i = 0; i < kVoteColumns; ++i)
        columns.votes[i] = csv::findColumn(header, names[i]);
    bool complete = columns.usage >= 0;
    for (int column : columns.votes)
        complete = complete && column >= 0;
    if (!complete) {
        throw DatasetError(file +
                           ": expected the FER+ header Usage,Image name,neutral,happiness,"
                           "surprise,sadness,anger,disgust,fear,contempt,unknown,NF, found '" +
                           csv::joinFields(header) + "'");
    }
    return columns;
}

bool parseVote(std::string_view text, int& vote) {
    const auto parsed = std::from_chars(text.data(), text.data() + text.size(), vote);
    return parsed.ec == std::errc() && parsed.ptr == text.data() + text.size() && vote >= 0;
}

enum class Verdict { Keep, UnknownOrNotFace, NoVotes, RejectedByRule };

// Applies the vote rule; on Keep, `label` is the paper index of the winning class.
Verdict decide(const std::array<int, kVoteColumns>& votes, const std::vector<int>& paper_index,
               FerPlusVoteRule rule, int& label) {
    int total = 0;
    int top = 0;
    for (int vote : votes) {
        total += vote;
        top = std::max(top, vote);
    }
    if (total == 0)
        return Verdict::NoVotes;
    if (votes[kEmotions] == top || votes[kEmotions + 1] == top)
        return Verdict::UnknownOrNotFace;
    int winners = 0;
    label = static_cast<int>(paperLabels().size());
    for (std::size_t i = 0; i < kEmotions; ++i) {
        if (votes[i] == top) {
            ++winners;
            label = std::min(label, paper_index[i]);
        }
    }
    if (rule == FerPlusVoteRule::PluralityDropTies && winners > 1)
        return Verdict::RejectedByRule;
    if (rule == FerPlusVoteRule::StrictMajority && 2 * top <= total)
        return Verdict::RejectedByRule;
    return Verdict::Keep;
}

// Each kept FER+ row's 8 vote shares, by its line in fer2013.csv: FER-2013 rows are matched to
// their votes by line.
std::unordered_map<std::size_t, const std::vector<float>*> voteSharesByLine(
    const FerPlusData& votes) {
    std::unordered_map<std::size_t, const std::vector<float>*> shares;
    for (std::size_t i = 0; i < votes.data.lines.size(); ++i) {
        const auto& share = votes.data.dataset.items[i].soft_label;
        if (share.size() == kEmotions)
            shares.emplace(votes.data.lines[i], &share);
    }
    return shares;
}

}  // namespace

FerPlusData loadFerPlus(const FerPlusOptions& options) {
    Fer2013Options pixel_options;
    pixel_options.csv = options.fer2013_csv;
    pixel_options.strict = options.strict;
    pixel_options.max_reported = options.max_reported;
    return relabelByFerPlusVotes(loadFer2013(pixel_options), options);
}

FerPlusData relabelByFerPlusVotes(Fer2013Data pixels, const FerPlusOptions& options) {
    if (pixels.dataset.labels != paperLabels())
        throw std::invalid_argument(
            "FER+ votes relabel FER-2013 rows loaded in the paper's 8 labels");
    FerPlusData result;
    result.votes_report =
        LoadReport(options.votes_csv.string(), options.strict, options.max_reported);
    result.data.report = pixels.report;
    result.data.dataset.labels = paperLabels();

    std::unordered_map<std::size_t, std::size_t> item_at_line;
    for (std::size_t i = 0; i < pixels.lines.size(); ++i)
        item_at_line.emplace(pixels.lines[i], i);
    const std::vector<int> paper_index = labelIndexMap(ferPlusEmotionColumns(), paperLabels());

    const std::string file = options.votes_csv.filename().string();
    csv::LineReader reader(options.votes_csv);
    std::string_view line;
    std::vector<std::string_view> fields;
    if (!reader.next(line))
        throw DatasetError(options.votes_csv.string() + " is empty; expected the FER+ votes");
    csv::splitFields(line, fields);
    const VoteColumns columns = findVoteColumns(fields, file);

    while (reader.next(line)) {
        if (line.empty())
            continue;
        const std::string where = file + ":" + std::to_string(reader.lineNumber());
        const auto found = item_at_line.find(reader.lineNumber());
        if (found == item_at_line.end())
            continue;  // the pixel row was skipped and is reported in data.report
        LabeledImage& item = pixels.dataset.items[found->second];
        const Fer2013Usage usage = pixels.usage[found->second];
        csv::splitFields(line, fields);
        std::array<int, kVoteColumns> votes{};
        bool readable = fields.size() > static_cast<std::size_t>(columns.usage);
        for (std::size_t i = 0; i < kVoteColumns && readable; ++i) {
            const auto column = static_cast<std::size_t>(columns.votes[i]);
            readable = column < fields.size() && parseVote(fields[column], votes[i]);
        }
        if (!readable) {
            result.votes_report.skip("bad votes", where + ": expected 10 vote counts >= 0 in '" +
                                                      std::string(line) + "'");
            continue;
        }
        const std::string_view usage_text = fields[static_cast<std::size_t>(columns.usage)];
        if (usage_text != toString(usage)) {
            result.votes_report.skip("Usage differs from the pixel file",
                                     where + ": Usage '" + std::string(usage_text) + "' but " +
                                         item.origin + " says " + toString(usage) +
                                         " (are the files row-aligned?)");
            continue;
        }
        int label = -1;
        switch (decide(votes, paper_index, options.rule, label)) {
            case Verdict::UnknownOrNotFace:
                ++result.dropped_unknown_or_not_face;
                continue;
            case Verdict::NoVotes:
                ++result.dropped_no_votes;
                continue;
            case Verdict::RejectedByRule:
                ++result.dropped_by_rule;
                continue;
            case Verdict::Keep:
                break;
        }
        int emotion_votes = 0;
        for (std::size_t i = 0; i < kEmotions; ++i)
            emotion_votes += votes[i];
        item.soft_label.assign(kEmotions, 0.0f);
        for (std::size_t i = 0; i < kEmotions; ++i) {
            item.soft_label[static_cast<std::size_t>(paper_index[i])] =
                static_cast<float>(votes[i]) / static_cast<float>(emotion_votes);
        }
        item.label = label;
        result.data.dataset.items.push_back(std::move(item));
        result.data.usage.push_back(usage);
        result.data.lines.push_back(pixels.lines[found->second]);
        result.votes_report.addLoaded();
    }
    if (!pixels.lines.empty() && reader.lineNumber() < pixels.lines.back()) {
        throw DatasetError(options.votes_csv.string() + " ends at line " +
                           std::to_string(reader.lineNumber()) + " but " +
                           options.fer2013_csv.string() + " has rows up to line " +
                           std::to_string(pixels.lines.back()) + ": the files are not row-aligned");
    }
    return result;
}

std::size_t blendFerPlusVotes(Fer2013Data& fer2013, const FerPlusData& votes, double mix) {
    if (!(mix >= 0.0 && mix <= 1.0))
        throw std::invalid_argument("the FER+ vote mix must be in [0, 1], found " +
                                    std::to_string(mix));
    if (fer2013.dataset.labels != paperLabels() || votes.data.dataset.labels != paperLabels())
        throw std::invalid_argument(
            "blending FER+ votes needs both datasets in the paper's 8 labels");
    const auto votes_at_line = voteSharesByLine(votes);
    std::size_t blended = 0;
    for (std::size_t i = 0; i < fer2013.dataset.items.size(); ++i) {
        const auto found = votes_at_line.find(fer2013.lines[i]);
        if (found == votes_at_line.end())
            continue;
        auto& item = fer2013.dataset.items[i];
        item.soft_label.resize(kEmotions);
        for (std::size_t c = 0; c < kEmotions; ++c)
            item.soft_label[c] = static_cast<float>(mix) * (*found->second)[c];
        item.soft_label[static_cast<std::size_t>(item.label)] += static_cast<float>(1.0 - mix);
        ++blended;
    }
    return blended;
}

std::size_t adoptFerPlusContempt(Fer2013Data& fer2013, const FerPlusData& votes) {
    if (fer2013.dataset.labels != paperLabels() || votes.data.dataset.labels != paperLabels())
        throw std::invalid_argument(
            "adopting FER+ contempt needs both datasets in the paper's 8 labels");
    const auto contempt = static_cast<std::size_t>(paperLabelIndex("contempt"));
    const auto votes_at_line = voteSharesByLine(votes);
    std::size_t moved = 0;
    for (std::size_t i = 0; i < fer2013.dataset.items.size(); ++i) {
        if (fer2013.usage[i] != Fer2013Usage::Training)
            continue;
        const auto found = votes_at_line.find(fer2013.lines[i]);
        if (found == votes_at_line.end())
            continue;
        const auto& share = *found->second;
        bool plurality = share[contempt] > 0.0f;
        for (std::size_t c = 0; c < kEmotions && plurality; ++c)
            plurality = c == contempt || share[contempt] > share[c];
        if (!plurality)
            continue;
        fer2013.dataset.items[i].label = static_cast<int>(contempt);
        ++moved;
    }
    return moved;
}

}  // namespace emotrace
