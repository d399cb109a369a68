#!/usr/bin/env python3
"""PyTorch/torchvision baseline for emotrace's training-throughput benchmark.

Trains the same network as emotrace (ResNet18 with a one-channel stem, or MyCNNv1) on the same
images with the same protocol: batch 32, AdamW (lr 1e-3, weight decay 1e-4), the paper's
augmentation (horizontal flip, rotation +-15 degrees, scaling +-10%) done by torchvision on PIL
images in one DataLoader worker (not persistent: PyTorch's default, so its CPU time is counted
when it exits at the end of each pass), torch.set_num_threads(THREADS). emotrace-train-bench writes the
images as raw bytes (N x 48 x 48 uint8, then N int64 labels) and runs this script; it prints one
JSON line per model: warm-up excluded, the wall time and the CPU time (this process and its
loader workers) of full passes over the N items.

Run by hand: /usr/bin/python3 bench/train/pytorch_train_baseline.py DATA.bin N --models resnet18
"""
import argparse
import json
import resource
import time

import numpy as np
import torch
import torch.nn as nn
import torchvision
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms


class RawFaces(Dataset):
    def __init__(self, path, count, size, transform):
        raw = np.fromfile(path, dtype=np.uint8)
        pixels = count * size * size
        self.images = raw[:pixels].reshape(count, size, size)
        self.labels = raw[pixels:pixels + 8 * count].view(np.int64)
        self.transform = transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        image = Image.fromarray(self.images[index], mode="L")
        return self.transform(image), int(self.labels[index])


class MyCnnV1(nn.Module):
    """emotrace's mycnn_v1: conv 32 and 64 with max-pooling, fc 128, dropout 0.5, classifier."""

    def __init__(self, classes, size=48):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * (size // 4) ** 2, 128)
        self.fc2 = nn.Linear(128, classes)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = torch.dropout(torch.relu(self.fc1(torch.flatten(x, 1))), 0.5, self.training)
        return self.fc2(x)


def make_model(name, classes):
    if name == "mycnn_v1":
        return MyCnnV1(classes)
    if name == "resnet18":
        model = torchvision.models.resnet18(num_classes=classes)
        model.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
        return model
    raise SystemExit(f"unknown model {name}: expected resnet18 or mycnn_v1")


def cpu_seconds():
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def one_pass(model, loader, optimizer, loss_fn, max_steps=None):
    steps = 0
    for images, labels in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        steps += 1
        if max_steps is not None and steps >= max_steps:
            break
    return steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("count", type=int)
    parser.add_argument("--size", type=int, default=48)
    parser.add_argument("--classes", type=int, default=8)
    parser.add_argument("--models", default="resnet18,mycnn_v1")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--passes", type=int, default=1)
    parser.add_argument("--warmup-steps", type=int, default=3)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    augment = transforms.Compose([
        transforms.RandomHorizontalFlip(),
        transforms.RandomAffine(degrees=15, scale=(0.9, 1.1)),
        transforms.ToTensor(),
    ])
    data = RawFaces(args.data, args.count, args.size, augment)
    for name in args.models.split(","):
        model = make_model(name, args.classes)
        model.train()
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
        loss_fn = nn.CrossEntropyLoss()
        loader = DataLoader(data, batch_size=args.batch_size, shuffle=True,
                            num_workers=args.workers)
        one_pass(model, loader, optimizer, loss_fn, args.warmup_steps)
        times = []
        cpu_times = []
        for _ in range(args.passes):
            start, cpu_start = time.perf_counter(), cpu_seconds()
            steps = one_pass(model, loader, optimizer, loss_fn)
            times.append(time.perf_counter() - start)
            cpu_times.append(cpu_seconds() - cpu_start)
        middle = len(times) // 2
        print(json.dumps({"model": name, "items": args.count, "steps": steps,
                          "seconds": sorted(times)[middle], "all_seconds": times,
                          "cpu_seconds": sorted(cpu_times)[middle],
                          "threads": args.threads, "workers": args.workers,
                          "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
