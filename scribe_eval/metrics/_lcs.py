"""Fast longest-common-subsequence kernels, equal to rouge-score's pure-Python ones.

- ``lcs_length``: rapidfuzz's bit-parallel LCS over token ids mapped to characters.
- ``union_lcs_indices``: for every reference sentence, the union of the LCS *indices* that
  rouge-score's ``lcs_ind`` picks against each candidate sentence. The chosen LCS matters (the
  union and the later hit counting depend on which one the backtrack reads out), so this is
  rouge-score's own table and backtrack, vectorised with numpy:

  * the table is built one reference row at a time for *all* reference sentences against *all*
    candidate sentences at once. With ``m`` = match indicator, row ``i`` is
    ``cummax(max(T[i-1][j], T[i-1][j-1] + m))`` along ``j``, which equals the textbook recurrence
    because LCS tables never decrease along a row. Candidate sentences sit side by side, each
    behind its own zero column; adding a per-sentence offset larger than any value makes one
    cumulative maximum restart at every sentence.
  * the backtrack walks every (reference, candidate) pair in lock-step with the same rule as
    ``_backtrack_norec``: on a token match take it, else go left when ``T[i][j-1] > T[i-1][j]``,
    otherwise up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import LCSseq

__all__ = ["lcs_length", "to_chars", "union_lcs_indices"]

_SURROGATES = 0xD800
_SURROGATE_SPAN = 0x800
# Cap on table cells built at once (int32): ~256 MB; larger inputs are done in chunks of
# reference sentences, which gives the same answer.
_MAX_CELLS = 64_000_000
# Below this many walks still going, the backtrack finishes them in plain Python.
_PYTHON_TAIL = 16


def to_chars(ids: Sequence[int]) -> str:
    """Map token ids to one character each (skipping surrogates) for rapidfuzz."""
    return "".join(chr(i + _SURROGATE_SPAN if i >= _SURROGATES else i) for i in ids)


def lcs_length(a: str, b: str) -> int:
    """Length of the LCS of two id strings made by ``to_chars``."""
    return int(LCSseq.similarity(a, b))


def union_lcs_indices(
    refs: Sequence[Sequence[int]], cands: Sequence[Sequence[int]]
) -> list[list[int]]:
    """For each reference sentence, the sorted union of its LCS indices with every candidate."""
    out: list[list[int]] = []
    width = sum(len(c) + 1 for c in cands)
    step = max(1, _MAX_CELLS // max(1, width * (max(map(len, refs), default=0) + 1)))
    for lo in range(0, len(refs), step):
        out.extend(_union_chunk(refs[lo : lo + step], cands))
    return out


def _union_chunk(refs: Sequence[Sequence[int]], cands: Sequence[Sequence[int]]) -> list[list[int]]:
    # Longest reference sentences first: row i of the table is then only needed for a prefix
    # of the sentences (those at least i long), so padding costs nothing.
    order = sorted(range(len(refs)), key=lambda p: -len(refs[p]))
    ref_len = np.array([len(refs[p]) for p in order], dtype=np.int64)
    max_len = int(ref_len[0]) if len(order) else 0
    ref_tok = np.full((len(order), max_len), -2, dtype=np.int64)
    ref_tok[np.arange(max_len) < ref_len[:, None]] = _flatten(refs[p] for p in order)
    cand_len = np.array([len(c) for c in cands], dtype=np.int64)
    start = np.concatenate(([0], np.cumsum(cand_len + 1)[:-1])).astype(np.int64)
    cand_tok = np.full(int((cand_len + 1).sum()), -1, dtype=np.int64)
    segment = np.repeat(np.arange(len(cands)), cand_len + 1)
    is_token = np.ones(cand_tok.shape[0], dtype=bool)
    is_token[start] = False
    cand_tok[is_token] = _flatten(cands)
    table = _table(ref_tok, ref_len, cand_tok, start, segment)
    used = _backtrack(table, ref_tok, ref_len, cand_tok, start, cand_len)
    rows, cols = np.nonzero(used)
    bounds = np.searchsorted(rows, np.arange(len(order) + 1)).tolist()
    flat_cols = cols.tolist()
    out: list[list[int]] = [[] for _ in refs]
    for row, p in enumerate(order):
        out[p] = flat_cols[bounds[row] : bounds[row + 1]]
    return out


def _flatten(sentences: Iterable[Sequence[int]]) -> npt.NDArray[np.int64]:
    return np.fromiter((t for s in sentences for t in s), dtype=np.int64)


def _table(
    ref_tok: npt.NDArray[np.int64],
    ref_len: npt.NDArray[np.int64],
    cand_tok: npt.NDArray[np.int64],
    start: npt.NDArray[np.int64],
    segment: npt.NDArray[np.int64],
) -> npt.NDArray[np.int32]:
    (n_refs, max_len), width = ref_tok.shape, cand_tok.shape[0]
    # The table is built in "offset space" (value + its sentence's offset): every value of an
    # earlier candidate sentence stays below a later sentence's zero column, so one cumulative
    # maximum per row restarts at each sentence with no clean-up. int16 halves the memory
    # traffic whenever the offset values fit.
    top = (int(segment[-1]) + 2) * (max_len + 1) if width else 0
    dtype = np.int16 if top < np.iinfo(np.int16).max else np.int32
    offset = (segment * (max_len + 1)).astype(dtype)
    table = np.empty((max_len + 1, n_refs, width), dtype=dtype)
    table[0] = offset
    # active[i] = how many (length-sorted) sentences have at least i tokens.
    active = np.searchsorted(-ref_len, -np.arange(max_len + 1), side="right")
    for i in range(1, max_len + 1):
        k = int(active[i])
        prev, row = table[i - 1, :k], table[i, :k]
        row[:, 0] = 0
        row[:, 1:] = prev[:, :-1]
        row += cand_tok == ref_tok[:k, i - 1, None]
        np.maximum(row, prev, out=row)
        np.maximum.accumulate(row, axis=1, out=row)
        # Rows past a sentence's end are never read; keep them defined for the subtraction.
        table[i, k:] = offset
    table -= offset
    return table


def _backtrack(
    table: npt.NDArray[np.int32],
    ref_tok: npt.NDArray[np.int64],
    ref_len: npt.NDArray[np.int64],
    cand_tok: npt.NDArray[np.int64],
    start: npt.NDArray[np.int64],
    cand_len: npt.NDArray[np.int64],
) -> npt.NDArray[np.bool_]:
    """rouge-score's backtrack for every pair at once, on flat indices.

    A table value above 0 implies i > 0 and j > 0 (row 0 and every sentence's zero column hold
    0), and once it is 0 no further match can be taken, so "value > 0" is the only loop test.
    """
    n_refs, max_len = ref_tok.shape
    width = cand_tok.shape[0]
    flat, ref_flat = table.ravel(), ref_tok.ravel()
    used = np.zeros(n_refs * max(1, max_len), dtype=bool)
    stride = n_refs * width
    p = np.repeat(np.arange(n_refs), start.shape[0])
    i = ref_len[p]
    col = np.tile(start + cand_len, n_refs)
    pos = i * stride + p * width + col
    rpos = p * max_len + i - 1
    alive = flat[pos] > 0
    pos, rpos, col = pos[alive], rpos[alive], col[alive]
    while pos.size > _PYTHON_TAIL:
        match = ref_flat[rpos] == cand_tok[col]
        used[rpos[match]] = True
        go_left = ~match & (flat[pos - 1] > flat[pos - stride])
        step_i = ~go_left
        step_j = match | go_left
        pos -= step_i * stride + step_j
        rpos -= step_i
        col -= step_j
        alive = flat[pos] > 0
        pos, rpos, col = pos[alive], rpos[alive], col[alive]
    _backtrack_tail(flat, ref_flat, cand_tok, used, stride, pos, rpos, col)
    return used.reshape(n_refs, max(1, max_len))


def _backtrack_tail(
    flat: npt.NDArray[np.int32],
    ref_flat: npt.NDArray[np.int64],
    cand_tok: npt.NDArray[np.int64],
    used: npt.NDArray[np.bool_],
    stride: int,
    *walks: npt.NDArray[np.int64],
) -> None:
    """Finish the few longest walks one by one: cheaper than numpy calls on tiny arrays."""
    for pos, rpos, col in zip(*(w.tolist() for w in walks), strict=True):
        while flat[pos] > 0:
            if ref_flat[rpos] == cand_tok[col]:
                used[rpos] = True
                pos, rpos, col = pos - stride - 1, rpos - 1, col - 1
            elif flat[pos - 1] > flat[pos - stride]:
                pos, col = pos - 1, col - 1
            else:
                pos, rpos = pos - stride, rpos - 1
