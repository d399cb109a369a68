#include "emotrace/fer2013.h"

#include <algorithm>
#include <charconv>

#include "emotrace/csv_lines.h"
#include "emotrace/label_map.h"
#include "emotrace/model_info.h"

namespace emotrace {

namespace {

constexpr int kSide = 48;
constexpr std::size_t kPixels = kSide * kSide;

struct Columns {
    int emotion = -1;
    int pixels = -1;
    int usage = -1;  // optional: without it every row is Training
};

Columns findColumns(const std::vector<std::string_view>& header, const std::string& file) {
    Columns columns{csv::findColumn(header, "emotion"), csv::findColumn(header, "pixels"),
                    csv::findColumn(header, "Usage")};
    if (columns.emotion < 0 || columns.pixels < 0) {
        throw DatasetError(file + ": expected the FER-2013 header emotion,pixels,Usage, found '" +
                           csv::joinFields(header) + "'");
    }
    return columns;
}

bool parseUsage(std::string_view text, Fer2013Usage& usage) {
    if (text == "Training")
        usage = Fer2013Usage::Training;
    else if (text == "PublicTest")
        usage = Fer2013Usage::PublicTest;
    else if (text == "PrivateTest")
        usage = Fer2013Usage::PrivateTest;
    else
        return false;
    return true;
}

// Parses the space-separated pixel values into `out` (kPixels bytes). Returns an empty string on
// success, else what was wrong.
std::string parsePixels(std::string_view text, std::uint8_t* out) {
    const char* cursor = text.data();
    const char* const end = text.data() + text.size();
    std::size_t count = 0;
    while (true) {
        while (cursor < end && *cursor == ' ')
            ++cursor;
        if (cursor == end)
            break;
        int value = 0;
        const auto [next, error] = std::from_chars(cursor, end, value);
        if (error != std::errc() || (next < end && *next != ' ')) {
            const char* word_end = cursor;
            while (word_end < end && *word_end != ' ')
                ++word_end;
            return "pixel " + std::to_string(count + 1) + " is '" + std::string(cursor, word_end) +
                   "', not a number";
        }
        if (value < 0 || value > 255) {
            return "pixel " + std::to_string(count + 1) + " is " + std::to_string(value) +
                   ", outside 0..255";
        }
        if (count < kPixels)
            out[count] = static_cast<std::uint8_t>(value);
        ++count;
        cursor = next;
    }
    if (count != kPixels) {
        return "expected " + std::to_string(kPixels) + " pixels (48x48), found " +
               std::to_string(count);
    }
    return {};
}

}  // namespace

std::string toString(Fer2013Usage usage) {
    switch (usage) {
        case Fer2013Usage::Training:
            return "Training";
        case Fer2013Usage::PublicTest:
            return "PublicTest";
        case Fer2013Usage::PrivateTest:
            return "PrivateTest";
    }
    return "?";
}

Fer2013Data loadFer2013(const Fer2013Options& options) {
    const std::string file = options.csv.filename().string();
    Fer2013Data data;
    data.report = LoadReport(options.csv.string(), options.strict, options.max_reported);
    data.dataset.labels = options.paper_labels ? paperLabels() : fer2013Labels();

    csv::LineReader reader(options.csv);
    std::string_view line;
    std::vector<std::string_view> fields;
    if (!reader.next(line))
        throw DatasetError(options.csv.string() + " is empty; expected a FER-2013 csv");
    csv::splitFields(line, fields);
    const Columns columns = findColumns(fields, file);
    const auto needed =
        static_cast<std::size_t>(std::max({columns.emotion, columns.pixels, columns.usage}) + 1);

    while (reader.next(line)) {
        if (line.empty())
            continue;
        const std::string where = file + ":" + std::to_string(reader.lineNumber());
        csv::splitFields(line, fields);
        if (fields.size() < needed) {
            data.report.skip("too few columns", where + ": expected " + std::to_string(needed) +
                                                    " columns, found " +
                                                    std::to_string(fields.size()));
            continue;
        }
        const std::string_view emotion_text = fields[static_cast<std::size_t>(columns.emotion)];
        int emotion = -1;
        const auto parsed = std::from_chars(emotion_text.data(),
                                            emotion_text.data() + emotion_text.size(), emotion);
        if (parsed.ec != std::errc() || parsed.ptr != emotion_text.data() + emotion_text.size() ||
            emotion < 0 || emotion > 6) {
            data.report.skip(
                "label out of range",
                where + ": emotion '" + std::string(emotion_text) + "' is not a label 0..6");
            continue;
        }
        Fer2013Usage usage = Fer2013Usage::Training;
        if (columns.usage >= 0) {
            const std::string_view text = fields[static_cast<std::size_t>(columns.usage)];
            if (!parseUsage(text, usage)) {
                data.report.skip("unknown Usage", where + ": Usage '" + std::string(text) +
                                                      "', expected Training, PublicTest or "
                                                      "PrivateTest");
                continue;
            }
        }
        cv::Mat image(kSide, kSide, CV_8UC1);
        const std::string problem = parsePixels(fields[static_cast<std::size_t>(columns.pixels)],
                                                image.ptr<std::uint8_t>());
        if (!problem.empty()) {
            const bool count_problem = problem.rfind("expected", 0) == 0;
            data.report.skip(count_problem ? "wrong pixel count" : "bad pixel value",
                             where + ": " + problem);
            continue;
        }
        LabeledImage item;
        item.image = std::move(image);
        item.label = options.paper_labels ? fer2013ToPaperIndex(emotion) : emotion;
        item.origin = where;
        data.dataset.items.push_back(std::move(item));
        data.usage.push_back(usage);
        data.lines.push_back(reader.lineNumber());
        data.report.addLoaded();
    }
    return data;
}

}  // namespace emotrace
