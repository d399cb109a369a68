#!/usr/bin/python3
"""Export a PyTorch emotion model to a file the emotrace dashboard loads.

emotrace reads a TorchScript archive whose extra file "emotrace.json" holds the metadata
(docs/model-format.md). This script scripts (or traces) a model and writes exactly that.

Examples:
  # a torchvision ResNet18 adapted to 48x48 grey input, from a state_dict you trained
  tools/export_pytorch_model.py --torchvision resnet18 --state-dict mine.pth \
      --labels angry,contempt,disgust,fear,happy,neutral,sad,surprise --out mine.pt
  # an untrained one (for tests and benchmarks)
  tools/export_pytorch_model.py --torchvision resnet18 --seed 1 --out random.pt
"""
import argparse
import json
import sys

PAPER_LABELS = "angry,contempt,disgust,fear,happy,neutral,sad,surprise"


def torchvision_model(name, num_classes, channels):
    import torch
    import torchvision

    model = getattr(torchvision.models, name)(num_classes=num_classes)
    if name.startswith("resnet"):
        model.conv1 = torch.nn.Conv2d(channels, 64, 7, 2, 3, bias=False)
    else:
        raise SystemExit(f"export_pytorch_model: --torchvision {name} is not supported here; "
                         "script your own model and pass metadata with emotrace.json")
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--torchvision", default="resnet18", help="torchvision architecture")
    parser.add_argument("--state-dict", help="weights saved with torch.save(model.state_dict())")
    parser.add_argument("--labels", default=PAPER_LABELS, help="class names in output order")
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--size", type=int, default=48)
    parser.add_argument("--mean", type=float, default=0.0)
    parser.add_argument("--std", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--description", default="exported from PyTorch")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    import torch

    torch.manual_seed(args.seed)
    labels = [label.strip() for label in args.labels.split(",") if label.strip()]
    model = torchvision_model(args.torchvision, len(labels), args.channels)
    if args.state_dict:
        model.load_state_dict(torch.load(args.state_dict, map_location="cpu"))
    model.eval()
    metadata = {
        "format_version": 1,
        "architecture": args.torchvision,
        "labels": labels,
        "input": {"width": args.size, "height": args.size, "channels": args.channels},
        "normalization": {"mean": args.mean, "std": args.std},
        "outputs_logits": True,
        "description": args.description,
    }
    scripted = torch.jit.script(model)
    torch.jit.save(scripted, args.out, _extra_files={"emotrace.json": json.dumps(metadata)})
    print(f"wrote {args.out}: {args.torchvision}, {len(labels)} classes", file=sys.stderr)


if __name__ == "__main__":
    main()
