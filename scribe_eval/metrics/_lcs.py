"""Fast longest-common-subsequence kernels, equal to rouge-score's pure-Python ones.

- ``lcs_length``: rapidfuzz's bit-parallel LCS over token ids mapped to characters.
- ``union_lcs_indices``: for every reference sentence, the union of the LCS *indices* that
  rouge-score's ``lcs_ind`` picks against each candidate sentence. Which LCS is picked matters
  (the union and the later hit counting depend on it), so this reads out exactly the one that
  rouge-score's backtrack ``_backtrack_norec`` reads out of its table ``T``, but does it for one
  reference sentence against *all* candidate sentences at once, with Python integers as bit
  vectors (each operation runs at C speed over every candidate).

How. Candidate sentences sit side by side in one bit vector, each followed by a guard bit (bit 0
is a guard too), so bit ``p`` stands for a column ``j`` of one candidate's table.

* Table rows (forward, one per reference token): Hyyrö's bit-parallel LCS row update
  ``V' = ((V + U) | (V - U))`` with ``U = V & match``; a 0 in ``V`` marks a column where ``T``
  steps up by one. A carry out of a candidate lands on its guard bit, which is cleared, so
  candidates never mix. ``delta = V' + guards - V`` (masked) marks the columns where row ``i``
  is one above row ``i - 1``.
* The backtrack (backward, one step per reference token): rouge-score at ``(i, j)`` takes a
  token match, else goes up when ``T[i-1][j] == T[i][j]``, else left. Within row ``i`` that is:
  stay in column ``j`` and go up unless ``j`` holds a match or ``delta`` is set at ``j``; then
  move left to the nearest match at or before ``j``, take it, and continue at ``j - 1`` in row
  ``i - 1``. "Nearest match to the left" is a carry running *up* the bit order, so the walk uses
  the bit-reversed layout: adding the marker bits to the complement of the match mask carries
  each marker to its candidate's next match, for every candidate at once. A marker that falls
  off its candidate lands on a guard bit and never moves again, like a walk at ``j == 0``.

Row ``i`` is in the union when any candidate's walk takes a match in it.
"""

from __future__ import annotations

from collections.abc import Container, Sequence

from rapidfuzz.distance import LCSseq

__all__ = ["lcs_length", "to_chars", "union_lcs_indices"]

_SURROGATES = 0xD800
_SURROGATE_SPAN = 0x800
# _REVERSED_BYTE[b] is byte b with its 8 bits in reverse order.
_REVERSED_BYTE = bytes(int(f"{b:08b}"[::-1], 2) for b in range(256))


def to_chars(ids: Sequence[int]) -> str:
    """Map token ids to one character each (skipping surrogates) for rapidfuzz."""
    if max(ids, default=0) < _SURROGATES:
        return "".join(map(chr, ids))
    return "".join(chr(i + _SURROGATE_SPAN if i >= _SURROGATES else i) for i in ids)


def lcs_length(a: str, b: str) -> int:
    """Length of the LCS of two id strings made by ``to_chars``."""
    return int(LCSseq.similarity(a, b))


def union_lcs_indices(
    refs: Sequence[Sequence[int]], cands: Sequence[Sequence[int]]
) -> list[list[int]]:
    """For each reference sentence, the sorted union of its LCS indices with every candidate."""
    layout = _Layout(cands, {token for ref in refs for token in ref})
    return [layout.union(ref) if ref else [] for ref in refs]


class _Layout:
    """The candidate sentences as bit vectors: match masks per token, in both bit orders."""

    def __init__(self, cands: Sequence[Sequence[int]], wanted: Container[int]) -> None:
        size = 1 + sum(len(cand) + 1 for cand in cands if cand)
        self.nbytes = (size + 7) // 8
        # Bit p of the layout is bit `top - p` of the reversed layout.
        top = self.nbytes * 8 - 1
        bits: dict[int, list[int]] = {}
        pos, guards = 1, 1
        for cand in cands:
            if not cand:
                continue
            for token in cand:
                if token in wanted:  # only tokens of the references are ever looked up
                    if (pair := bits.get(token)) is None:
                        bits[token] = [1 << pos, 1 << (top - pos)]
                    else:
                        pair[0] |= 1 << pos
                        pair[1] |= 1 << (top - pos)
                pos += 1
            guards |= 1 << pos
            pos += 1
        self.guards = guards
        self.data = ((1 << pos) - 1) ^ guards
        rev_data = self.reverse(self.data)
        # Per token: its match mask; reversed, the mask and the other data bits (where a
        # marker's carry runs on).
        self.masks = {token: (mask, rev, rev_data ^ rev) for token, (mask, rev) in bits.items()}
        # Each walk starts on its candidate's last column: the bit under each guard but bit 0.
        self.rev_start = self.reverse((guards >> 1) & self.data)

    def reverse(self, bits: int) -> int:
        """``bits`` with the bit order reversed over the layout's whole bytes."""
        return int.from_bytes(bits.to_bytes(self.nbytes, "little").translate(_REVERSED_BYTE))

    def union(self, ref: Sequence[int]) -> list[int]:
        """Reference indices taken by rouge-score's backtrack against any candidate, sorted."""
        masks, data, guards, nbytes = self.masks, self.data, self.guards, self.nbytes
        rows: list[tuple[int, int, int, int]] = []
        v = data
        for i, token in enumerate(ref):
            row = masks.get(token)
            if row is None:
                continue  # no candidate holds the token: the row changes nothing
            match, rev_match, rev_other = row
            u = v & match
            if u:
                after = ((v + u) | (v - u)) & data
                rows.append((i, rev_match, rev_other, (after + guards - v) & data))
                v = after
            else:
                rows.append((i, rev_match, rev_other, 0))
        taken: list[int] = []
        walk = self.rev_start
        for i, rev_match, rev_other, delta in reversed(rows):
            if delta:
                rev_delta = int.from_bytes(
                    delta.to_bytes(nbytes, "little").translate(_REVERSED_BYTE)
                )
                movers = walk & (rev_match | rev_delta)
            else:
                movers = walk & rev_match
            if movers:
                taken.append(i)
                walk = (walk ^ movers) | (((rev_other + movers) & rev_match) << 1)
        taken.reverse()
        return taken
