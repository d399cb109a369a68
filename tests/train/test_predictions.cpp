// The per-image predictions file emotrace-evaluate writes beside its report.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "emotrace/error.h"
#include "emotrace/nets.h"
#include "emotrace/train/evaluation.h"
#include "test_models.h"
#include "test_support.h"
#include "train_test_data.h"

namespace emotrace::train {
namespace {

Evaluation twoItems() {
    Evaluation e;
    e.matrix = ConfusionMatrix({"angry", "happy"});
    e.truth = {0, 1};
    e.predicted = {0, 0};
    e.scores = {{std::log(0.75f), std::log(0.25f)}, {std::log(0.6f), std::log(0.4f)}};
    return e;
}

Dataset twoImages() {
    Dataset data;
    data.labels = {"angry", "happy"};
    data.items.resize(2);
    data.items[0].origin = "fer2013.csv:28711";
    data.items[1].origin = "CK+48/happy/S010,\"odd\".png";
    data.items[1].group = "S010";
    return data;
}

TEST(Predictions, OneRowPerImageWithTruthPredictionAndProbabilities) {
    EXPECT_EQ(predictionsCsv(twoItems(), twoImages()),
              "origin,group,truth,predicted,p_angry,p_happy\n"
              "fer2013.csv:28711,,angry,angry,0.75000,0.25000\n"
              "\"CK+48/happy/S010,\"\"odd\"\".png\",S010,happy,angry,0.60000,0.40000\n");
}

TEST(Predictions, ThroughTheAppsDetectionEachRowEndsWithTheFacesQualityAndEyeTilt) {
    auto data = twoImages();
    data.items[0].reading_quality = 0.8124;
    data.items[0].eye_tilt_degrees = -12.5;
    data.items[1].reading_quality = 0.25;  // no landmarks: no tilt measured
    EXPECT_EQ(predictionsCsv(twoItems(), data),
              "origin,group,truth,predicted,p_angry,p_happy,reading_quality,eye_tilt_degrees\n"
              "fer2013.csv:28711,,angry,angry,0.75000,0.25000,0.812,-12.50\n"
              "\"CK+48/happy/S010,\"\"odd\"\".png\",S010,happy,angry,0.60000,0.40000,0.250,\n");
}

TEST(Predictions, RefusesAnEvaluationOfAnotherDatasetAndAnUnwritablePath) {
    auto data = twoImages();
    data.items.pop_back();
    EXPECT_THROW(predictionsCsv(twoItems(), data), std::invalid_argument);
    EXPECT_THROW(writePredictionsCsv(twoItems(), twoImages(), "/nonexistent-folder/p.csv"),
                 OutputError);
    test::TempDir dir;
    writePredictionsCsv(twoItems(), twoImages(), dir / "p.csv");
    std::ifstream in(dir / "p.csv");
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), predictionsCsv(twoItems(), twoImages()));
}

}  // namespace
}  // namespace emotrace::train

namespace emotrace::train {
namespace {

// A model file whose metadata lists fewer labels than its network has outputs is the model's
// fault, whatever the data: the message must say so instead of blaming a dataset class.
TEST(EvaluateModelFile, AModelWhoseLabelsDoNotMatchItsOutputsIsBlamedNotTheData) {
    test::TempDir dir;
    auto labels = paperLabels();
    auto module = nets::makeMyCnnV1(static_cast<int>(labels.size()));
    labels.pop_back();  // 8 outputs, 7 labels
    nets::saveModelFile(module, test::testModelInfo(labels), dir / "mislabelled.pt");
    Dataset data = test::stripesDataset(2, 2, 48);
    data.labels = {"happy", "surprise"};
    try {
        evaluateModelFile(dir / "mislabelled.pt", data, {.threads = 1});
        FAIL() << "expected ModelError";
    } catch (const ModelError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("mislabelled.pt is inconsistent"), std::string::npos) << message;
        EXPECT_NE(message.find("outputs 8 classes"), std::string::npos) << message;
        EXPECT_NE(message.find("lists 7 labels"), std::string::npos) << message;
        EXPECT_EQ(message.find("the dataset has"), std::string::npos) << message;
    }
}

}  // namespace
}  // namespace emotrace::train

namespace emotrace::train {
namespace {

TEST(EvaluateModelFile, WithATiltedFaceModelEachTiltedItemKeepsThatModelsReading) {
    test::TempDir dir;
    torch::manual_seed(21);
    nets::saveModelFile(nets::makeMyCnnV1(2), test::testModelInfo({"happy", "surprise"}),
                        dir / "upright.pt");
    torch::manual_seed(22);
    nets::saveModelFile(nets::makeMyCnnV1(2), test::testModelInfo({"happy", "surprise"}),
                        dir / "tilted.pt");
    Dataset data = test::stripesDataset(3, 2, 48);
    data.labels = {"happy", "surprise"};
    for (std::size_t i = 0; i < data.items.size(); ++i)
        data.items[i].tilted_beyond_band = i % 2 == 1;
    const auto upright = evaluateModelFile(dir / "upright.pt", data, {.threads = 1});
    const auto tilted = evaluateModelFile(dir / "tilted.pt", data, {.threads = 1});
    const auto both = evaluateModelFile(dir / "upright.pt", data,
                                        {.threads = 1, .tilted_model = dir / "tilted.pt"});
    ASSERT_EQ(both.scores.size(), data.items.size());
    double loss = 0.0;
    for (std::size_t i = 0; i < data.items.size(); ++i) {
        const auto& from = data.items[i].tilted_beyond_band ? tilted : upright;
        EXPECT_EQ(both.scores[i], from.scores[i]) << "item " << i;
        EXPECT_EQ(both.predicted[i], from.predicted[i]) << "item " << i;
        EXPECT_EQ(both.truth[i], from.truth[i]);
        loss -= from.scores[i][static_cast<std::size_t>(from.truth[i])];
    }
    EXPECT_NEAR(both.loss, loss / static_cast<double>(data.items.size()), 1e-6);
    long long counted = 0;
    for (int t = 0; t < both.matrix.classes(); ++t)
        for (int p = 0; p < both.matrix.classes(); ++p)
            counted += both.matrix.at(t, p);
    EXPECT_EQ(counted, static_cast<long long>(data.items.size()));
    // The two models disagree on some item, so the test can tell them apart.
    EXPECT_NE(upright.scores, tilted.scores);
}

}  // namespace
}  // namespace emotrace::train
