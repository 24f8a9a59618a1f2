"""Keyed pseudonyms of personal identifiers: applicant ids kept only as HMAC-SHA256 hashes.

In real exports the applicant id is often a national ID number, and a model
file keeps each reference applicant's record (which officers handled its
dossiers). With ``RiskModel(pseudonymize=...)`` (``fit --pseudonymize``) the
model sees, and keeps, only ``HMAC-SHA256(secret, applicant id)`` (and the
same of each case id, for the overlap guard): the record works as before,
since a broker's dossiers share one pseudonym, but the file alone does not
give the ids back, nor can anyone without the secret test a guessed ID
number against it.

The secret is never stored in the model. The model keeps where to read it
(``"env:NAME"``, an environment variable, or ``"file:PATH"``, a file) and a
check value, ``HMAC-SHA256(secret, "integrity_signals key check")``, so that
scoring with the wrong key or none is refused (:class:`PseudonymKeyError`)
rather than silently matching nobody.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .exceptions import PseudonymKeyError

__all__ = ["DEFAULT_SOURCE", "PseudonymKeyError", "Pseudonymizer", "key_source", "private_view"]

#: Where the secret is read when ``pseudonymize=True`` (``fit --pseudonymize`` alone).
DEFAULT_SOURCE = "env:INTEGRITY_SIGNALS_KEY"
#: Shortest secret accepted (bytes): shorter ones can be found by trying.
MIN_KEY_BYTES = 16
_CHECK = b"integrity_signals key check"


def key_source(value) -> str | None:
    """``pseudonymize`` as a source: None (off), ``"env:NAME"`` or ``"file:PATH"``.

    >>> key_source(True), key_source("file:/srv/key"), key_source(None)
    ('env:INTEGRITY_SIGNALS_KEY', 'file:/srv/key', None)
    """
    if value is None or value is False:
        return None
    if value is True:
        return DEFAULT_SOURCE
    if isinstance(value, os.PathLike):
        return f"file:{os.fspath(value)}"
    if isinstance(value, str) and value.startswith(("env:", "file:")) and len(value) > 5:
        return value
    raise ValueError(
        "The 'pseudonymize' parameter of RiskModel must be False, True (the secret in the "
        f"environment variable {DEFAULT_SOURCE[4:]}), 'env:NAME' or 'file:PATH'. "
        f"Got {value!r} instead (never the secret itself: it would be saved with the model)."
    )


def _read_secret(source: str) -> bytes:
    kind, _, where = source.partition(":")
    if kind == "env":
        text = os.environ.get(where)
        if not text:
            raise PseudonymKeyError(
                f"The pseudonym secret is not set: the environment variable {where} is empty or "
                f"missing. Set it to the secret the model was fitted with (at least "
                f"{MIN_KEY_BYTES} characters), e.g. export {where}=$(cat /path/to/secret).",
                code="key_missing",
                params={"source": source, "kind": "env", "where": where},
            )
        secret = text.encode()
    else:
        path = Path(where)
        try:
            secret = path.read_bytes().strip()
        except OSError as exc:
            raise PseudonymKeyError(
                f"The pseudonym secret cannot be read from the file {where!r} "
                f"({exc.strerror or exc}). Give the file the model was fitted with.",
                code="key_missing",
                params={"source": source, "kind": "file", "where": where},
            ) from None
    if len(secret) < MIN_KEY_BYTES:
        raise PseudonymKeyError(
            f"The pseudonym secret from {source} is {len(secret)} bytes long; use at least "
            f"{MIN_KEY_BYTES} random bytes (e.g. openssl rand -hex 32).",
            code="key_short",
            params={"source": source, "length": len(secret), "minimum": MIN_KEY_BYTES},
        )
    return secret


class Pseudonymizer:
    """HMAC-SHA256 pseudonyms under one secret (read from ``source``, kept only in memory).

    Examples
    --------
    >>> import os
    >>> os.environ["ISIG_DOCTEST_KEY"] = "correct horse battery staple"
    >>> p = Pseudonymizer("env:ISIG_DOCTEST_KEY")
    >>> h = p.hash_ids(pd.Series(["079123456789", None, "079123456789"]))
    >>> bool(h[0] == h[2]), bool(pd.isna(h[1])), len(h[0]), len(p.check)
    (True, True, 64, 64)
    """

    def __init__(self, source: str):
        self.source = source
        self._secret = _read_secret(source)
        self.check = self.digest(_CHECK)

    def digest(self, message: bytes) -> str:
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def hash_ids(self, values: pd.Series) -> pd.Series:
        """Each id's pseudonym (missing stays missing), computed once per distinct id."""
        codes, uniques = pd.factorize(values)
        table = np.array([self.digest(str(u).encode()) for u in uniques] + [None], dtype=object)
        return pd.Series(table[codes], index=values.index, dtype=object).astype(values.dtype)

    def verify(self, expected: str) -> None:
        """Refuse a secret other than the one whose check value is ``expected``."""
        if not hmac.compare_digest(self.check, expected):
            raise PseudonymKeyError(
                f"The pseudonym secret read from {self.source} is not the one this model was "
                "fitted with: its applicants would match nobody in the model's record. Give the "
                "secret used at fit time (or refit the model with this one).",
                code="key_wrong",
                params={"source": self.source},
            )

    def apply(self, cases: pd.DataFrame) -> pd.DataFrame:
        """``cases`` with ``applicant_id`` and ``case_id`` replaced by their pseudonyms."""
        out = cases.copy(deep=False)
        for column in ("applicant_id", "case_id"):
            if column in out.columns:
                out[column] = self.hash_ids(out[column])
        return out

    def __getstate__(self):  # never pickled with a secret inside
        raise TypeError("a Pseudonymizer holds a secret and is not saved")


def private_view(model, cases: pd.DataFrame, *, fitting: bool = False) -> pd.DataFrame:
    """The cases as ``model`` sees them: with applicant and case ids pseudonymised when the
    model was (``fitting``: is being) fitted with ``pseudonymize`` (the secret checked)."""
    if fitting:
        source = key_source(model.pseudonymize)
        keyer = Pseudonymizer(source) if source is not None else None
        model.key_check_ = None if keyer is None else keyer.check
        return cases if keyer is None else keyer.apply(cases)
    check = getattr(model, "key_check_", None)
    if check is None:
        return cases
    keyer = Pseudonymizer(key_source(model.pseudonymize) or DEFAULT_SOURCE)
    keyer.verify(check)
    return keyer.apply(cases)
