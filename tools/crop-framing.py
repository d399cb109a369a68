#!/usr/bin/python3
"""Where the app's face detector puts its box inside the training crops (FER-2013, CK+48).

The app crops a live face as a square around YuNet's box, grown by CropOptions::margin on every
side (core/include/emotrace/preprocess.h). The classifier learned from FER-2013's and CK+48's own
crops. This script measures which margin reproduces their framing: each crop is enlarged 4x,
the frames are run through `emotrace-analyze --no-model` (the app's detector, as on a video) and
the box is compared with the crop it came from. The margin that makes a square of the box's
width grown on both sides as wide as the crop is (side / box width - 1) / 2.

    tools/crop-framing.py [--build build] [--data ../cache/data]

Needs python3-numpy, python3-pil and ffmpeg (to pack the enlarged crops as a lossless video),
and the unpacked data (../shared/data/unpack.sh ../cache/data). Results: docs/datasets.md.
"""
import argparse
import csv
import glob
import os
import subprocess
import tempfile

import numpy as np
from PIL import Image

SCALE = 4
SIDE = 48 * SCALE


def fer_public_test(data):
    with open(os.path.join(data, "fer2013", "fer2013.csv")) as rows:
        next(rows)
        for line in rows:
            _, pixels, usage = line.strip().split(",")
            if usage == "PublicTest":
                yield np.array(pixels.split(), dtype=np.uint8).reshape(48, 48)


def ck_plus(data):
    for path in sorted(glob.glob(os.path.join(data, "CK+48", "*", "*.png"))):
        yield np.asarray(Image.open(path).convert("L"))


def boxes(images, build, work):
    os.makedirs(work, exist_ok=True)
    count = 0
    for count, image in enumerate(images, 1):
        big = Image.fromarray(image).resize((SIDE, SIDE), Image.BICUBIC).convert("RGB")
        big.save(os.path.join(work, "%06d.png" % (count - 1)))
    video = os.path.join(work, "crops.mkv")
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-framerate", "30", "-i",
                    os.path.join(work, "%06d.png"), "-c:v", "ffv1", video], check=True)
    table = os.path.join(work, "boxes.csv")
    subprocess.run([os.path.join(build, "app", "emotrace-analyze"), video, "--no-model",
                    "--no-store", "--no-progress", "--csv", table, "--json",
                    os.path.join(work, "summary.json")], check=True, stderr=subprocess.DEVNULL)
    with open(table) as f:
        faces = [r for r in csv.DictReader(f) if r["face"] == "0"]
    return count, faces


def report(name, count, faces):
    w = np.array([float(r["width"]) for r in faces])
    h = np.array([float(r["height"]) for r in faces])
    cx = np.array([float(r["x"]) for r in faces]) + w / 2
    cy = np.array([float(r["y"]) for r in faces]) + h / 2
    rows = [("box width / crop width", w / SIDE),
            ("margin that reproduces the crop", (SIDE / w - 1) / 2),
            ("crop centre - box centre, x / box width", (SIDE / 2 - cx) / w),
            ("crop centre - box centre, y / box width", (SIDE / 2 - cy) / w)]
    print(f"{name}: a face found in {len(faces)} of {count} crops")
    print("| measure | p10 | p25 | median | p75 | p90 |\n|---|---|---|---|---|---|")
    for label, values in rows:
        cells = " | ".join("%.3f" % v for v in np.percentile(values, [10, 25, 50, 75, 90]))
        print(f"| {label} | {cells} |")
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--data", default="../cache/data")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        for name, images in [("FER-2013 PublicTest", fer_public_test(args.data)),
                             ("CK+48 (all)", ck_plus(args.data))]:
            report(name, *boxes(images, args.build, os.path.join(work, name.split()[0])))


if __name__ == "__main__":
    main()
