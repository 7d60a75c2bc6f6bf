"""Typst side of the peer benchmark: the flyer of benches/peers/flyer.typ for the
statewide edition, or for the statewide edition and every county of the bundled campaign,
compiled in-process by the PyPI `typst` package (one Compiler per worker process, so fonts
are read once per process), tagged PDF/UA-1, written to OUT.

    python typst_flyer.py single OUT
    python typst_flyer.py batch OUT [PROCESSES]
"""

import csv
import multiprocessing
import os
import sys

import typst

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CAMPAIGN = os.path.join(REPO, "content", "trafficking-prevention")


def editions():
    """(slug, sys_inputs) of the statewide edition and every county with an English edition,
    with the county sheet's overrides, as broadside reads counties.csv."""
    out = [("statewide", {"edition": "California"})]
    with open(os.path.join(CAMPAIGN, "counties.csv"), newline="") as f:
        for row in csv.DictReader(f):
            langs = row["languages"].split() or ["en"]
            if "en" not in langs:
                continue
            inputs = {"edition": f"{row['county']} County"}
            for var in ("program", "contact", "phone"):
                if row.get(var):
                    inputs[var] = row[var]
            out.append((row["county"].lower().replace(" ", "-"), inputs))
    return out


def work(chunk, out):
    compiler = typst.Compiler(
        os.path.join(HERE, "flyer.typ"),
        font_paths=[os.path.join(REPO, "fonts")],
        ignore_system_fonts=True,
    )
    for slug, inputs in chunk:
        folder = os.path.join(out, slug)
        os.makedirs(folder, exist_ok=True)
        compiler.compile(
            output=os.path.join(folder, "flyer-letter.pdf"),
            sys_inputs=inputs,
            pdf_standards=["ua-1"],
        )


def main():
    mode, out = sys.argv[1], sys.argv[2]
    if mode == "single":
        work(editions()[:1], out)
        return
    processes = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    all_editions = editions()
    chunks = [all_editions[i::processes] for i in range(processes)]
    workers = [
        multiprocessing.Process(target=work, args=(chunk, out)) for chunk in chunks
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
        if w.exitcode != 0:
            sys.exit(f"a Typst worker failed ({w.exitcode})")


if __name__ == "__main__":
    main()
