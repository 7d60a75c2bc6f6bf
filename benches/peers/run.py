#!/usr/bin/env python3
"""Peer benchmark: broadside and Typst on the same job, in turn (A B A B …), whole processes,
each run into a fresh output folder (broadside skips documents whose inputs are unchanged).

    python3 benches/peers/run.py [--runs N] [--batch-runs N]

Jobs:
  single  one English statewide flyer, one cold process each:
          `broadside build --county statewide --layout flyer-letter --lang en`
          vs a fresh Python process that imports the PyPI `typst` package and compiles
          benches/peers/flyer.typ (the Typst CLI is not installable from the registries
          this project uses; `python -c pass` is timed too, so its start-up can be read off);
  batch   the statewide flyer and the 58 counties' flyers, 59 tagged PDFs:
          `broadside build --layout flyer-letter --lang en --jobs 2`
          vs Typst in-process in 2 worker processes (benches/peers/typst_flyer.py).

Prints each side's median wall time, the ratio of the medians and the median of the
pair-by-pair ratios (the machines are shared: read the ratios). Needs a release build
(`cargo build --release --locked`; set BROADSIDE to use another binary) and installs
typst==0.15.0 from PyPI into target/peers-venv on first use.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TYPST_VERSION = "0.15.0"


def target_dir():
    return os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")


def broadside():
    binary = os.environ.get("BROADSIDE") or os.path.join(target_dir(), "release", "broadside")
    if not os.path.exists(binary):
        subprocess.run(["cargo", "build", "--release", "--locked"], cwd=REPO, check=True)
    return binary


def typst_python():
    venv = os.path.join(target_dir(), "peers-venv")
    python = os.path.join(venv, "bin", "python")
    probe = [python, "-c", f"import typst, sys; sys.exit(typst.__version__ != '{TYPST_VERSION}')"]
    if not os.path.exists(python) or subprocess.run(probe).returncode != 0:
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", f"typst=={TYPST_VERSION}"], check=True)
    return python


def timed(argv, out):
    """Wall seconds of one whole process writing into a fresh `out`."""
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(argv)}\n{done.stderr.decode(errors='replace')}")
    return elapsed


def count_pdfs(out):
    return sum(f.endswith(".pdf") for _, _, files in os.walk(out) for f in files)


def compare(label, a_argv, b_argv, runs, scratch):
    a_out, b_out = os.path.join(scratch, "a"), os.path.join(scratch, "b")
    # One warm-up of each (page cache, venv imports), not counted.
    timed(a_argv(a_out), a_out)
    timed(b_argv(b_out), b_out)
    a_pdfs, b_pdfs = count_pdfs(a_out), count_pdfs(b_out)
    a_times, b_times = [], []
    for _ in range(runs):
        a_times.append(timed(a_argv(a_out), a_out))
        b_times.append(timed(b_argv(b_out), b_out))
    a_med, b_med = statistics.median(a_times), statistics.median(b_times)
    pair = statistics.median(b / a for a, b in zip(a_times, b_times))
    print(f"{label}  ({runs} runs each, alternating)")
    print(f"  broadside  {a_pdfs:3} PDFs  median {a_med * 1000:8.1f} ms  (min {min(a_times) * 1000:.1f}, max {max(a_times) * 1000:.1f})")
    print(f"  typst      {b_pdfs:3} PDFs  median {b_med * 1000:8.1f} ms  (min {min(b_times) * 1000:.1f}, max {max(b_times) * 1000:.1f})")
    print(f"  typst / broadside: {b_med / a_med:.2f}x (medians), {pair:.2f}x (median of pairs)")
    return a_med, b_med


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="runs of the single-flyer job")
    parser.add_argument("--batch-runs", type=int, default=7, help="runs of the batch job")
    args = parser.parse_args()
    bin_ = broadside()
    python = typst_python()
    driver = os.path.join(HERE, "typst_flyer.py")
    year = ["--year", "2027"]
    print(f"broadside: {bin_}; typst {TYPST_VERSION} (PyPI) via {python}")
    print(f"machine: {os.cpu_count()} cores, {os.uname().machine}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    with tempfile.TemporaryDirectory() as scratch:
        py_out = os.path.join(scratch, "py")
        startup = statistics.median(timed([python, "-c", "pass"], py_out) for _ in range(args.runs))
        print(f"python start-up alone (part of each typst single run): {startup * 1000:.1f} ms")
        compare(
            "single: one English flyer, cold process",
            lambda out: [bin_, "build", "--county", "statewide", "--layout", "flyer-letter", "--lang", "en", *year, "--out", out],
            lambda out: [python, driver, "single", out],
            args.runs,
            scratch,
        )
        compare(
            "batch: 59 English flyers (statewide + 58 counties), 2 cores",
            lambda out: [bin_, "build", "--layout", "flyer-letter", "--lang", "en", "--jobs", "2", *year, "--out", out],
            lambda out: [python, driver, "batch", out, "2"],
            args.batch_runs,
            scratch,
        )


if __name__ == "__main__":
    main()
