"""Progress of the command line's long steps, on stderr.

On a terminal a live line shows a bar over the job's steps and the current
step's elapsed time; elsewhere (a log file, cron, a pipe) each step prints one
plain line when it finishes::

    reading cases ... 1,000,000 rows (1.2 s)

``quiet`` prints nothing. Log records written while a live line is shown go
through :class:`ConsoleHandler`, which clears the line first and redraws it
after, so that messages and the bar never mix.
"""

from __future__ import annotations

import logging
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from .formatting import format_number

__all__ = ["ConsoleHandler", "Progress"]

_BAR = 20  # characters of the bar
_TICK = 0.2  # seconds between redraws of the live line

_active: Progress | None = None  # the live progress display, if any (one job at a time)


class Step:
    """One running step; :meth:`note` sets the text shown after the step's label."""

    def __init__(self, label: str):
        self.label = label
        self.text = ""
        self.started = time.perf_counter()

    def note(self, text: str) -> None:
        self.text = text

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


class Progress:
    """Step lines for a job of ``n_steps`` steps.

    Parameters
    ----------
    n_steps : int
        Steps the job will run (for the bar; running more is harmless).
    quiet : bool, default False
        Print nothing.
    stream : file, optional
        Default ``sys.stderr`` (looked up when the object is made).
    live : bool, optional
        Draw the live bar; default: when ``stream`` is a terminal.
    lang : {"en", "vi"}, default "en"
        Language of the words the lines add ("done", seconds) and of their numbers.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> progress = Progress(2, stream=out)
    >>> with progress.step("reading cases") as step:
    ...     step.note("1,000 rows")
    >>> out.getvalue()  # doctest: +ELLIPSIS
    'reading cases ... 1,000 rows (0.0 s)\\n'
    """

    def __init__(
        self,
        n_steps: int,
        *,
        quiet: bool = False,
        stream: TextIO | None = None,
        live: bool | None = None,
        lang: str = "en",
    ):
        self.n_steps = max(int(n_steps), 1)
        self.lang = lang
        self.quiet = quiet
        self.stream = sys.stderr if stream is None else stream
        if live is None:
            isatty = getattr(self.stream, "isatty", None)
            live = bool(isatty and isatty())
        self.live = live and not quiet
        self.done = 0
        self._step: Step | None = None
        self._lock = threading.Lock()
        self._shown = False  # a live line is on screen

    # ------------------------------------------------------------------ steps
    @contextmanager
    def step(self, label: str) -> Iterator[Step]:
        """Run one step; its line is printed when the block ends without an error."""
        global _active
        step = Step(label)
        if self.quiet:
            yield step
            return
        self._step = step
        stop = threading.Event()
        ticker = None
        if self.live:
            _active = self
            ticker = threading.Thread(target=self._tick, args=(stop,), daemon=True)
            ticker.start()
        ok = False
        try:
            yield step
            ok = True
        finally:
            stop.set()
            if ticker is not None:
                ticker.join()
            with self._lock:
                self._clear()
                self._step = None
                if ok:
                    self.done += 1
                    text = f" {step.text}" if step.text else f" {self._word('done')}"
                    self.stream.write(f"{label} ...{text} ({self._seconds(step.elapsed, 1)})\n")
                    self.stream.flush()
            if _active is self:
                _active = None

    def _word(self, key: str) -> str:
        return {"en": {"done": "done", "s": "s"}, "vi": {"done": "xong", "s": "giây"}}[
            "vi" if self.lang == "vi" else "en"
        ][key]

    def _seconds(self, seconds: float, digits: int) -> str:
        return f"{format_number(seconds, self.lang, digits)} {self._word('s')}"

    # ------------------------------------------------------------------ live line
    def _tick(self, stop: threading.Event) -> None:
        while True:
            with self._lock:
                self._draw()
            if stop.wait(_TICK):
                return

    def _draw(self) -> None:
        step = self._step
        if step is None:
            return
        filled = round(_BAR * min(self.done, self.n_steps) / self.n_steps)
        bar = "#" * filled + "-" * (_BAR - filled)
        line = f"[{bar}] {self.done + 1}/{self.n_steps} {step.label} ... {self._seconds(step.elapsed, 0)}"
        width = shutil.get_terminal_size((80, 24)).columns - 1
        self.stream.write("\r" + line[:width] + "\033[K")
        self.stream.flush()
        self._shown = True

    def _clear(self) -> None:
        if self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Clear the live line while something else writes to the terminal."""
        with self._lock:
            self._clear()
            yield
            self._draw()


class ConsoleHandler(logging.StreamHandler):
    """A log handler for the terminal that steps around the live progress line."""

    def emit(self, record: logging.LogRecord) -> None:
        progress = _active
        if progress is None or progress.stream is not self.stream:
            super().emit(record)
            return
        with progress.paused():
            super().emit(record)
