"""Wall time and peak resident memory of one request, sampled from a background thread."""
from __future__ import annotations

import threading
import time
from dataclasses import KW_ONLY, dataclass, field
from types import TracebackType

import psutil

from backend.services.hygiene.memory import MB


@dataclass
class MemoryPeaks:
    """Peaks in MB over a request: this process with its segment painters, its encoders (ffmpeg), and
    both at one instant.

    A segment painter is a Python process this one starts; it maps the same libraries (numpy, Pillow,
    libpython) from the same files: it is counted by its private memory (USS), as its RSS would count
    those shared pages a second time.
    """
    baseline_mb: float = 0.0
    server_mb: float = 0.0
    children_mb: float = 0.0
    total_mb: float = 0.0
    samples: int = 0
    _: KW_ONLY   # from here on by keyword only
    child_names: set[str] = field(default_factory=set)

    @property
    def increase_mb(self) -> float:
        return self.server_mb - self.baseline_mb


class RssSampler:
    """Samples RSS every `interval` s while the `with` block runs.

    This process is read every sample; descendants are looked up only every `discover_every` s
    (a recursive psutil scan costs ~2 ms of Python holding the GIL, which would slow the request
    being measured), and the known ones are read every sample. ffmpeg lives for the whole encode,
    so it is found within `discover_every` of starting.
    """

    def __init__(self, interval: float = 0.005, discover_every: float = 0.1) -> None:
        self.interval = interval
        self.discover_every = discover_every
        self.process = psutil.Process()
        self.peaks = MemoryPeaks()
        self._children: dict[int, psutil.Process] = {}
        self._painters: dict[int, psutil.Process] = {}
        self._painter_uss: dict[int, float] = {}
        self._name = self.process.name()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> RssSampler:
        self.peaks.baseline_mb = self.process.memory_info().rss / MB
        self._sample(discover=True)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self._sample(discover=False)

    def _run(self) -> None:
        last_discovery = time.perf_counter()
        while not self._stop.wait(self.interval):
            now = time.perf_counter()
            discover = now - last_discovery >= self.discover_every
            if discover:
                last_discovery = now
            self._sample(discover)

    def _discover(self) -> None:
        try:
            for child in self.process.children(recursive=True):
                if child.pid not in self._children and child.pid not in self._painters:
                    try:
                        name = child.name()
                    except psutil.Error:
                        continue
                    self.peaks.child_names.add(name)
                    (self._painters if name == self._name else self._children)[child.pid] = child
        except psutil.Error:
            pass
        # private memory takes a read of the whole page map: only at discovery pace
        for pid, painter in list(self._painters.items()):
            try:
                self._painter_uss[pid] = painter.memory_full_info().uss / MB
            except psutil.Error:
                del self._painters[pid]
                self._painter_uss.pop(pid, None)

    def _sample(self, discover: bool) -> None:
        if discover:
            self._discover()
        server = self.process.memory_info().rss / MB + sum(self._painter_uss.values())
        children = 0.0
        for pid, child in list(self._children.items()):
            try:
                children += child.memory_info().rss / MB
            except psutil.Error:
                del self._children[pid]
        peaks = self.peaks
        peaks.samples += 1
        peaks.server_mb = max(peaks.server_mb, server)
        peaks.children_mb = max(peaks.children_mb, children)
        peaks.total_mb = max(peaks.total_mb, server + children)
