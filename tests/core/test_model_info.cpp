#include <gtest/gtest.h>

#include "emotrace/error.h"
#include "emotrace/model_info.h"

using emotrace::ModelError;
using emotrace::ModelInfo;

namespace {

ModelInfo sampleInfo() {
    ModelInfo info;
    info.architecture = "resnet18";
    info.labels = emotrace::paperLabels();
    info.mean = 0.5f;
    info.std = 0.25f;
    info.flip_average = true;
    info.shift_average = 2;
    info.description = "trained on FER-2013 + CK+";
    return info;
}

void expectModelError(const std::string& json, const std::string& expected_text) {
    try {
        emotrace::modelInfoFromJson(json);
        FAIL() << "expected ModelError for " << json;
    } catch (const ModelError& e) {
        EXPECT_NE(std::string(e.what()).find(expected_text), std::string::npos) << e.what();
    }
}

}  // namespace

TEST(ModelInfo, PaperLabelsAreTheEightClassesInOrder) {
    EXPECT_EQ(emotrace::paperLabels(),
              (std::vector<std::string>{"angry", "contempt", "disgust", "fear", "happy", "neutral",
                                        "sad", "surprise"}));
    EXPECT_EQ(emotrace::fer2013Labels().size(), 7u);
    EXPECT_EQ(emotrace::fer2013Labels()[6], "neutral");
}

TEST(ModelInfo, JsonRoundTripKeepsEveryField) {
    const auto info = sampleInfo();
    const auto back = emotrace::modelInfoFromJson(emotrace::toJson(info));
    EXPECT_EQ(back.format_version, info.format_version);
    EXPECT_EQ(back.architecture, "resnet18");
    EXPECT_EQ(back.labels, info.labels);
    EXPECT_EQ(back.input_width, 48);
    EXPECT_EQ(back.input_height, 48);
    EXPECT_EQ(back.input_channels, 1);
    EXPECT_FLOAT_EQ(back.mean, 0.5f);
    EXPECT_FLOAT_EQ(back.std, 0.25f);
    EXPECT_TRUE(back.outputs_logits);
    EXPECT_TRUE(back.flip_average);
    EXPECT_EQ(back.shift_average, 2);
    EXPECT_EQ(back.description, info.description);
}

TEST(ModelInfo, FilesWithoutFlipAverageClassifyEachFaceOnce) {
    // Model files written before the field existed load as before.
    const auto info = emotrace::modelInfoFromJson(
        R"({"format_version": 1, "architecture": "x", "labels": ["a", "b"],
            "input": {"width": 48, "height": 48, "channels": 1}})");
    EXPECT_FALSE(info.flip_average);
    EXPECT_EQ(info.shift_average, 0);
    expectModelError(
        R"({"format_version": 1, "architecture": "x", "labels": ["a", "b"],
            "input": {"width": 48, "height": 48, "channels": 1}, "flip_average": "yes"})",
        "'flip_average' has the wrong type");
}

TEST(ModelInfo, ShiftAverageMustFitInsideTheFace) {
    const std::string head = R"({"format_version": 1, "architecture": "x", "labels": ["a", "b"],
            "input": {"width": 48, "height": 40, "channels": 1}, "shift_average": )";
    EXPECT_EQ(emotrace::modelInfoFromJson(head + "19}").shift_average, 19);
    expectModelError(head + "20}",
                     "shift_average must be 0 up to less than half the input size "
                     "(48x40), found 20");
    expectModelError(head + "-1}", "found -1");
    expectModelError(head + "\"2\"}", "'shift_average' has the wrong type");
}

TEST(ModelInfo, RejectsMissingAndMistypedFields) {
    expectModelError("not json", "not valid JSON");
    expectModelError(R"({"format_version": 1})", "missing field 'architecture'");
    expectModelError(
        R"({"format_version": 1, "architecture": "x", "labels": "angry",
            "input": {"width": 48, "height": 48, "channels": 1}})",
        "'labels' has the wrong type");
    expectModelError(
        R"({"format_version": 1, "architecture": "x", "labels": ["a", "b"],
            "input": {"width": 48, "channels": 1}})",
        "missing field 'input.height'");
}

TEST(ModelInfo, RejectsNewerFormatsAndBadValues) {
    expectModelError(R"({"format_version": 2})", "newer than this emotrace understands");
    expectModelError(
        R"({"format_version": 1, "architecture": "x", "labels": ["a", "a"],
            "input": {"width": 48, "height": 48, "channels": 1}})",
        "labels must be unique");
    expectModelError(
        R"({"format_version": 1, "architecture": "x", "labels": ["a", "b"],
            "input": {"width": 48, "height": 48, "channels": 2}})",
        "found 2");
}
