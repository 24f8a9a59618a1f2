"""Reading a Vietnamese case-management export: headers, dd/mm/yyyy dates, "1.500.000" fees.

    python examples/vietnamese_export.py [OUT_DIR]   # default integrity-demo/vietnamese/

Built-in aliases recognise the usual headers ("Mã hồ sơ", "Ngày tiếp nhận",
"Cán bộ xử lý", "Lệ phí", ...) whatever their case, accents or spacing. A
commune's own names are mapped with a column map: a dict in Python, or the
same as a TOML file for the command line (``--columns ban_do_cot.toml``).
"""

import sys
from pathlib import Path

import pandas as pd

import integrity_signals as isig

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "integrity-demo/vietnamese")
OUT.mkdir(parents=True, exist_ok=True)

# --- An export as a case-management system writes it (simulated here).
sim = isig.simulate(12_000, random_state=2)
paths = isig.write_simulation(
    sim, OUT / "ho_so.csv", catalog_path=OUT / "danh_muc.csv", vietnamese_headers=True
)
print(pd.read_csv(paths["cases"], dtype=str, nrows=2, encoding="utf-8-sig").T)

# --- This commune names two columns its own way and writes online filing differently.
raw = pd.read_csv(paths["cases"], dtype=str, keep_default_na=False, encoding="utf-8-sig")
raw = raw.rename(columns={"Mã hồ sơ": "Số biên nhận", "Cán bộ xử lý": "CB thụ lý"})
raw["Hình thức nộp"] = raw["Hình thức nộp"].replace({"Trực tuyến": "Qua Cổng DVC quốc gia"})
export = OUT / "ho_so_xa.csv"
raw.to_csv(export, index=False, encoding="utf-8-sig")

# --- Without a map the reader says which column it misses and what it found.
try:
    isig.read_cases(export)
except isig.SchemaError as exc:
    print(f"without a map: {exc}")

# --- With a column map (and the channel spelling) every row is read.
column_map = {
    "columns": {"Số biên nhận": "case_id", "CB thụ lý": "handler_id"},
    "channel": {"Qua Cổng DVC quốc gia": "online"},
}
data = isig.read_cases(export, column_map)
print(data.summary())
assert data.n_rejected == 0 and len(data.cases) == len(sim.cases)

# The same map as a file, for `integrity-signals validate|fit|score ... --columns FILE`.
(OUT / "ban_do_cot.toml").write_text(
    "[columns]\n"
    '"Số biên nhận" = "case_id"\n'
    '"CB thụ lý" = "handler_id"\n\n'
    "[channel]\n"
    '"Qua Cổng DVC quốc gia" = "online"\n',
    encoding="utf-8",
)

# --- The catalog ("15 ngày làm việc", "Miễn phí") reads with its built-in aliases.
catalog = isig.read_catalog(paths["catalog"])
print(catalog.catalog.head(3).to_string())

# --- Then the usual job.
model = isig.RiskModel(random_state=0).fit(data, catalog=catalog)
officers = model.score_entities(data, level="handler_id")
print(
    officers[["handler_id", "risk_score", "flagged", "reasons"]].head(5).to_string(max_colwidth=80)
)

# --- The sample export shipped with the library: eight rows break the contract on purpose.
sample = Path(isig.__file__).parents[2] / "examples" / "data" / "ho_so_mau.csv"
if sample.is_file():  # in a source checkout
    checked = isig.read_cases(sample)
    print(checked.summary())
    print(checked.rejects[["row", "column", "reason", "value"]].to_string(index=False))
