"""Kura's benchmarks: ``make bench`` (``python -m bench``); results are recorded in docs/benchmarks.md.

Each benchmark times the real thing against a floor measured in the same run and reports medians,
because the machines are shared and noisy.  Performance targets live here, never in timed tests.
"""
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / 'bench' / 'out'
DOCS = ROOT / 'docs' / 'benchmarks.md'
