#!/usr/bin/env python3
"""Mutation check: do our tests notice small, realistic bugs in the core?

Applies each mutant of tools/mutants.ini, one at a time, to a scratch clone of the repository's
HEAD, rebuilds only the test target it names, runs the tests it names and reports whether they
failed (the mutant is killed) or passed (it survived). Before any mutant, each (target, tests)
pair is run unmutated and must pass, so a kill means the mutation, not a broken test.

    tools/mutants.py                       # every mutant; writes docs/mutants.md
    tools/mutants.py --only csv-minus-zero-kept,slot-take-does-not-empty --report -
    tools/mutants.py --list                # the mutants, one a line

It takes time (a rebuild of one file and a relink per mutant: about an hour for the whole list on
two cores), so it runs outside CI. Exit status: 0 when every mutant was killed, 1 when one
survived or could not be applied or built, 2 for a usage error.
"""

import argparse
import configparser
import datetime
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ("file", "target", "tests", "why", "find", "replace")


def load_mutants(path):
    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=("#",),
                                       inline_comment_prefixes=None, strict=True)
    parser.optionxform = str
    with open(path, encoding="utf-8") as f:
        parser.read_file(f)
    mutants = []
    for name in parser.sections():
        section = parser[name]
        missing = [field for field in FIELDS if not section.get(field, "").strip()]
        if missing:
            sys.exit(f"{path}: mutant [{name}] lacks {', '.join(missing)}")
        mutant = {field: section[field].strip() for field in FIELDS}
        mutant["id"] = name
        mutant["binary"] = section.get("binary", mutant["target"]).strip()
        mutants.append(mutant)
    return mutants


def pattern_of(find):
    """The text as a regex in which any run of white space matches any other."""
    return r"\s+".join(re.escape(token) for token in find.split())


def run(command, cwd, log, timeout=None, env=None):
    """Runs a command; returns (exit status or 'timeout', seconds). Output goes to `log`."""
    started = time.monotonic()
    with open(log, "w", encoding="utf-8") as out:
        try:
            process = subprocess.run(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                     timeout=timeout, env=env)
            status = process.returncode
        except subprocess.TimeoutExpired:
            status = "timeout"
    return status, time.monotonic() - started


def failed_tests(log):
    names = []
    for line in Path(log).read_text(encoding="utf-8", errors="replace").splitlines():
        match = re.match(r"\[  FAILED  \] (\S+\.\S+)", line)
        if match and match.group(1) not in names:
            names.append(match.group(1))
    return names


def tests_ran(log):
    match = re.search(r"\[==========\] (\d+) tests? from", Path(log).read_text(errors="replace"))
    return int(match.group(1)) if match else 0


def prepare_scratch(scratch, data, jobs):
    if not (scratch / ".git").exists():
        subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(scratch)],
                       check=True)
    subprocess.run(["git", "fetch", "--quiet", str(ROOT), "HEAD"], cwd=scratch, check=True)
    subprocess.run(["git", "reset", "--quiet", "--hard", "FETCH_HEAD"], cwd=scratch, check=True)
    subprocess.run(["git", "clean", "--quiet", "-fdx", "-e", "build"], cwd=scratch, check=True)
    build = scratch / "build"
    if not (build / "build.ninja").exists():
        subprocess.run(["cmake", "-S", str(scratch), "-B", str(build), "-G", "Ninja",
                        "-DCMAKE_BUILD_TYPE=Release", f"-DEMOTRACE_TEST_DATA={data}"],
                       check=True, stdout=subprocess.DEVNULL)
    return build


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", default=str(ROOT / "tools" / "mutants.ini"))
    parser.add_argument("--only", default="", help="comma-separated mutant ids")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--scratch", default="/tmp/emotrace-mutants",
                        help="the scratch clone (made when absent, reset to HEAD when present)")
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--report", default=str(ROOT / "docs" / "mutants.md"),
                        help="markdown report ('-' for standard output only)")
    parser.add_argument("--timeout", type=int, default=300,
                        help="seconds a test run may take before it counts as hung (a kill)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    mutants = load_mutants(args.mutants)
    if args.list:
        for m in mutants:
            print(f"{m['id']:45} {m['file']:42} {m['why']}")
        return 0
    if args.only:
        wanted = args.only.split(",")
        unknown = [w for w in wanted if w not in {m["id"] for m in mutants}]
        if unknown:
            print(f"unknown mutant(s): {', '.join(unknown)}", file=sys.stderr)
            return 2
        mutants = [m for m in mutants if m["id"] in wanted]
    if subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                      capture_output=True, text=True).stdout.strip():
        print("note: uncommitted changes are not in the scratch clone (it takes HEAD)",
              file=sys.stderr)

    scratch = Path(args.scratch)
    env = dict(os.environ, CCACHE_BASEDIR=str(scratch), QT_QPA_PLATFORM="offscreen")
    build = prepare_scratch(scratch, args.data, args.jobs)
    logs = scratch / "mutant-logs"
    logs.mkdir(exist_ok=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=scratch,
                            capture_output=True, text=True).stdout.strip()

    def build_target(target, log):
        return run(["cmake", "--build", str(build), "-j", str(args.jobs), "--target", target],
                   scratch, log, env=env)

    def run_tests(mutant, log):
        binary = build / "tests" / mutant["binary"]
        return run([str(binary), f"--gtest_filter={mutant['tests']}"], build / "tests", log,
                   timeout=args.timeout, env=env)

    # The unmutated baseline: each target builds and each filter passes with at least one test.
    for target in sorted({m["target"] for m in mutants}):
        status, _ = build_target(target, logs / f"baseline-build-{target}.log")
        if status != 0:
            print(f"the unmutated {target} does not build: {logs}/baseline-build-{target}.log",
                  file=sys.stderr)
            return 1
    baseline_bad = []
    for number, key in enumerate(sorted({(m["binary"], m["tests"]) for m in mutants})):
        log = logs / f"baseline-{number}-{key[0]}.log"
        status, _ = run_tests({"binary": key[0], "tests": key[1]}, log)
        if status != 0 or tests_ran(log) == 0:
            baseline_bad.append(f"{key[0]} --gtest_filter={key[1]} ({log})")
    if baseline_bad:
        print("the unmutated tests must pass and run at least one test:\n  " +
              "\n  ".join(baseline_bad), file=sys.stderr)
        return 1

    results = []
    for m in mutants:
        source = scratch / m["file"]
        original = source.read_bytes()
        text = original.decode("utf-8")
        matches = list(re.finditer(pattern_of(m["find"]), text))
        started = time.monotonic()
        if len(matches) != 1:
            results.append((m, "NOT APPLIED", f"`find` occurs {len(matches)} times", 0.0))
            print(f"{m['id']}: NOT APPLIED (find occurs {len(matches)} times)", flush=True)
            continue
        found = matches[0]
        source.write_text(text[:found.start()] + m["replace"] + text[found.end():],
                          encoding="utf-8")
        try:
            status, _ = build_target(m["target"], logs / f"{m['id']}-build.log")
            if status != 0:
                outcome, detail = "NOT BUILT", f"mutant-logs/{m['id']}-build.log"
            else:
                log = logs / f"{m['id']}-tests.log"
                status, _ = run_tests(m, log)
                if status == "timeout":
                    outcome, detail = "killed", f"hung past {args.timeout} s"
                elif status != 0:
                    failed = failed_tests(log)
                    outcome = "killed"
                    detail = ", ".join(failed) if failed else f"exit status {status}"
                else:
                    outcome, detail = "SURVIVED", f"{tests_ran(log)} tests passed"
        finally:
            source.write_bytes(original)
        seconds = time.monotonic() - started
        results.append((m, outcome, detail, seconds))
        print(f"{m['id']}: {outcome} ({detail}) {seconds:.0f} s", flush=True)

    killed = sum(1 for r in results if r[1] == "killed")
    lines = [
        "# Mutation check",
        "",
        "Small, realistic bugs planted one at a time in the core's arithmetic and threading "
        "code (`tools/mutants.ini`); each must make the tests it names fail. Made by "
        "`tools/mutants.py` (docs/testing.md says how to run it).",
        "",
        f"Last run: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit "
        f"{commit}, {platform.node()} ({os.cpu_count()} cores). "
        f"**{killed} of {len(results)} killed.**",
        "",
        "| mutant | file | the bug | result | failing tests | s |",
        "|---|---|---|---|---|---:|",
    ]
    for m, outcome, detail, seconds in results:
        lines.append(f"| {m['id']} | {m['file']} | {m['why']} | {outcome} | {detail} | "
                     f"{seconds:.0f} |")
    report = "\n".join(lines) + "\n"
    if args.report == "-":
        print(report)
    else:
        Path(args.report).write_text(report, encoding="utf-8")
        print(f"report: {args.report}")
    print(f"{killed} of {len(results)} mutants killed")
    return 0 if killed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
