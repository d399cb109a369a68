// Checkpoints: a torch archive of the model's tensors, the optimiser's state, torch's random
// generator and the run's progress as JSON. Serialised in memory first, then written with
// every error checked, because a torn or partly written file must never replace a good one.
#include <fcntl.h>
#include <unistd.h>

#include <ATen/CPUGeneratorImpl.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "training_state.h"

namespace emotrace::train {

namespace {

constexpr const char* kFormat = "emotrace-checkpoint";
constexpr int kVersion = 1;

std::string firstLine(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

struct NamedTensor {
    std::string name;
    torch::Tensor value;
};

std::vector<NamedTensor> moduleTensors(const torch::jit::Module& module) {
    std::vector<NamedTensor> tensors;
    for (const auto& p : module.named_parameters(true))
        tensors.push_back({p.name, p.value});
    for (const auto& b : module.named_buffers(true))
        tensors.push_back({b.name, b.value});
    return tensors;
}

std::string shapeText(const at::IntArrayRef& sizes) {
    std::string text;
    for (auto size : sizes)
        text += (text.empty() ? "" : "x") + std::to_string(size);
    return text.empty() ? "scalar" : text;
}

nlohmann::json toJson(const EpochRecord& r) {
    return {{"epoch", r.epoch},
            {"train_loss", r.train_loss},
            {"train_accuracy", r.train_accuracy},
            {"val_loss", r.val_loss},
            {"val_accuracy", r.val_accuracy},
            {"val_macro_f1", r.val_macro_f1},
            {"learning_rate", r.learning_rate},
            {"seconds", r.seconds},
            {"cpu_seconds", r.cpu_seconds}};
}

EpochRecord epochFromJson(const nlohmann::json& j) {
    EpochRecord r;
    r.epoch = j.at("epoch").get<int>();
    r.train_loss = j.at("train_loss").get<double>();
    r.train_accuracy = j.at("train_accuracy").get<double>();
    r.val_loss = j.at("val_loss").get<double>();
    r.val_accuracy = j.at("val_accuracy").get<double>();
    r.val_macro_f1 = j.at("val_macro_f1").get<double>();
    r.learning_rate = j.at("learning_rate").get<double>();
    r.seconds = j.at("seconds").get<double>();
    r.cpu_seconds = j.value("cpu_seconds", 0.0);  // absent in checkpoints before it was kept
    return r;
}

nlohmann::json identityJson(const RunIdentity& id) {
    return {{"model", id.model},
            {"labels", id.labels},
            {"batch_size", id.batch_size},
            {"seed", id.seed},
            {"training_items", id.training_items},
            {"weighted_sampler", id.weighted_sampler},
            {"soft_labels", id.soft_labels},
            {"input_size", id.input_size},
            {"mixup_alpha", id.mixup_alpha},
            {"ferplus_mix", id.ferplus_mix},
            {"ferplus_contempt", id.ferplus_contempt},
            {"through_pipeline", id.through_pipeline}};
}

std::string stateJson(const TrainingState& s, const std::vector<NamedTensor>& tensors) {
    nlohmann::json history = nlohmann::json::array();
    for (const auto& record : s.progress.history)
        history.push_back(toJson(record));
    nlohmann::json names = nlohmann::json::array();
    for (const auto& t : tensors)
        names.push_back(t.name);
    const nlohmann::json json{{"format", kFormat},
                              {"version", kVersion},
                              {"identity", identityJson(s.identity)},
                              {"completed_epochs", s.progress.completed_epochs},
                              {"step_in_epoch", s.progress.step_in_epoch},
                              {"history", history},
                              {"best_epoch", s.progress.best_epoch},
                              {"best_val_macro_f1", s.progress.best_val_macro_f1},
                              {"best_val_accuracy", s.best_val_accuracy},
                              {"epochs_without_improvement", s.progress.epochs_without_improvement},
                              {"finished", s.progress.finished},
                              {"stopped_early", s.stopped_early},
                              {"partial",
                               {{"loss_sum", s.partial_loss_sum},
                                {"correct", s.partial_correct},
                                {"seen", s.partial_seen},
                                {"seconds", s.partial_seconds},
                                {"cpu_seconds", s.partial_cpu_seconds}}},
                              {"tensor_names", names}};
    return json.dump();
}

void writeAll(int fd, const std::string& bytes, const std::filesystem::path& where) {
    std::size_t written = 0;
    while (written < bytes.size()) {
        const auto n = ::write(fd, bytes.data() + written, bytes.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            throw OutputError("could not write checkpoint " + where.string() + " (" +
                              std::to_string(written) + " of " + std::to_string(bytes.size()) +
                              " bytes written): " + std::strerror(errno));
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 && errno != EINVAL) {  // EINVAL: a file that cannot sync (a device)
        throw OutputError("could not flush checkpoint " + where.string() +
                          " to disk: " + std::strerror(errno));
    }
}

void writeFileAtomically(const std::filesystem::path& path, const std::string& bytes) {
    auto temporary = path;
    temporary += ".partial";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw OutputError("could not create checkpoint " + temporary.string() + ": " +
                          std::strerror(errno));
    }
    try {
        writeAll(fd, bytes, temporary);
    } catch (...) {
        ::close(fd);
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw;
    }
    if (::close(fd) != 0) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw OutputError("could not close checkpoint " + temporary.string() + ": " +
                          std::strerror(errno));
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) {
        std::filesystem::remove(temporary, error);
        throw OutputError("could not move checkpoint into place at " + path.string() + ": " +
                          error.message());
    }
}

// The archive and its JSON, with errors that say what the file is and what was expected.
struct OpenedCheckpoint {
    torch::serialize::InputArchive archive;
    nlohmann::json json;
};

OpenedCheckpoint openCheckpoint(const std::filesystem::path& path) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    if (error)
        throw CheckpointError("checkpoint " + path.string() +
                              " cannot be read: " + error.message());
    OpenedCheckpoint opened;
    try {
        opened.archive.load_from(path.string());
    } catch (const c10::Error& e) {
        throw CheckpointError("checkpoint " + path.string() + " (" + std::to_string(size) +
                              " bytes) is truncated or not a checkpoint: expected a complete "
                              "archive written by emotrace-train, torch says: " +
                              firstLine(e.what()));
    }
    c10::IValue text;
    if (!opened.archive.try_read("state", text) || !text.isString()) {
        throw CheckpointError("'" + path.string() +
                              "' is a torch archive but not an emotrace checkpoint: expected "
                              "an entry 'state' with the run's progress");
    }
    try {
        opened.json = nlohmann::json::parse(text.toStringRef());
        if (opened.json.at("format") != kFormat || opened.json.at("version") != kVersion) {
            throw CheckpointError("checkpoint " + path.string() + ": expected format " + kFormat +
                                  " version " + std::to_string(kVersion) + ", found " +
                                  opened.json.at("format").dump() + " version " +
                                  opened.json.at("version").dump());
        }
    } catch (const nlohmann::json::exception& e) {
        throw CheckpointError("checkpoint " + path.string() +
                              " has a damaged state entry: " + e.what());
    }
    return opened;
}

RunIdentity identityFromJson(const nlohmann::json& j) {
    RunIdentity id;
    id.model = j.at("model").get<std::string>();
    id.labels = j.at("labels").get<std::vector<std::string>>();
    id.batch_size = j.at("batch_size").get<int>();
    id.seed = j.at("seed").get<std::uint64_t>();
    id.training_items = j.at("training_items").get<std::int64_t>();
    id.weighted_sampler = j.at("weighted_sampler").get<bool>();
    id.soft_labels = j.at("soft_labels").get<bool>();
    id.input_size = j.at("input_size").get<int>();
    id.mixup_alpha = j.value("mixup_alpha", 0.0);
    id.ferplus_mix = j.value("ferplus_mix", 0.0);
    id.ferplus_contempt = j.value("ferplus_contempt", false);
    id.through_pipeline = j.value("through_pipeline", false);
    return id;
}

void checkIdentity(const std::filesystem::path& path, const RunIdentity& found,
                   const nlohmann::json& recorded, const RunIdentity& expected) {
    const auto a = identityJson(found);
    const auto b = identityJson(expected);
    for (const auto& [key, value] : b.items()) {
        // A setting an older checkpoint did not record cannot be checked.
        if (!recorded.contains(key))
            continue;
        if (a.at(key) != value) {
            throw CheckpointError("checkpoint " + path.string() +
                                  " belongs to a different run: its " + key + " is " +
                                  a.at(key).dump() + ", this run has " + value.dump() +
                                  " (use another --out folder, or the original settings)");
        }
    }
}

CheckpointInfo infoFromJson(const nlohmann::json& j) {
    CheckpointInfo info;
    info.model = j.at("identity").at("model").get<std::string>();
    info.labels = j.at("identity").at("labels").get<std::vector<std::string>>();
    info.completed_epochs = j.at("completed_epochs").get<int>();
    info.step_in_epoch = j.at("step_in_epoch").get<int>();
    for (const auto& record : j.at("history"))
        info.history.push_back(epochFromJson(record));
    info.best_epoch = j.at("best_epoch").get<int>();
    info.best_val_macro_f1 = j.at("best_val_macro_f1").get<double>();
    info.epochs_without_improvement = j.at("epochs_without_improvement").get<int>();
    info.finished = j.at("finished").get<bool>();
    return info;
}

torch::Tensor readTensor(OpenedCheckpoint& opened, std::size_t index,
                         const std::filesystem::path& path) {
    torch::Tensor tensor;
    try {
        opened.archive.read("tensor_" + std::to_string(index), tensor);
    } catch (const c10::Error& e) {
        throw CheckpointError("checkpoint " + path.string() + " lacks model tensor " +
                              std::to_string(index) + ": " + firstLine(e.what()));
    }
    return tensor;
}

std::vector<std::string> tensorNames(const OpenedCheckpoint& opened,
                                     const std::filesystem::path& path) {
    try {
        return opened.json.at("tensor_names").get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception& e) {
        throw CheckpointError("checkpoint " + path.string() +
                              " has a damaged state entry: " + e.what());
    }
}

// Copies the checkpoint's weights into `tensors` (a module's, in its order), refusing a
// checkpoint whose names or shapes differ. `model` names the model in the message.
void copyWeights(OpenedCheckpoint& opened, const std::filesystem::path& path,
                 const std::vector<NamedTensor>& tensors, const std::string& model) {
    const auto names = tensorNames(opened, path);
    if (names.size() != tensors.size()) {
        throw CheckpointError("checkpoint " + path.string() + " holds " +
                              std::to_string(names.size()) + " model tensors, " + model + " has " +
                              std::to_string(tensors.size()));
    }
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const auto stored = readTensor(opened, i, path);
        if (names[i] != tensors[i].name || !stored.sizes().equals(tensors[i].value.sizes())) {
            throw CheckpointError("checkpoint " + path.string() + " tensor " + std::to_string(i) +
                                  " is '" + names[i] + "' of shape " + shapeText(stored.sizes()) +
                                  ", " + model + " expects '" + tensors[i].name + "' of shape " +
                                  shapeText(tensors[i].value.sizes()));
        }
        tensors[i].value.copy_(stored);
    }
}

}  // namespace

void saveCheckpoint(const std::filesystem::path& path, const TrainingState& state,
                    const torch::jit::Module& module, torch::optim::Optimizer& optimizer) {
    const auto tensors = moduleTensors(module);
    std::ostringstream bytes;
    try {
        torch::serialize::OutputArchive archive;
        archive.write("state", c10::IValue(stateJson(state, tensors)));
        for (std::size_t i = 0; i < tensors.size(); ++i)
            archive.write("tensor_" + std::to_string(i), tensors[i].value.detach(), true);
        torch::serialize::OutputArchive optimizer_archive;
        optimizer.save(optimizer_archive);
        archive.write("optimizer", optimizer_archive);
        auto generator = at::detail::getDefaultCPUGenerator();
        std::lock_guard lock(generator.mutex());
        archive.write("torch_rng", generator.get_state(), true);
        archive.save_to(bytes);
    } catch (const c10::Error& e) {
        throw OutputError("could not serialise the checkpoint for " + path.string() + ": " +
                          firstLine(e.what()));
    }
    writeFileAtomically(path, bytes.str());
}

TrainingState loadCheckpoint(const std::filesystem::path& path, const RunIdentity& expected,
                             torch::jit::Module& module, torch::optim::Optimizer& optimizer) {
    auto opened = openCheckpoint(path);
    TrainingState state;
    try {
        const auto& j = opened.json;
        state.identity = identityFromJson(j.at("identity"));
        checkIdentity(path, state.identity, j.at("identity"), expected);
        state.progress = infoFromJson(j);
        state.stopped_early = j.at("stopped_early").get<bool>();
        state.best_val_accuracy = j.at("best_val_accuracy").get<double>();
        const auto& partial = j.at("partial");
        state.partial_loss_sum = partial.at("loss_sum").get<double>();
        state.partial_correct = partial.at("correct").get<std::int64_t>();
        state.partial_seen = partial.at("seen").get<std::int64_t>();
        state.partial_seconds = partial.at("seconds").get<double>();
        state.partial_cpu_seconds = partial.value("cpu_seconds", 0.0);
        copyWeights(opened, path, moduleTensors(module), "model '" + expected.model + "'");
    } catch (const nlohmann::json::exception& e) {
        throw CheckpointError("checkpoint " + path.string() +
                              " has a damaged state entry: " + e.what());
    }
    try {
        torch::serialize::InputArchive optimizer_archive;
        opened.archive.read("optimizer", optimizer_archive);
        optimizer.load(optimizer_archive);
        torch::Tensor rng;
        opened.archive.read("torch_rng", rng);
        auto generator = at::detail::getDefaultCPUGenerator();
        std::lock_guard lock(generator.mutex());
        generator.set_state(rng);
    } catch (const c10::Error& e) {
        throw CheckpointError("checkpoint " + path.string() +
                              ": the optimiser or random-generator state does not fit this "
                              "model: " +
                              firstLine(e.what()));
    }
    return state;
}

CheckpointInfo readCheckpointInfo(const std::filesystem::path& path) {
    auto opened = openCheckpoint(path);
    try {
        return infoFromJson(opened.json);
    } catch (const nlohmann::json::exception& e) {
        throw CheckpointError("checkpoint " + path.string() +
                              " has a damaged state entry: " + e.what());
    }
}

std::vector<NamedWeights> readCheckpointWeights(const std::filesystem::path& path) {
    auto opened = openCheckpoint(path);
    const auto names = tensorNames(opened, path);
    std::vector<NamedWeights> weights;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const auto tensor = readTensor(opened, i, path).to(torch::kFloat).contiguous();
        NamedWeights w{names[i], tensor.sizes().vec(), {}};
        w.values.assign(tensor.data_ptr<float>(), tensor.data_ptr<float>() + tensor.numel());
        weights.push_back(std::move(w));
    }
    return weights;
}

nets::LoadedModel modelFromCheckpoint(const std::filesystem::path& checkpoint,
                                      const nets::LoadedModel& like) {
    const auto info = readCheckpointInfo(checkpoint);
    if (info.labels != like.info.labels)
        throw CheckpointError("checkpoint " + checkpoint.string() +
                              " was trained on other labels than the model it is read into");
    auto opened = openCheckpoint(checkpoint);
    nets::LoadedModel model{like.module.deepcopy(), like.info};
    copyWeights(opened, checkpoint, moduleTensors(model.module), "the model");
    return model;
}

void writeTextAtomically(const std::filesystem::path& path, const std::string& text) {
    auto temporary = path;
    temporary += ".partial";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << text;
        out.flush();
        if (!out)
            throw OutputError("could not write " + temporary.string());
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error)
        throw OutputError("could not move " + temporary.string() + " to " + path.string() + ": " +
                          error.message());
}

}  // namespace emotrace::train
