"""Memory limits: estimate what a job on a file will need before loading it, and refuse early.

A province's year is 10^5-10^6 dossiers, and a job that runs out of memory
half way is killed by the system without a word (or takes the machine down
with it). :func:`estimate_memory` estimates a job's peak from the file alone
(its size, and the rows it holds: the mean line length of its first
megabyte for a CSV, the row count in a Parquet file's footer, the size
written in a gzip file's trailer), with the peak memory per case measured in
``benchmarks/RESULTS.md`` (1M cases: reading 0.7 GB, fitting 2.3 GB, fitting
and scoring 3.2 GB). The command line refuses a job whose estimate is above
``--max-memory`` (default: 80 % of the memory available now), and
``validate`` then reads a CSV in chunks instead (:mod:`~integrity_signals.chunked`).
"""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

from .exceptions import IntegritySignalsError

__all__ = [
    "PER_CASE",
    "ResourceError",
    "available_memory",
    "check_memory",
    "estimate_memory",
    "estimate_rows",
    "parse_size",
]

#: Peak bytes per case of each job (benchmarks/RESULTS.md, 1M cases, with a margin of 10 %).
PER_CASE = {"read": 800, "fit": 2_500, "score": 2_100, "fit+score": 3_600}
#: The interpreter, pandas, scikit-learn and the model before any case is read.
BASE = 300 * 2**20
#: Share of the available memory used when ``--max-memory`` is not given.
DEFAULT_SHARE = 0.8
_SAMPLE = 1 << 20
#: Bytes per row of a workbook (.xlsx is zipped XML: about this many per row of 14 columns).
_XLSX_BYTES_PER_ROW = 60


class ResourceError(IntegritySignalsError):
    """A job that would need more memory than allowed (``params``: need, limit, rows)."""


def available_memory() -> int:
    """Bytes of memory available now (MemAvailable on Linux; else the physical memory)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def parse_size(text: str) -> int:
    """``--max-memory``: bytes from ``"4G"``, ``"500M"``, ``"2.5GB"``, ``"1024"`` or ``"60%"`` (of
    the memory available now).

    >>> parse_size("4G"), parse_size("500MB"), parse_size("1024")
    (4294967296, 524288000, 1024)
    """
    value = str(text).strip().upper().removesuffix("B").removesuffix("I")
    try:
        if value.endswith("%"):
            share = float(value[:-1]) / 100
            if not 0 < share <= 1:
                raise ValueError
            return int(available_memory() * share)
        scale = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}.get(value[-1:], 1)
        number = float(value[:-1] if scale > 1 else value)
        if number <= 0:
            raise ValueError
        return int(number * scale)
    except (ValueError, IndexError):
        raise ValueError(
            f"--max-memory must be a size such as 4G, 500M or 60% (of the memory available), "
            f"got {text!r}"
        ) from None


def estimate_rows(path) -> int:
    """The rows a case file holds, estimated without reading it whole."""
    path = Path(path)
    size = path.stat().st_size
    suffixes = "".join(path.suffixes[-2:]).lower()
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            import pyarrow.parquet as pq

            return int(pq.ParquetFile(path).metadata.num_rows)
        except Exception:  # not readable as Parquet: the reader will say why
            return size // 100
    if path.suffix.lower() == ".xlsx":
        return size // _XLSX_BYTES_PER_ROW
    opener, total = open, size
    if suffixes.endswith(".gz"):
        opener = gzip.open
        try:  # the trailer holds the uncompressed size (modulo 4 GiB)
            with open(path, "rb") as fh:
                fh.seek(-4, os.SEEK_END)
                total = struct.unpack("<I", fh.read(4))[0]
            total = max(total, size)  # a file over 4 GiB wraps: at least its compressed size
        except OSError:
            total = size * 5
    try:
        with opener(path, "rb") as fh:
            head = fh.read(_SAMPLE)
    except OSError:
        return size // 100
    lines = max(head.count(b"\n"), 1)
    return max(int(total / (len(head) / lines)) - 1, 0) if head else 0


def estimate_memory(path, job: str) -> tuple[int, int]:
    """(bytes, rows): the estimated peak of ``job`` (a key of :data:`PER_CASE`) on the file."""
    rows = estimate_rows(path)
    return BASE + rows * PER_CASE[job], rows


def check_memory(path, job: str, limit: int | None) -> int:
    """Refuse (:class:`ResourceError`) a job whose estimate is above ``limit`` bytes (default:
    80 % of the available memory); the estimate otherwise."""
    limit = int(available_memory() * DEFAULT_SHARE) if limit is None else limit
    need, rows = estimate_memory(path, job)
    if need > limit:
        raise ResourceError(
            f"{Path(path).name} holds about {rows:,} rows; {job} would need about "
            f"{need / 2**30:.1f} GB of memory, more than the {limit / 2**30:.1f} GB allowed "
            "(--max-memory, default 80 % of the memory available). Split the file by period or "
            "unit, run it on a larger machine, or raise --max-memory if you know better.",
            code="memory_limit",
            params={"path": str(path), "rows": rows, "job": job, "need": need, "limit": limit},
        )
    return need
