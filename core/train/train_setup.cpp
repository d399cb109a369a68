#include "emotrace/train/train_setup.h"

#include <ostream>

#include "emotrace/balancing.h"

namespace emotrace::train {

bool parseTrainOption(Arguments& args, TrainSetup& setup) {
    auto& t = setup.train;
    auto& a = setup.augment;
    if (args.is("--model")) {
        t.model = args.text();
    } else if (args.is("--freeze-backbone")) {
        args.flag();
        t.freeze_backbone = true;
    } else if (args.is("--pretrained")) {
        t.pretrained_weights = args.text();
    } else if (args.is("--epochs")) {
        t.epochs = args.integer(1, 100000);
    } else if (args.is("--patience")) {
        t.patience = args.integer(0, 100000);
    } else if (args.is("--batch-size")) {
        t.batch_size = args.integer(1, 65536);
    } else if (args.is("--lr")) {
        t.learning_rate = args.real(0.0, 10.0);
    } else if (args.is("--weight-decay")) {
        t.weight_decay = args.real(0.0, 10.0);
    } else if (args.is("--label-smoothing")) {
        t.label_smoothing = args.real(0.0, 0.99);
    } else if (args.is("--lr-schedule")) {
        t.lr_schedule = args.text();
        if (t.lr_schedule != "constant" && t.lr_schedule != "cosine")
            throw UsageError("--lr-schedule expects constant or cosine, got '" + t.lr_schedule +
                             "'");
    } else if (args.is("--warmup-epochs")) {
        t.warmup_epochs = args.real(0.0, 1000.0);
    } else if (args.is("--shift-average")) {
        t.shift_average = args.integer(0, 1024);
    } else if (args.is("--soft-labels")) {
        args.flag();
        t.soft_labels = true;
    } else if (args.is("--seed")) {
        t.seed = args.unsignedInteger();
    } else if (args.is("--threads")) {
        t.threads = args.integer(1, 256);
    } else if (args.is("--max-steps")) {
        t.max_steps_per_epoch = args.integer(0, 1 << 30);
    } else if (args.is("--mean")) {
        t.input_mean = static_cast<float>(args.real(-10.0, 10.0));
    } else if (args.is("--std")) {
        t.input_std = static_cast<float>(args.real(1e-6, 10.0));
    } else if (args.is("--no-progress")) {
        args.flag();
        t.show_progress = false;
    } else if (args.is("--sampler")) {
        args.flag();
        setup.balancing.sampler = true;
    } else if (args.is("--smote")) {
        args.flag();
        setup.balancing.smote = true;
    } else if (args.is("--smote-k")) {
        setup.balancing.smote_k = args.integer(1, 1000);
    } else if (args.is("--class-weights")) {
        args.flag();
        setup.balancing.class_weights = true;
    } else if (args.is("--class-weight-power")) {
        setup.balancing.class_weights = true;
        setup.balancing.class_weight_power = args.real(0.0, 4.0);
    } else if (args.is("--no-augment")) {
        args.flag();
        setup.augmentation = false;
    } else if (args.is("--augment-extended")) {
        args.flag();
        a = AugmentOptions::extended();
    } else if (args.is("--no-flip")) {
        args.flag();
        a.flip = false;
    } else if (args.is("--rotation")) {
        a.rotation_degrees = static_cast<float>(args.real(0.0, 180.0));
    } else if (args.is("--scale")) {
        a.scale = static_cast<float>(args.real(0.0, 0.9));
    } else if (args.is("--translation")) {
        a.translation = static_cast<float>(args.real(0.0, 0.5));
    } else if (args.is("--brightness")) {
        a.brightness = static_cast<float>(args.real(0.0, 1.0));
    } else if (args.is("--contrast")) {
        a.contrast = static_cast<float>(args.real(0.0, 0.9));
    } else if (args.is("--mixup")) {
        t.mixup_alpha = static_cast<float>(args.real(0.0, 100.0));
    } else if (args.is("--erase")) {
        a.erase_probability = static_cast<float>(args.real(0.0, 1.0));
    } else {
        return false;
    }
    return true;
}

std::string trainOptionsHelp() {
    return R"(model and protocol (defaults: the paper's):
  --model NAME            mycnn_v1..mycnn_v6, ma2024, two_branch, resnet18, resnet18_cifar,
                          vgg16, vgg16_bn, densenet121 (default resnet18)
  --freeze-backbone       train only the last block and the classifier
  --pretrained FILE       start from ImageNet weights in a state-dict file you supply, or from
                          an emotrace model file of the same architecture (a second schedule)
  --epochs N (10)  --patience N (3; 0 = no early stopping)  --batch-size N (32)
  --lr X (1e-3)  --weight-decay X (1e-4)  --label-smoothing X (0)  --seed N (42)
  --lr-schedule constant|cosine (constant)  --warmup-epochs X (0): cosine decays the rate to 0
                          at the last epoch after a linear warm-up
  --soft-labels           learn the FER+ vote distributions (with --dataset ferplus)
  --shift-average D       the model file asks the app to average each face over copies moved
                          by D pixels (ModelInfo::shift_average; for models trained with
                          translation); validation during training stays one pass per face
  --max-steps N           at most N steps an epoch (quick checks)
  --mean X --std X        input normalisation after scaling to [0,1] (default 0 and 1)
  --threads N             torch threads (default 2)   --no-progress
balancing (combinable):
  --sampler               weighted random sampler: class-balanced draws with replacement
  --smote [--smote-k K]   SMOTE the training set up to its largest class (k = 5)
  --class-weights         inverse-frequency class-weighted cross-entropy
  --class-weight-power P  the weights raised to P (implies --class-weights; 0.5 = softer)
augmentation (default: the paper's flip, rotation 15 degrees, scale 10%):
  --no-augment  --no-flip  --rotation DEG  --scale S  --augment-extended
  --translation F  --brightness B  --contrast C  --erase P
  --mixup ALPHA           blend each batch with a shuffled copy of itself, images and targets,
                          by lambda ~ Beta(ALPHA, ALPHA) (mixup; 0.2 is usual; default 0: off)
)";
}

void applyBalancingAndAugmentation(TrainSetup& setup, Dataset& training, std::ostream& log) {
    if (setup.balancing.smote) {
        std::mt19937 rng(static_cast<std::uint32_t>(setup.train.seed));
        SmoteOptions options;
        options.k = setup.balancing.smote_k;
        const auto report = applySmote(training, options, rng);
        log << "SMOTE: " << training.items.size() << " training items after adding "
            << report.parents.size() << " synthetic ones\n";
    }
    if (setup.balancing.sampler)
        setup.train.sample_weights = samplerWeights(training);
    if (setup.balancing.class_weights)
        setup.train.class_weights = classWeights(training, setup.balancing.class_weight_power);
    setup.train.mirrored_in_training = setup.augmentation && setup.augment.flip;
    if (setup.augmentation) {
        const auto options = setup.augment;
        setup.train.augment = [options](cv::Mat& image, std::mt19937& rng) {
            image = augment(image, options, rng);
        };
    } else {
        setup.train.augment = nullptr;
    }
}

}  // namespace emotrace::train
