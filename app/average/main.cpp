// emotrace-average: the mean of the weights of two or more models of one architecture (a "model
// soup"), or a run's last epoch alone, written as a model file. The shipped model is such a mean
// (models/emotrace-resnet18.md).
#include <iostream>

#include "emotrace/nets.h"
#include "emotrace/command_line.h"
#include "emotrace/train/arguments.h"
#include "emotrace/train/checkpoint.h"

namespace {

using namespace emotrace;
using namespace emotrace::train;

struct AverageCommand {
    std::filesystem::path out;
    std::vector<std::filesystem::path> inputs;
    std::filesystem::path metadata_from;
};

constexpr const char* kDescription =
    "Writes the element-wise mean of the weights of the INPUTs, which must share an "
    "architecture, labels and input (models fine-tuned from one starting point), as a model "
    "file with the first INPUT's metadata. An INPUT is a model file or a trainer checkpoint (a "
    "run's checkpoint.pt: the weights of its last epoch, where best_model.pt is the epoch "
    "validation picked). The first INPUT must be a model file, unless --metadata-from gives the "
    "metadata; one INPUT is then enough.";

// The command line as a declaration of its options, bound into `c`.
void declareOptions(CLI::App& app, AverageCommand& c) {
    app.description(kDescription);
    cli::addStandardFlags(app);
    app.add_option("INPUT", c.inputs, "model files or checkpoints")->required();
    app.add_option("--out", c.out, "the model file to write (written atomically)")->required();
    app.add_option("--metadata-from", c.metadata_from,
                   "the metadata (architecture, labels, input, views) from MODEL, a model file "
                   "of the same architecture (e.g. the run's best_model.pt), so that every INPUT "
                   "may be a checkpoint; one INPUT is then enough: a run's last epoch as a model "
                   "file");
}

void checkInputCount(const AverageCommand& c) {
    const bool one_is_enough = !c.metadata_from.empty();
    if (c.inputs.size() < (one_is_enough ? 1u : 2u))
        throw UsageError(std::string("expected at least ") +
                         (one_is_enough ? "one INPUT" : "two INPUTs") +
                         " (model files or checkpoints), got " + std::to_string(c.inputs.size()));
}

bool isCheckpoint(const std::filesystem::path& path) {
    try {
        readCheckpointInfo(path);
        return true;
    } catch (const CheckpointError&) {
        return false;
    }
}

int run(int argc, char** argv) {
    AverageCommand command;
    CLI::App app{"", "emotrace-average"};
    declareOptions(app, command);
    if (parseToolArguments(app, argc, argv))
        return 0;
    checkInputCount(command);
    const bool separate_metadata = !command.metadata_from.empty();
    const auto& metadata_source =
        separate_metadata ? command.metadata_from : command.inputs.front();
    if (isCheckpoint(metadata_source))
        throw UsageError(std::string(separate_metadata ? "--metadata-from expects a model file"
                                                       : "the first INPUT must be a model file "
                                                         "(its metadata is kept)") +
                         ", got the checkpoint " + metadata_source.string());
    // The model whose metadata is kept and into which a checkpoint's weights are loaded.
    const auto reference = nets::loadModelFile(metadata_source);
    std::vector<nets::LoadedModel> models;
    std::string sources;
    for (const auto& input : command.inputs) {
        const bool checkpoint = (separate_metadata || !models.empty()) && isCheckpoint(input);
        models.push_back(checkpoint ? modelFromCheckpoint(input, reference)
                                    : nets::loadModelFile(input));
        const auto info = checkpoint ? readCheckpointInfo(input) : CheckpointInfo{};
        sources +=
            "\n- " + input.string() +
            (checkpoint ? " (last epoch, " + std::to_string(info.completed_epochs) + ")" : "") +
            (checkpoint ? "" : ": " + models.back().info.description);
        std::cerr << "read " << input.string()
                  << (checkpoint
                          ? " (checkpoint, " + std::to_string(info.completed_epochs) + " epochs)"
                          : "")
                  << '\n';
    }
    auto mean = models.size() == 1 ? std::move(models.front()) : nets::averageModels(models);
    mean.info = reference.info;
    mean.info.description =
        (models.size() == 1
             ? std::string("The weights of one model")
             : "The mean of the weights of " + std::to_string(models.size()) + " models") +
        "; command: " + commandLine("emotrace-average", argc, argv) + sources +
        (separate_metadata
             ? "\nmetadata from " + metadata_source.string() + ": " + reference.info.description
             : std::string());
    nets::saveModelFile(mean.module, mean.info, command.out);
    std::cout << "wrote " << command.out.string() << '\n';
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return emotrace::train::runTool("emotrace-average", run, argc, argv);
}
