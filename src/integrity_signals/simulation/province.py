"""The standing structure of a simulated province: procedures, units, officers, heavy filers.

Nothing here is about single dossiers: the sizes, speeds and coverage drawn
here are the honest differences that a detector must not mistake for
corruption (see ``docs/simulation.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .params import Settings
from .sampling import round_to

__all__ = ["DESKS", "SECTORS", "Province", "Sector", "build_province"]

FREE, FIXED, VALUE = 0, 1, 2  # fee kinds of a procedure


@dataclass(frozen=True)
class Sector:
    """A field of procedures and how its dossiers behave when nobody cheats."""

    name: str
    desk: int  # the officers' desk that handles it
    volume: float  # share of all dossiers
    days: tuple[int, ...]  # statutory terms (working days) its procedures have
    days_p: tuple[float, ...]
    fee_mix: tuple[float, float, float]  # share of free, fixed-fee and value-based procedures
    fees: tuple[int, ...]  # posted fixed fees (VND)
    online: float  # share filed online (at the start of the period)
    supplements: float  # mean requests for more documents per dossier
    heavy: float  # share of dossiers filed by heavy filers (law offices, firms)
    specialty: int  # which heavy filers file here (-1: none)
    copy_price: int  # legitimate charge per extra copy / extract (VND), 0: none
    names: tuple[str, ...]


SECTORS: tuple[Sector, ...] = (
    Sector(
        "Chứng thực", 0, 0.27, (1, 2), (0.85, 0.15), (0.0, 1.0, 0.0),
        (10_000, 20_000, 30_000, 50_000), 0.05, 0.02, 0.10, 2, 2_000,
        ("Chứng thực bản sao từ bản chính", "Chứng thực chữ ký",
         "Chứng thực hợp đồng, giao dịch", "Chứng thực việc sửa đổi, bổ sung hợp đồng"),
    ),
    Sector(
        "Hộ tịch", 0, 0.24, (1, 3, 5, 10), (0.5, 0.3, 0.15, 0.05), (0.6, 0.4, 0.0),
        (8_000, 15_000, 30_000), 0.35, 0.08, 0.0, -1, 8_000,
        ("Đăng ký khai sinh", "Đăng ký kết hôn", "Đăng ký khai tử",
         "Cấp bản sao trích lục hộ tịch", "Xác nhận tình trạng hôn nhân"),
    ),
    Sector(
        "Đất đai", 1, 0.14, (10, 15, 20, 30), (0.3, 0.3, 0.2, 0.2), (0.15, 0.45, 0.40),
        (50_000, 100_000, 200_000, 500_000), 0.12, 0.25, 0.15, 0, 0,
        ("Đăng ký biến động quyền sử dụng đất", "Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
         "Chuyển mục đích sử dụng đất", "Tách thửa, hợp thửa đất"),
    ),
    Sector(
        "Xây dựng", 1, 0.05, (7, 15, 20), (0.3, 0.5, 0.2), (0.1, 0.9, 0.0),
        (75_000, 150_000), 0.20, 0.20, 0.20, 0, 0,
        ("Cấp giấy phép xây dựng nhà ở riêng lẻ", "Điều chỉnh giấy phép xây dựng",
         "Gia hạn giấy phép xây dựng"),
    ),
    Sector(
        "Đăng ký kinh doanh", 2, 0.09, (3, 5), (0.7, 0.3), (0.1, 0.9, 0.0),
        (50_000, 100_000), 0.45, 0.12, 0.25, 1, 0,
        ("Đăng ký thành lập hộ kinh doanh", "Đăng ký thay đổi nội dung hộ kinh doanh",
         "Tạm ngừng kinh doanh hộ kinh doanh", "Chấm dứt hoạt động hộ kinh doanh"),
    ),
    Sector(
        "Bảo trợ xã hội", 3, 0.14, (5, 7, 10, 15, 20), (0.2, 0.2, 0.3, 0.2, 0.1),
        (1.0, 0.0, 0.0), (), 0.15, 0.15, 0.0, -1, 0,
        ("Trợ cấp xã hội hằng tháng", "Hỗ trợ chi phí mai táng", "Xác định mức độ khuyết tật",
         "Trợ giúp xã hội khẩn cấp"),
    ),
    Sector(
        "Người có công", 3, 0.07, (10, 15, 20, 30), (0.3, 0.3, 0.3, 0.1), (1.0, 0.0, 0.0),
        (), 0.10, 0.15, 0.0, -1, 0,
        ("Trợ cấp thờ cúng liệt sĩ", "Hưởng chế độ ưu đãi người có công",
         "Cấp giấy xác nhận thân nhân liệt sĩ"),
    ),
)  # fmt: skip

#: Officers' desks and the dossiers one officer of each handles in a year.
DESKS: tuple[tuple[str, int], ...] = (
    ("tư pháp - hộ tịch", 1_400),
    ("địa chính - xây dựng", 500),
    ("kinh tế", 600),
    ("văn hóa - xã hội", 800),
)

SECTOR_DESK = np.array([s.desk for s in SECTORS])
SECTOR_SPECIALTY = np.array([s.specialty for s in SECTORS])
SPECIALTY_MIX = (
    0.45,
    0.30,
    0.25,
)  # heavy filers: law / real-estate offices, business services, firms
N_SECTORS = len(SECTORS)
N_DESKS = len(DESKS)
#: Honest speed look-alikes: the share of officers fast on everything (45 % less time), of a
#: unit's desks that work fast (40 % less time), and of procedures with a term of 3 days or
#: more that are often settled within the day (20-50 % of their dossiers).
FAST_OFFICERS = 0.06
FAST_DESKS = 0.1
SAME_DAY_PROCEDURES = 0.15


@dataclass
class Province:
    """Arrays describing procedures (``proc_*``), units (``unit_*``) and officers (``off_*``)."""

    # procedures
    proc_sector: np.ndarray
    proc_days: np.ndarray
    proc_fee_kind: np.ndarray
    proc_fee: np.ndarray  # before the fee change; NaN for value-based fees
    proc_new_fee: np.ndarray  # from ``fee_change`` on (equal to proc_fee when unchanged)
    proc_rate: np.ndarray  # share of the property value charged, for value-based fees
    proc_pop: np.ndarray  # share of all dossiers
    proc_speed: np.ndarray  # log factor on the duration
    proc_supp: np.ndarray  # factor on the supplement rate
    proc_same_day: np.ndarray  # share of dossiers legitimately done within the day
    proc_name: list[str]
    fee_change: np.datetime64 | None  # day a new fee schedule starts
    # units
    unit_weight: np.ndarray  # share of all dossiers
    unit_speed: np.ndarray  # log factor on durations (efficient units < 0)
    unit_mix: np.ndarray  # (units, sectors) factor on each sector's popularity
    unit_cover: np.ndarray  # share of dossiers received by a desk officer covering the counter
    unit_saturday: np.ndarray  # runs a Saturday-morning return desk
    unit_fee_lag: np.ndarray  # days the case system kept the old posted fee after a change
    desk_speed: np.ndarray  # (units, desks) log factor on durations: some desks are fast
    # officers (handlers first, then counter receivers)
    off_unit: np.ndarray
    off_desk: np.ndarray  # -1 for counter receivers
    off_number: np.ndarray  # number within the unit (the "CB07" of "U003-CB07")
    off_speed: np.ndarray  # log factor on durations
    off_strict: np.ndarray  # factor on supplement requests
    n_handlers: int
    # coverage: one row per (handler, sector) the handler takes, with its assignment weight
    cover_officer: np.ndarray
    cover_sector: np.ndarray
    cover_weight: np.ndarray
    # heavy filers (law offices, notaries, firms), each filing in its own unit
    heavy_unit: np.ndarray
    heavy_specialty: np.ndarray
    heavy_weight: np.ndarray

    @property
    def n_units(self) -> int:
        return len(self.unit_weight)

    @property
    def n_procedures(self) -> int:
        return len(self.proc_sector)

    def catalog(self, start: np.datetime64) -> pd.DataFrame:
        """The posted catalog, one row per procedure and fee schedule (CATALOG_SCHEMA columns)."""
        n = self.n_procedures
        width = max(4, len(str(n)))
        ids = np.array([f"TT{i + 1:0{width}d}" for i in range(n)], dtype=object)
        changed = np.flatnonzero(self.proc_new_fee != self.proc_fee)
        changed = changed[~np.isnan(self.proc_fee[changed])]
        rows = np.r_[np.arange(n), changed]
        new = np.r_[np.zeros(n, dtype=bool), np.ones(changed.size, dtype=bool)]
        valid_from = np.where(
            new, self.fee_change if self.fee_change is not None else start, start
        ).astype("datetime64[ns]")
        frame = pd.DataFrame(
            {
                "procedure_id": pd.array(ids[rows], dtype="str"),
                "statutory_days": self.proc_days[rows].astype(np.float64),
                "fee_official": np.where(new, self.proc_new_fee[rows], self.proc_fee[rows]),
                "sector": pd.array([SECTORS[s].name for s in self.proc_sector[rows]], dtype="str"),
                "name": pd.array([self.proc_name[i] for i in rows], dtype="str"),
                "valid_from": valid_from,
            }
        )
        return frame.sort_values(["procedure_id", "valid_from"], ignore_index=True)


def _procedures(settings: Settings, rng: np.random.Generator) -> dict:
    volume = np.array([s.volume for s in SECTORS])
    share = np.sqrt(volume) / np.sqrt(volume).sum()
    extra = settings.n_procedures - N_SECTORS  # one per sector, the rest by largest remainder
    raw = share * extra
    count = np.floor(raw).astype(int)
    count[np.argsort(-(raw - count), kind="stable")[: extra - count.sum()]] += 1
    count += 1
    sector = np.repeat(np.arange(N_SECTORS), count)
    n = sector.size
    days = np.empty(n, dtype=np.int64)
    kind = np.empty(n, dtype=np.int64)
    fee = np.empty(n)
    names: list[str] = []
    pop = rng.lognormal(0.0, 1.6, n)  # heavy-tailed popularity within the sector
    for s, sec in enumerate(SECTORS):
        rows = np.flatnonzero(sector == s)
        days[rows] = rng.choice(sec.days, rows.size, p=sec.days_p)
        kind[rows] = rng.choice(3, rows.size, p=sec.fee_mix)
        fee[rows] = rng.choice(sec.fees, rows.size) if sec.fees else 0.0
        pop[rows] *= sec.volume / pop[rows].sum()
        for k in range(rows.size):
            base = sec.names[k % len(sec.names)]
            names.append(base if k < len(sec.names) else f"{base} (mẫu {k // len(sec.names) + 1})")
    fee = np.where(kind == FREE, 0.0, np.where(kind == VALUE, np.nan, fee))
    rate = np.where(kind == VALUE, rng.choice([0.0003, 0.0005, 0.001], n), 0.0)
    fee_change = None
    new_fee = fee.copy()
    if settings.months >= 4:
        fee_change = np.datetime64(
            (pd.Timestamp(settings.start) + pd.DateOffset(months=settings.months // 2)).date(), "D"
        )
        paid_sector = np.isin(sector, [0, 2, 3, 4])
        changed = (kind == FIXED) & paid_sector & (rng.random(n) < 0.3)
        rise = np.ceil(fee * rng.uniform(0.3, 1.0, n) / 5_000) * 5_000
        new_fee = np.where(changed, fee + rise, fee)
    return {
        "proc_sector": sector,
        "proc_days": days,
        "proc_fee_kind": kind,
        "proc_fee": fee,
        "proc_new_fee": new_fee,
        "proc_rate": rate,
        "proc_pop": pop / pop.sum(),
        "proc_speed": rng.normal(0.0, 0.15, n),
        "proc_supp": rng.lognormal(0.0, 0.3, n),
        # a few procedures with a term of days are often settled at once when the file is simple
        "proc_same_day": np.where(
            (days >= 3) & (rng.random(n) < SAME_DAY_PROCEDURES), rng.uniform(0.2, 0.5, n), 0.0
        ),
        "proc_name": names,
        "fee_change": fee_change,
    }


def _units(settings: Settings, rng: np.random.Generator) -> dict:
    n = settings.n_units
    weight = rng.lognormal(0.0, 0.5, n)
    lag = np.where(rng.random(n) < 0.3, rng.integers(10, 50, n), 0)
    if n >= 2 and not lag.any():  # the confounder is always there to be mistaken for corruption
        lag[rng.integers(n)] = rng.integers(10, 50)
    return {
        "unit_weight": weight / weight.sum(),
        "unit_speed": rng.normal(0.0, 0.2, n),
        "unit_mix": rng.lognormal(0.0, 0.3, (n, N_SECTORS)),
        "unit_saturday": rng.random(n) < 0.2,
        "unit_fee_lag": lag,
        "desk_speed": rng.normal(0.0, 0.1, (n, N_DESKS))
        + np.where(rng.random((n, N_DESKS)) < FAST_DESKS, np.log(0.6), 0.0),
    }


def _officers(settings: Settings, units: dict, rng: np.random.Generator) -> dict:
    """Desk officers by volume and desk, counter officers, coverage and heavy filers per unit."""
    per_year = settings.n_cases * 12 / settings.months * units["unit_weight"]
    mix = units["unit_mix"] * np.array([s.volume for s in SECTORS])
    mix /= mix.sum(axis=1, keepdims=True)
    off_unit, off_desk, cover = [], [], []  # cover: (officer, sector, weight)
    heavy_unit, heavy_spec = [], []
    n_receivers = np.empty(settings.n_units, dtype=np.int64)
    for u in range(settings.n_units):
        for d, (_, capacity) in enumerate(DESKS):
            sectors = np.flatnonzero(d == SECTOR_DESK)
            load = per_year[u] * mix[u, sectors].sum() / capacity
            k = max(1, round(load * rng.lognormal(0.0, 0.15)))
            first = len(off_unit)
            off_unit += [u] * k
            off_desk += [d] * k
            weight = rng.lognormal(0.0, 0.35, k)  # legitimately different workloads
            takes = rng.random((k, sectors.size)) < 0.8 if k > 1 else np.ones((1, sectors.size))
            takes = takes.astype(bool)
            takes[~takes.any(axis=1), rng.integers(sectors.size)] = True  # everyone takes some
            for j, s in enumerate(sectors):
                if not takes[:, j].any():
                    takes[rng.integers(k), j] = True  # every sector has an officer
                for i in np.flatnonzero(takes[:, j]):
                    cover.append((first + i, s, weight[i]))
        n_receivers[u] = 1 + int(per_year[u] > 5_000) + int(per_year[u] > 10_000)
        n_heavy = 1 + rng.poisson(per_year[u] / 1_200)
        heavy_unit += [u] * n_heavy
        heavy_spec += list(rng.choice(len(SPECIALTY_MIX), n_heavy, p=SPECIALTY_MIX))
    n_handlers = len(off_unit)
    recv_unit = np.repeat(np.arange(settings.n_units), n_receivers)
    off_unit = np.r_[np.array(off_unit, dtype=np.int64), recv_unit]
    off_desk = np.r_[np.array(off_desk, dtype=np.int64), np.full(recv_unit.size, -1)]
    number = np.empty(off_unit.size, dtype=np.int64)
    for u in range(settings.n_units):  # numbers within a unit say nothing about the role
        rows = np.flatnonzero(off_unit == u)
        number[rows] = rng.permutation(rows.size) + 1
    strict = rng.lognormal(0.0, 0.3, off_unit.size) * np.where(
        rng.random(off_unit.size) < 0.1, 2.0, 1.0
    )
    cover_arr = np.array(cover, dtype=np.float64).reshape(-1, 3)
    return {
        "off_unit": off_unit,
        "off_desk": off_desk,
        "off_number": number,
        # a few officers are fast on everything they handle (an honest look-alike of speed money)
        "off_speed": rng.normal(0.0, 0.2, off_unit.size)
        + np.where(rng.random(off_unit.size) < FAST_OFFICERS, np.log(0.55), 0.0),
        "off_strict": strict,
        "n_handlers": n_handlers,
        "unit_cover": np.where(n_receivers == 1, 0.01, 0.004),  # fewer stand-ins at big counters
        "cover_officer": cover_arr[:, 0].astype(np.int64),
        "cover_sector": cover_arr[:, 1].astype(np.int64),
        "cover_weight": cover_arr[:, 2],
        "heavy_unit": np.array(heavy_unit, dtype=np.int64),
        "heavy_specialty": np.array(heavy_spec, dtype=np.int64),
        "heavy_weight": rng.lognormal(0.0, 1.0, len(heavy_unit)),
    }


def build_province(settings: Settings, rng: np.random.Generator) -> Province:
    """Draw procedures, units and their officers and heavy filers."""
    procs = _procedures(settings, rng)
    units = _units(settings, rng)
    officers = _officers(settings, units, rng)
    return Province(**procs, **units, **officers)


def value_based_fee(rate: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Posted fee of value-based land procedures: a share of the property value, whole thousands."""
    value = rng.lognormal(np.log(1.5e9), 0.9, rate.size)
    return np.clip(round_to(rate * value, 1_000), 50_000, 3_000_000)
