#!/usr/bin/env python3
"""Training-step time of the large Table 2 networks under three numeric/memory formats.

One AdamW step (lr 1e-3, weight decay 1e-4) on a batch of 32 one-channel 48x48 faces, 8 classes,
with the networks shaped as emotrace's zoo shapes them (one-channel first convolution; VGG16's
classifier after a 1x1 pool; DenseNet121's stem at stride 1): float32; float32 in the
channels-last layout; bf16 autocast in the channels-last layout. The formats take turns in rounds
of 4 steps (the first round is warm-up), so a change in the machine's load falls on all of them.
Prints the median of 20 steps per format and its ratio to float32.

It measures the kernels alone (Debian's python3-torch is the same ATen as the LibTorch emotrace
links). The trainer end to end: emotrace-train-bench --compare-channels-last (docs/table2.md).

Run: /usr/bin/python3 bench/train/pytorch_step_formats.py [--threads 2] [MODEL ...]
"""
import argparse
import statistics
import time

import torch
import torchvision


def make(name):
    if name == "vgg16":
        model = torchvision.models.vgg16(num_classes=8)
        model.features[0] = torch.nn.Conv2d(1, 64, 3, padding=1)
        model.avgpool = torch.nn.AdaptiveAvgPool2d(1)
        model.classifier[0] = torch.nn.Linear(512, 4096)
    elif name == "densenet121":
        model = torchvision.models.densenet121(num_classes=8)
        model.features.conv0 = torch.nn.Conv2d(1, 64, 7, stride=1, padding=3, bias=False)
    elif name == "resnet18":
        model = torchvision.models.resnet18(num_classes=8)
        model.conv1 = torch.nn.Conv2d(1, 64, 7, 2, 3, bias=False)
    else:
        raise SystemExit(f"unknown model {name!r}: expected vgg16, densenet121 or resnet18")
    return model


FORMATS = ["float32", "float32 channels-last", "bf16 autocast channels-last"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", default=["densenet121", "vgg16", "resnet18"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} threads, batch 32, 48x48, AdamW")
    for name in args.models:
        setups = {}
        for fmt in FORMATS:
            torch.manual_seed(0)
            model = make(name)
            x = torch.rand(32, 1, 48, 48)
            y = torch.randint(0, 8, (32,))
            if "channels-last" in fmt:
                model = model.to(memory_format=torch.channels_last)
                x = x.contiguous(memory_format=torch.channels_last)
            optimizer = torch.optim.AdamW(model.parameters(), 1e-3, weight_decay=1e-4)
            setups[fmt] = (model, x, y, optimizer)
        times = {fmt: [] for fmt in FORMATS}
        for round_ in range(args.rounds):
            for fmt, (model, x, y, optimizer) in setups.items():
                for _ in range(4):
                    started = time.perf_counter()
                    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=fmt.startswith("bf16")):
                        loss = torch.nn.functional.cross_entropy(model(x), y)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    if round_ > 0:
                        times[fmt].append(time.perf_counter() - started)
        base = statistics.median(times["float32"])
        for fmt in FORMATS:
            median = statistics.median(times[fmt])
            print(f"{name:12s} {fmt:28s} median {1000 * median:6.0f} ms"
                  f"  ({len(times[fmt])} steps)  ratio {median / base:.2f}")


if __name__ == "__main__":
    main()
