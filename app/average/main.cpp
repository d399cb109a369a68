// emotrace-average: the mean of the weights of two or more models of one architecture (a "model
// soup"), or a run's last epoch alone, written as a model file. The shipped model is such a mean
// (models/emotrace-resnet18.md).
#include <iostream>

#include "emotrace/nets.h"
#include "emotrace/train/arguments.h"
#include "emotrace/train/checkpoint.h"

namespace {

using namespace emotrace;
using namespace emotrace::train;

const char* kUsage = R"(usage: emotrace-average --out FILE INPUT INPUT [INPUT...]
       emotrace-average --out FILE --metadata-from MODEL INPUT [INPUT...]
Writes the element-wise mean of the weights of the INPUTs, which must share an architecture,
labels and input (models fine-tuned from one starting point), as a model file with the first
INPUT's metadata. An INPUT is a model file or a trainer checkpoint (a run's checkpoint.pt: the
weights of its last epoch, where best_model.pt is the epoch validation picked). The first INPUT
must be a model file.
  --out FILE             the model file to write (written atomically)
  --metadata-from MODEL  the metadata (architecture, labels, input, views) from MODEL, a model
                         file of the same architecture (e.g. the run's best_model.pt), so that
                         every INPUT may be a checkpoint; one INPUT is then enough: a run's last
                         epoch as a model file
)";

struct AverageCommand {
    std::filesystem::path out;
    std::vector<std::filesystem::path> inputs;
    std::filesystem::path metadata_from;
    bool help = false;
};

AverageCommand parse(Arguments& args) {
    AverageCommand c;
    while (args.next()) {
        if (args.is("--help") || args.is("-h")) {
            c.help = true;
        } else if (args.is("--out")) {
            c.out = args.text();
        } else if (args.is("--metadata-from")) {
            c.metadata_from = args.text();
        } else if (args.name().starts_with("-")) {
            throw UsageError("unknown option '" + args.name() + "'");
        } else {
            c.inputs.emplace_back(args.name());
        }
    }
    if (!c.help && c.out.empty())
        throw UsageError("--out FILE is required");
    const bool one_is_enough = !c.metadata_from.empty();
    if (!c.help && c.inputs.size() < (one_is_enough ? 1u : 2u))
        throw UsageError(std::string("expected at least ") +
                         (one_is_enough ? "one INPUT" : "two INPUTs") +
                         " (model files or checkpoints), got " + std::to_string(c.inputs.size()));
    return c;
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
    Arguments args(argc, argv);
    const auto command = parse(args);
    if (command.help) {
        std::cout << kUsage;
        return 0;
    }
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
        "; command: " + args.commandLine("emotrace-average") + sources +
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
