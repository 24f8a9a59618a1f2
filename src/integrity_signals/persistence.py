"""Saving and loading fitted models: one joblib file, a metadata envelope, a SHA-256.

The file holds ``{"format", "envelope", "sha256", "payload"}``: the payload is
the pickled model (bytes), the envelope its metadata (library, scikit-learn,
numpy and pandas versions, schema columns, catalog hash, fit date, training
rows, feature names), and ``sha256`` the digest of the payload. ``load``
checks the structure, the digest and the versions before unpickling the
model, and raises :class:`~integrity_signals.ModelFileError` with the reason.

Security: joblib (pickle) files can run code when they are loaded. The
checksum detects truncation, corruption and accidental edits, not a file
crafted by someone who can write it. Load only model files from a trusted
source, e.g. ones your own scripts wrote to a directory only they can write.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import sklearn

from . import __version__
from .atomic import replacing
from .exceptions import ModelFileError

__all__ = [
    "FORMAT",
    "applicant_ids",
    "check_sha256",
    "file_sha256",
    "load_model",
    "missing_state",
    "model_info",
    "read_envelope",
    "save_model",
]

FORMAT = "integrity_signals.model/4"  # 2: the reference record (0.2.0); 3: sector shares (0.3.0); 4: shift and cluster tests, signal registry (0.4.0)


def _versions() -> dict[str, str]:
    return {
        "integrity_signals": __version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def save_model(model, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    envelope = {
        "versions": _versions(),
        "schema": list(model.input_columns_),
        "catalog_sha256": model.catalog_hash_,
        "fitted_at": model.fitted_at_,
        "training_rows": int(model.n_reference_),
        "feature_names": list(model.feature_names_),
        "params": {k: repr(v) for k, v in model.get_params().items()},
        "applicant_ids": applicant_ids(model),
    }
    record = {
        "format": FORMAT,
        "envelope": envelope,
        "sha256": hashlib.sha256(payload).hexdigest(),
        "payload": payload,
    }
    with replacing(path) as tmp:  # never a half-written model under the real name
        joblib.dump(record, tmp, compress=3)
    return path


def applicant_ids(model) -> str:
    """How a model holds applicant ids: ``"pseudonymised"`` (keyed HMAC-SHA256 hashes),
    ``"raw"`` (as in the data: personal data) or ``"none"`` (no applicant column)."""
    if getattr(model, "key_check_", None) is not None:
        return "pseudonymised"
    handlers = getattr(getattr(model, "features_", None), "handlers_", None)
    return "raw" if getattr(handlers, "applicants_", None) is not None else "none"


def file_sha256(path) -> str:
    """The SHA-256 of a file's bytes (what ``sha256sum`` prints)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_sha256(path, expected: str) -> None:
    """Refuse a model file whose SHA-256 is not ``expected`` (before anything is unpickled)."""
    wanted = str(expected).strip().lower()
    if len(wanted) != 64 or any(c not in "0123456789abcdef" for c in wanted):
        raise ModelFileError(
            f"The expected SHA-256 {expected!r} is not 64 hexadecimal digits; copy it from "
            "`integrity-signals model-info` or `sha256sum`.",
            code="bad_sha256",
            params={"expected": str(expected)},
        )
    found = file_sha256(path)
    if found != wanted:
        raise ModelFileError(
            f"Model file {str(path)!r} has SHA-256 {found}, not the expected {wanted}: it is "
            "another file than the one you pinned (replaced, refitted or tampered with). It was "
            "not loaded.",
            code="sha256_mismatch",
            params={"path": str(path), "found": found, "expected": wanted},
        )


def model_info(path) -> dict:
    """What a model file says about itself, without unpickling the model: format, versions, fit
    date, reference rows, input columns, catalog hash, how it holds applicant ids, the file's
    size and SHA-256."""
    record = _read(path)
    env = record["envelope"]
    ids = env.get("applicant_ids", "unknown (saved before 0.4.1)")
    return {
        "path": str(path),
        "format": record["format"],
        "versions": dict(env.get("versions", {})),
        "fitted_at": env.get("fitted_at"),
        "training_rows": env.get("training_rows"),
        "columns": list(env.get("schema", [])),
        "catalog_sha256": env.get("catalog_sha256"),
        "applicant_ids": ids,
        "personal_data": ids != "pseudonymised" and ids != "none",
        "bytes": Path(path).stat().st_size,
        "sha256": file_sha256(path),
        "payload_sha256": record.get("sha256"),
    }


def _read(path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"Model file {str(path)!r} does not exist.")
    try:
        record = joblib.load(path)
    except Exception as exc:
        raise ModelFileError(
            f"Model file {str(path)!r} cannot be read ({type(exc).__name__}: {exc}); it is truncated, "
            "corrupted or not a model file. Fit and save the model again."
        ) from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise ModelFileError(
            f"{str(path)!r} is not an integrity_signals model file (expected format {FORMAT!r})."
        )
    return record


def read_envelope(path) -> dict:
    """The metadata of a saved model, without unpickling the model itself."""
    return _read(path)["envelope"]


def load_model(path, cls, *, allow_version_mismatch: bool = False, sha256: str | None = None):
    if sha256 is not None:
        if not Path(path).is_file():
            raise ModelFileError(f"Model file {str(path)!r} does not exist.")
        check_sha256(path, sha256)
    record = _read(path)
    payload = record.get("payload")
    if not isinstance(payload, bytes) or hashlib.sha256(payload).hexdigest() != record.get(
        "sha256"
    ):
        raise ModelFileError(
            f"Model file {str(path)!r} fails its SHA-256 check: it was modified or damaged after it "
            "was saved. Do not use it; fit and save the model again."
        )
    saved, here = record["envelope"]["versions"], _versions()
    mismatch = [
        f"{k} {saved.get(k)} (now {v})"
        for k, v in here.items()
        if _minor(str(saved.get(k))) != _minor(v)
    ]
    if mismatch and not allow_version_mismatch:
        raise ModelFileError(
            f"Model file {str(path)!r} was saved with " + ", ".join(mismatch) + ". Refit the model "
            "with the installed versions, or install the versions it was saved with."
        )
    model = pickle.loads(payload)
    if not isinstance(model, cls):
        raise ModelFileError(f"{str(path)!r} holds a {type(model).__name__}, not a {cls.__name__}.")
    missing = missing_state(model)
    if missing:
        raise ModelFileError(
            f"Model file {str(path)!r} lacks {', '.join(missing)}: it was saved by another version "
            "of integrity_signals. Fit and save the model again."
        )
    return model


def missing_state(model) -> list[str]:
    """Fitted attributes this version needs that a loaded model lacks (empty when complete)."""
    needed = ("features_", "tails_", "entity_tests_", "records_", "digits_", "coverage_")
    missing = [name for name in needed if not hasattr(model, name)]
    handlers = getattr(getattr(model, "features_", None), "handlers_", None)
    if handlers is not None:
        missing += [f"features_.handlers_.{n}"
                    for n in ("record_", "reference_period_", "fits_", "sector_of_",
                              "sector_ids_", "su_count_", "suh_count_")
                    if not hasattr(handlers, n)]  # fmt: skip
    return missing
