#!/usr/bin/env python3
"""Why a VGG16 of Table 2 answers the same for every face: its ReLUs, layer by layer.

Reads an emotrace model file of the zoo's plain `vgg16` (best_model.pt of emotrace-train or
emotrace-experiment: a TorchScript module whose parameters are named features_N_* and
classifier_N_*), runs its layers by hand on the first N faces of FER-2013's PrivateTest split
(scaled to [0,1], as the trainer feeds them) and prints, for each ReLU:
  - the share of its outputs that are zero;
  - the share of its channels (units) that are zero for every one of the N faces: dead.
Then how much the logits vary across the faces (0: the network ignores its input, and its answer is
the last layer's bias, the same for every face) and the mean softmax over the faces.

docs/table2.md ("VGG16 fails in the paper and here") quotes its figures.

Run: /usr/bin/python3 tools/vgg16_dead_units.py MODEL.pt [--fer2013 CSV[.xz]] [--faces N]
(Debian's python3-torch: the same ATen as the LibTorch emotrace links.)
"""
import argparse
import csv
import lzma
import os
import sys

import torch
import torch.nn.functional as F

# torchvision's configuration D: a 2x2 max pool after these convolutions.
POOL_AFTER = {2, 7, 14, 21, 28}


def private_test_faces(path, count):
    rows = []
    opener = lzma.open if path.endswith(".xz") else open
    with opener(path, "rt", newline="") as f:
        for row in csv.DictReader(f):
            if row["Usage"] == "PrivateTest":
                rows.append([float(v) / 255.0 for v in row["pixels"].split()])
                if len(rows) == count:
                    break
    if not rows:
        sys.exit(f"{path}: expected FER-2013 rows with Usage PrivateTest, found none")
    return torch.tensor(rows).view(-1, 1, 48, 48)


def report(name, relu_out, unit_dims):
    zero = (relu_out == 0).float().mean().item()
    dead = (relu_out.amax(dim=unit_dims) == 0).float().mean().item()
    print(f"{name:14s} zero outputs {zero:6.1%}   dead units {dead:6.1%}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--fer2013", default=None,
                        help="fer2013.csv or .csv.xz (default: ../cache/data/fer2013/fer2013.csv, "
                             "else ../shared/data/fer2013/fer2013.csv.xz)")
    parser.add_argument("--faces", type=int, default=256)
    args = parser.parse_args()
    if args.fer2013 is None:
        cached = "../cache/data/fer2013/fer2013.csv"
        args.fer2013 = cached if os.path.exists(cached) else "../shared/data/fer2013/fer2013.csv.xz"
    if not os.path.exists(args.fer2013):
        sys.exit(f"{args.fer2013}: expected FER-2013's csv (give --fer2013), found no file")

    torch.set_num_threads(1)
    params = dict(torch.jit.load(args.model, map_location="cpu").named_parameters())
    convs = sorted({int(n.split("_")[1]) for n in params if n.startswith("features_")})
    if not convs or "classifier_6_weight" not in params:
        sys.exit(f"{args.model}: expected emotrace's plain vgg16 (features_N_weight, "
                 f"classifier_6_weight), found parameters {sorted(params)[:4]}...")
    faces = private_test_faces(args.fer2013, args.faces)
    print(f"{args.model}: {len(faces)} PrivateTest faces")
    with torch.no_grad():
        h = faces
        for i in convs:
            h = torch.relu(F.conv2d(h, params[f"features_{i}_weight"],
                                    params[f"features_{i}_bias"], padding=1))
            report(f"features_{i}", h, (0, 2, 3))
            if i in POOL_AFTER:
                h = F.max_pool2d(h, 2, 2)
        h = torch.flatten(F.adaptive_avg_pool2d(h, 1), 1)
        for name in ("classifier_0", "classifier_3"):
            h = torch.relu(h @ params[f"{name}_weight"].t() + params[f"{name}_bias"])
            report(name, h, (0,))
        logits = h @ params["classifier_6_weight"].t() + params["classifier_6_bias"]
    print(f"logits' spread across faces (largest standard deviation of a class): "
          f"{logits.std(0).max().item():.3g}")
    print("mean softmax over faces:", " ".join(f"{p:.3f}" for p in
                                             torch.softmax(logits, 1).mean(0).tolist()))


if __name__ == "__main__":
    main()
