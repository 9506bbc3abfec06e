"""Rows of a race, frame by frame: bars change rows one swap at a time, as their values cross.

Every frame ranks the values. A bar changes rows only by trading places with the bar in the next
row (at the bottom: with the best bar waiting below the chart), over about a third of a second
(less for a bar several rows behind its rank), and a bar in motion takes no other swap until it
lands. So at most two bars ever overlap, and only while they trade places; bars enter and leave
below the last row, one at a time, and slide into an empty chart a row apart.

The schedule is computed once for the whole race (a few numpy operations at the frames where the
ranking changes or a move lands), so any frame's positions can be read without painting others.
"""
from __future__ import annotations

import heapq

import numpy as np

HIDDEN_GAP = 0.6  # waiting bars sit this far below the row under the chart, where the painter skips them


def ease(t: np.ndarray) -> np.ndarray:
    """Smoothstep: bars start and stop gently, and never move faster than 1.5x their average speed."""
    return t * t * (3 - 2 * t)


def rank_order(values: np.ndarray, heading: np.ndarray, tie_order: np.ndarray) -> np.ndarray:
    """frames x members: member indices best first by value; equal values by the value they head for
    (the order a moment later, so bars that start level never swap back), then by tie order."""
    # Ascending by (value, heading, reversed tie order), then read backwards: no negated copies of big arrays.
    ascending = np.lexsort((np.broadcast_to(-tie_order, values.shape), heading, values), axis=1).astype(np.int32)
    return ascending[:, ::-1]


class RowSchedule:
    """Which member moves to which row at which frame; built by walking the frames that matter."""

    def __init__(self, values: np.ndarray, heading: np.ndarray, tie_order: np.ndarray, top_n: int,
                 move_frames: int):
        self.values, self.top_n, self.move_frames = values, top_n, move_frames
        self.waiting = top_n + HIDDEN_GAP
        self.order = rank_order(values, heading, tie_order)
        first = self.order[0, :top_n]
        self.occupants: list[int] = first[values[0, first] > 0].tolist()  # member in each row, top first
        self.initial_rows = np.full(values.shape[1], self.waiting)
        self.initial_rows[self.occupants] = np.arange(len(self.occupants))
        self.rows = self.initial_rows.copy()
        self.free_at = np.zeros(values.shape[1], dtype=np.int64)  # frame a member's current move lands
        self.last_move = np.zeros(values.shape[1], dtype=np.int64)  # index into moves
        self.last_out = -1  # the member that last left with no bar coming in (a rolling window ran dry)
        self.moves: list[tuple[int, int, float, float, int]] = []  # frame, member, from row, to row, frames
        self._wake: list[int] = []

    def run(self) -> RowSchedule:
        self._wake = _ranking_changes(self.values, self.order, self.top_n).tolist()  # sorted: already a heap
        frames, last = self.values.shape[0], -1
        while self._wake and self._wake[0] < frames:
            frame = heapq.heappop(self._wake)
            if frame != last:
                last = frame
                self._step(frame)
        return self

    def _step(self, frame: int) -> None:
        rank = np.empty(self.order.shape[1], dtype=np.int64)
        rank[self.order[frame]] = np.arange(rank.size)
        self._swap_rows(frame, rank)
        self._let_in(frame, rank)
        self._let_out(frame)

    def _swap_frames(self, rows_behind: int) -> int:
        """A bar several rows behind its rank passes each bar quicker, so the rows catch up with the values."""
        return max(1, round(self.move_frames / np.sqrt(rows_behind)))

    def _swap_rows(self, frame: int, rank: np.ndarray) -> None:
        """Start a swap wherever a bar outranks the one just above it and neither is moving."""
        if len(self.occupants) < 2:
            return
        held = np.array(self.occupants)
        still = self.free_at[held] <= frame
        behind = (rank[held[1:]] < rank[held[:-1]]) & still[1:] & still[:-1]
        if not behind.any():
            return
        due = np.empty(held.size, dtype=np.int64)
        due[np.argsort(rank[held])] = np.arange(held.size)  # the row each would hold if rows matched values
        for row in np.flatnonzero(behind).tolist():
            upper, lower = self.occupants[row], self.occupants[row + 1]
            if self.free_at[upper] <= frame:  # else it just swapped with the row above; it is woken when it lands
                span = self._swap_frames(max(row + 1 - due[row + 1], due[row] - row))
                self._move(frame, lower, row, span)
                self._move(frame, upper, row + 1, span)
                self.occupants[row], self.occupants[row + 1] = lower, upper

    def _let_in(self, frame: int, rank: np.ndarray) -> None:
        """The best waiting bar comes in below the last row: into an empty row, or by swapping out the last bar."""
        ranked = self.order[frame]
        ready = (self.rows[ranked] == self.waiting) & (self.values[frame, ranked] > 0) & (self.free_at[ranked] <= frame)
        if not ready.any():
            return
        newcomer = int(ranked[np.argmax(ready)])
        if len(self.occupants) < self.top_n:
            self._enter_empty_row(frame, newcomer)
            return
        last = self.occupants[-1]
        if rank[newcomer] < rank[last] and self.free_at[last] <= frame:
            span = self._swap_frames(self.top_n - int(np.sum(rank[self.occupants] < rank[newcomer])))
            self._move(frame, newcomer, self.top_n - 1, span)
            self._move(frame, last, self.waiting, span)
            self.occupants[-1] = newcomer

    def _enter_empty_row(self, frame: int, newcomer: int) -> None:
        """Slide up into the first empty row, keeping a row clear of the bar that came in before."""
        row = len(self.occupants)
        if self.last_out >= 0 and self.free_at[self.last_out] > frame:
            return  # a bar is still sliding out through these rows; woken when it lands
        span = self._slide_frames(row)
        if self.occupants and not self._clear_of(self.occupants[-1], frame, self.top_n, row, span):
            heapq.heappush(self._wake, frame + 1)
            return
        self._move(frame, newcomer, row, span)
        self.occupants.append(newcomer)

    def _let_out(self, frame: int) -> None:
        """A last bar whose value has run out (a rolling window) slides out below the chart, one at a time."""
        if not self.occupants or self.values[frame, self.occupants[-1]] > 0:
            return
        leaver, row = self.occupants[-1], len(self.occupants) - 1
        if self.free_at[leaver] > frame:
            return
        span = self._slide_frames(row)
        if self.last_out >= 0 and not self._clear_of(self.last_out, frame, row, self.top_n, span):
            heapq.heappush(self._wake, frame + 1)
            return
        self._move(frame, leaver, self.waiting, span)
        self.occupants.pop()
        self.last_out = leaver

    def _slide_frames(self, row: int) -> int:
        """Frames to slide between `row` and just below the chart: longer for more rows, but less per row,
        so the cascade that fills an empty chart stays brisk."""
        return max(1, round(self.move_frames * np.sqrt(self.top_n - row)))

    def _clear_of(self, other: int, frame: int, origin: float, target: float, span: int) -> bool:
        """Would a bar sliding from origin to target from now on stay a full row from `other`'s move?"""
        if self.free_at[other] <= frame:
            return True
        start, _, from_row, to_row, other_span = self.moves[self.last_move[other]]
        from_row, to_row = min(from_row, self.top_n), min(to_row, self.top_n)
        time = np.arange(frame, self.free_at[other] + 1)
        theirs = from_row + (to_row - from_row) * ease(np.clip((time - start) / other_span, 0, 1))
        ours = origin + (target - origin) * ease(np.clip((time - frame) / span, 0, 1))
        return bool(np.all(np.abs(ours - theirs) >= 1 - 1e-9))

    def _move(self, frame: int, member: int, row: float, span: int) -> None:
        self.last_move[member] = len(self.moves)
        self.moves.append((frame, member, float(self.rows[member]), float(row), span))
        self.free_at[member] = frame + span
        self.rows[member] = row
        heapq.heappush(self._wake, frame + span)

    def positions(self) -> np.ndarray:
        """frames x members: each member's row, eased from its old row to its new one."""
        rows = self._landing_rows()
        if not self.moves:
            return rows
        start, member, origin, target, span = (np.array(column) for column in zip(*self.moves))
        start, member = start.astype(np.int64), member.astype(np.int64)
        offsets = np.arange(span.max())
        when = start[:, None] + offsets
        inside = (when < rows.shape[0]) & (offsets < span[:, None])
        # Bars come in from, and go out to, the row just below the chart: out of sight, a swap like any other.
        # Only once there do they step down to the waiting place, which the painter skips.
        origin, target = np.minimum(origin, self.top_n), np.minimum(target, self.top_n)
        eased = origin[:, None] + (target - origin)[:, None] * ease(offsets / span[:, None])
        rows[when[inside], np.broadcast_to(member[:, None], when.shape)[inside]] = eased[inside]
        return rows

    def _landing_rows(self) -> np.ndarray:
        """frames x members (float32): the row each member's latest move lands on.

        Summed from whole-row steps, exact in float32: the waiting place counts as row top_n + 1 until the end.
        """
        def whole(row: np.ndarray) -> np.ndarray:
            return np.where(row == self.waiting, self.top_n + 1.0, row)

        rows = np.zeros(self.values.shape, dtype=np.float32)
        rows[0] = whole(self.initial_rows)
        if self.moves:
            start, member, origin, target, _ = (np.array(column) for column in zip(*self.moves))
            np.add.at(rows, (start.astype(np.int64), member.astype(np.int64)), whole(target) - whole(origin))
        np.cumsum(rows, axis=0, out=rows)
        rows[rows > self.top_n] = self.waiting
        return rows


def _ranking_changes(values: np.ndarray, order: np.ndarray, top_n: int) -> np.ndarray:
    """Frames where the leading top_n + 1 (who they are, their order) or whoever has plays change."""
    leaders = order[:, :top_n + 1]
    playing = values > 0
    changed = np.any(leaders[1:] != leaders[:-1], axis=1) | np.any(playing[1:] != playing[:-1], axis=1)
    return np.concatenate([[0], np.flatnonzero(changed) + 1])


def plan_rows(values: np.ndarray, heading: np.ndarray, tie_order: np.ndarray, top_n: int,
              move_frames: int) -> np.ndarray:
    """frames x members: the row each member is drawn at; waiting members sit at top_n + HIDDEN_GAP.

    values are each frame's values, heading the values of the keyframe each frame moves toward.
    """
    return RowSchedule(values, heading, tie_order, top_n, move_frames).run().positions()
