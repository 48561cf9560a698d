"""The one version string of every number this package computes."""

from __future__ import annotations

METRICS_VERSION = "3"
"""Changes whenever any metric value could change (a normaliser, tokenizer or formula)."""
