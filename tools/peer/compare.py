#!/usr/bin/env python3
"""emotrace beside face-api.js on the same pictures, on the same faces.

usage: compare.py PICTURES_DIR PEER_CSV EMOTRACE_PREDICTIONS_CSV

PICTURES_DIR is what `emotrace-evaluate --write-pictures` wrote (pictures.csv), PEER_CSV what
`node peer.js PICTURES_DIR` printed, EMOTRACE_PREDICTIONS_CSV the predictions.csv of the same
`emotrace-evaluate` run (`--out`). Prints accuracy and macro-F1 of both on

- the pictures of the classes face-api can name (it has no contempt), each program through its
  own detector, on the faces each one found;
- the faces both detectors found, so that neither is scored on pictures the other skipped.

Macro-F1 is the mean F1 over the true classes present in the set scored, as peer.js and
`emotrace-evaluate --present-classes-only` count it. Only the standard library: no network.
"""
import csv
import sys

FACE_API_CLASSES = {"angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"}


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def scores(pairs):
    """pairs: (truth, predicted); returns (count, accuracy %, macro-F1 %)."""
    if not pairs:
        return 0, float("nan"), float("nan")
    classes = sorted({t for t, _ in pairs})
    f1s = []
    for c in classes:
        tp = sum(1 for t, p in pairs if t == c and p == c)
        fp = sum(1 for t, p in pairs if t != c and p == c)
        fn = sum(1 for t, p in pairs if t == c and p != c)
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    correct = sum(1 for t, p in pairs if t == p)
    return len(pairs), 100 * correct / len(pairs), 100 * sum(f1s) / len(f1s)


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    pictures_dir, peer_csv, emotrace_csv = argv[1:]
    pictures = read_rows(pictures_dir.rstrip("/") + "/pictures.csv")
    peer = {row["file"]: row for row in read_rows(peer_csv)}
    # emotrace's predictions name each picture by its dataset origin; the pictures list maps
    # files to origins. A face its detector missed has no row.
    emotrace = {row["origin"]: row["predicted"] for row in read_rows(emotrace_csv)}
    missing = [p["file"] for p in pictures if p["file"] not in peer]
    if missing:
        print(f"{peer_csv}: expected a row for every picture, {len(missing)} missing "
              f"(first: {missing[0]})", file=sys.stderr)
        return 1

    known = [p for p in pictures if p["label"] in FACE_API_CLASSES]
    ours = [(p["label"], emotrace[p["origin"]]) for p in known if p["origin"] in emotrace]
    theirs = [(p["label"], peer[p["file"]]["detected"]) for p in known
              if peer[p["file"]]["detected"]]
    both = [p for p in known if p["origin"] in emotrace and peer[p["file"]]["detected"]]
    ours_on_both = [(p["label"], emotrace[p["origin"]]) for p in both]
    theirs_on_both = [(p["label"], peer[p["file"]]["detected"]) for p in both]

    print(f"{len(known)} pictures of classes face-api can name")
    for name, pairs in (("emotrace, its own detector", ours),
                        ("face-api, its own detector", theirs),
                        ("emotrace, faces both found", ours_on_both),
                        ("face-api, faces both found", theirs_on_both)):
        count, accuracy, macro_f1 = scores(pairs)
        print(f"{name}: {count} faces, accuracy {accuracy:.2f} %, macro-F1 {macro_f1:.2f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
