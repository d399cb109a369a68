#!/usr/bin/python3
"""PyTorch baseline for emotrace-bench's classifier benchmark.

The same network as emotrace's ResNet18 (torchvision's resnet18 with a one-channel conv1 and
8 classes, 48x48 grey input), timed from Python with the same torch (Debian's python3-torch)
at the same thread counts and batch sizes, eager and frozen (torch.jit.freeze +
optimize_for_inference). emotrace-bench runs this script in the same run as its own timings
and compares; it prints one JSON document on stdout with every run's time in milliseconds, so
both sides are summarised by the same code.

Run it alone with:  /usr/bin/python3 bench/pytorch_baseline.py --runs 20
"""

import argparse
import json
import sys
import time

import torch
import torchvision


def build_model(num_classes: int, seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    model = torchvision.models.resnet18(num_classes=num_classes)
    model.conv1 = torch.nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    return model.eval()


def frozen(model: torch.nn.Module) -> torch.jit.ScriptModule:
    # What emotrace's ClassifierOptions{.optimize = true} does to its TorchScript module.
    return torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.script(model)))


def time_runs(model, batch: int, warmup: int, runs: int, size: int) -> list:
    inputs = torch.rand(batch, 1, size, size)
    times = []
    with torch.inference_mode():
        for i in range(warmup + runs):
            start = time.perf_counter()
            # Softmax too: emotrace's classify() returns probabilities, so both sides pay it.
            torch.softmax(model(inputs), 1)
            elapsed = (time.perf_counter() - start) * 1000.0
            if i >= warmup:
                times.append(elapsed)
    return times


def parse_list(text: str) -> list:
    try:
        values = [int(part) for part in text.split(",") if part]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got '{text}'")
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers, got '{text}'")
    return values


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="timed runs per configuration")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs first")
    parser.add_argument("--threads", type=parse_list, default=[1, 2], help="e.g. 1,2")
    parser.add_argument("--batches", type=parse_list, default=[1, 32], help="e.g. 1,32")
    parser.add_argument("--size", type=int, default=48, help="input side in pixels")
    parser.add_argument("--classes", type=int, default=8)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    if args.runs < 1 or args.warmup < 0:
        parser.error(f"--runs must be >= 1 and --warmup >= 0, got {args.runs} and {args.warmup}")

    eager = build_model(args.classes, args.seed)
    variants = {"eager": eager, "frozen": frozen(eager)}
    results = []
    for threads in args.threads:
        torch.set_num_threads(threads)
        for name, model in variants.items():
            for batch in args.batches:
                times = time_runs(model, batch, args.warmup, args.runs, args.size)
                results.append(
                    {"variant": name, "threads": threads, "batch": batch, "times_ms": times})
    json.dump({
        "torch_version": torch.__version__,
        "torchvision_version": torchvision.__version__,
        "python": sys.version.split()[0],
        "runs": args.runs,
        "warmup": args.warmup,
        "results": results,
    }, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
