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
from .exceptions import ModelFileError

__all__ = ["FORMAT", "load_model", "read_envelope", "save_model"]

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
    }
    record = {
        "format": FORMAT,
        "envelope": envelope,
        "sha256": hashlib.sha256(payload).hexdigest(),
        "payload": payload,
    }
    tmp = path.with_name(path.name + ".tmp")
    joblib.dump(record, tmp, compress=3)
    tmp.replace(path)  # never leave a half-written model under the real name
    return path


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


def load_model(path, cls, *, allow_version_mismatch: bool = False):
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
    missing = model._missing_state() if hasattr(model, "_missing_state") else []
    if missing:
        raise ModelFileError(
            f"Model file {str(path)!r} lacks {', '.join(missing)}: it was saved by another version "
            "of integrity_signals. Fit and save the model again."
        )
    return model
