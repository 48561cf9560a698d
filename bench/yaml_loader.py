"""Parse a 10,000-encounter dataset manifest with the tool's YAML loader (issue 19, item 5).

The tool's loader (``scribe_eval._yaml``: libyaml's C parser when present, plus a duplicate-key
check on every mapping) is measured against two peers in the same run: PyYAML's pure-Python
``yaml.safe_load`` (what the tool used before) and the bare ``yaml.CSafeLoader`` (the floor: the C
loader without the duplicate-key check). All three must build the same data. Min and median of
three runs, with the load average. Run: ``.venv/bin/python bench/yaml_loader.py [ENCOUNTERS]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import yaml

from scribe_eval._yaml import load_yaml_text, uses_c_loader

RUNS = 3


def manifest(encounters: int) -> str:
    """A manifest shaped like an imported dataset's: audio, roles, transcript, notes, tags."""
    entries = [
        {
            "id": f"enc-{i:05d}",
            "language": "en" if i % 5 else "de",
            "audio": {"path": f"audio/enc-{i:05d}.ogg", "roles": {0: "doctor", 1: "patient"}},
            "transcript": f"transcripts/enc-{i:05d}.txt",
            "notes": {
                "soap": {
                    "path": f"notes/enc-{i:05d}.soap.md",
                    "section_keys": {
                        "Subjective": "corti-subjective",
                        "Objective": "corti-objective",
                        "Assessment": "corti-assessment",
                        "Plan": "corti-plan",
                    },
                }
            },
            "tags": ["adult", "telephone"] if i % 3 else ["child"],
            "keyterms": ["amoxicillin", "paracetamol"],
        }
        for i in range(encounters)
    ]
    data = {"name": "bench", "licence": "CC-BY-4.0", "encounters": entries}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def timed(parse: Callable[[str], Any], text: str, expected: Any) -> tuple[list[float], bool]:
    """Times of ``RUNS`` parses (garbage collected before each), and whether the data matched."""
    times, same = [], True
    for _ in range(RUNS):
        gc.collect()
        started = time.perf_counter()
        result = parse(text)
        times.append(time.perf_counter() - started)
        same = same and result == expected
        del result
    return times, same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("encounters", nargs="?", type=int, default=10_000)
    encounters = parser.parse_args().encounters
    text = manifest(encounters)
    print(
        f"manifest: {encounters} encounters, {len(text) / 1e6:.1f} MB; C loader: {uses_c_loader()}"
    )
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    expected = yaml.load(text, Loader=yaml.SafeLoader)
    peers: dict[str, Callable[[str], Any]] = {
        "yaml.CSafeLoader (bare, the floor)": lambda t: yaml.load(t, Loader=yaml.CSafeLoader),
        "scribe_eval._yaml (C + duplicate keys)": load_yaml_text,
        "yaml.safe_load (pure Python, before)": yaml.safe_load,
    }
    best: dict[str, float] = {}
    for name, parse in peers.items():
        times, same = timed(parse, text, expected)
        best[name] = min(times)
        print(
            f"{name:42s} min {min(times):6.3f} s  median {statistics.median(times):6.3f} s  "
            f"({'identical' if same else 'DIFFERENT'} data)"
        )
    ours = best["scribe_eval._yaml (C + duplicate keys)"]
    print(f"speed-up over pure Python: {best['yaml.safe_load (pure Python, before)'] / ours:.1f}x")
    print(
        f"cost of the duplicate-key check: {ours / best['yaml.CSafeLoader (bare, the floor)']:.2f}x"
    )


if __name__ == "__main__":
    main()
