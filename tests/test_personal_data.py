"""Personal data in model files: pseudonymised applicant ids, the secret never stored, a wrong or
missing secret refused; model-info and a pinned SHA-256."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import integrity_signals as isig
from integrity_signals.cli import EXIT_BAD_INPUT, EXIT_OK, main
from integrity_signals.persistence import file_sha256, model_info

SECRET = "a-secret-of-thirty-two-characters!"


@pytest.fixture(scope="module")
def sim():
    sim = isig.simulate(n_cases=3_000, random_state=2, officers_per_scheme=1)
    cases = sim.cases.copy()
    # national ID numbers, as in real exports
    cases["applicant_id"] = "0790" + cases["applicant_id"].str.replace(
        r"\D", "", regex=True
    ).str.zfill(8)
    return cases, sim.catalog


def _fit(cases, catalog, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return isig.RiskModel(random_state=0, n_estimators=30, **params).fit(cases, catalog=catalog)


def _score(model, cases):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.score(cases), model.score_entities(cases)


def test_a_pseudonymised_model_holds_no_applicant_id_and_scores_the_same(
    sim, tmp_path, monkeypatch
):
    cases, catalog = sim
    monkeypatch.setenv("ISIG_TEST_KEY", SECRET)
    plain = _fit(cases, catalog)
    hashed = _fit(cases, catalog, pseudonymize="env:ISIG_TEST_KEY")
    # the same flags and officers: a broker's dossiers share one pseudonym
    for a, b in zip(_score(plain, cases), _score(hashed, cases), strict=True):
        pd.testing.assert_frame_equal(a, b)
    later = cases.tail(500).copy()  # a later batch, pooled with the record
    for column in ("submitted_at", "due_at", "completed_at"):
        later[column] += pd.Timedelta(weeks=52)
    later["case_id"] = "N" + later["case_id"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.testing.assert_frame_equal(
            plain.score(later, force=True), hashed.score(later, force=True)
        )
    paths = {name: tmp_path / f"{name}.joblib" for name in ("plain", "hashed")}
    plain.save(paths["plain"])
    hashed.save(paths["hashed"])
    ids = cases["applicant_id"].unique()[:50]
    raw = {name: _decompressed(path) for name, path in paths.items()}
    assert sum(i.encode() in raw["plain"] for i in ids) == len(ids)  # raw ids: personal data
    assert not any(i.encode() in raw["hashed"] for i in ids)
    assert SECRET.encode() not in raw["hashed"]  # the secret is never stored
    assert model_info(paths["plain"])["applicant_ids"] == "raw"
    assert model_info(paths["hashed"])["applicant_ids"] == "pseudonymised"


def _decompressed(path) -> bytes:
    """Every byte the model file holds, the pickled model included."""
    import pickle

    import joblib

    record = joblib.load(path)
    return pickle.dumps(record["envelope"]) + record["payload"]


def test_scoring_with_the_wrong_or_no_secret_is_refused(sim, tmp_path, monkeypatch):
    cases, catalog = sim
    monkeypatch.setenv("ISIG_TEST_KEY", SECRET)
    model = _fit(cases, catalog, pseudonymize="env:ISIG_TEST_KEY")
    path = tmp_path / "m.joblib"
    model.save(path)
    monkeypatch.setenv("ISIG_TEST_KEY", "another-secret-of-enough-length")
    loaded = isig.RiskModel.load(path)
    with pytest.raises(isig.PseudonymKeyError, match="not the one this model was fitted with"):
        loaded.score(cases)
    monkeypatch.delenv("ISIG_TEST_KEY")
    with pytest.raises(isig.PseudonymKeyError, match="environment variable ISIG_TEST_KEY is empty"):
        loaded.score(cases)
    monkeypatch.setenv("ISIG_TEST_KEY", "short")
    with pytest.raises(isig.PseudonymKeyError, match="5 bytes long; use at least 16"):
        loaded.score(cases)
    with pytest.raises(ValueError, match="never the secret itself"):
        isig.RiskModel(pseudonymize=SECRET).fit(cases)


def test_fit_pseudonymize_on_the_command_line(sim, tmp_path, monkeypatch, capsys):
    cases, _ = sim
    path, model = tmp_path / "cases.csv", tmp_path / "m.joblib"
    cases.to_csv(path, index=False)
    key = tmp_path / "secret.key"
    key.write_text(SECRET)
    assert main(["fit", str(path), "--model", str(model), "-q", "--pseudonymize",
                 f"file:{key}"]) == EXIT_OK  # fmt: skip
    assert main(["model-info", str(model)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "pseudonymised: keyed HMAC-SHA256 hashes only" in out
    flags = tmp_path / "flags.csv"
    assert main(["score", str(path), "--model", str(model), "--out", str(flags), "-q"]) == EXIT_OK
    key.write_text("x" * 40)  # the wrong secret
    code = main(["score", str(path), "--model", str(model), "--out", str(flags), "-q"])
    assert code == EXIT_BAD_INPUT
    assert "is not the one this model was fitted with" in capsys.readouterr().err
    monkeypatch.delenv("INTEGRITY_SIGNALS_KEY", raising=False)
    code = main(["fit", str(path), "--model", str(tmp_path / "n.joblib"), "--pseudonymize", "-q"])
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT and "environment variable INTEGRITY_SIGNALS_KEY" in err
    code = main(["fit", str(path), "--model", str(tmp_path / "n.joblib"), "--pseudonymize", "-q",
                 "--lang", "vi"])  # fmt: skip
    assert "biến môi trường INTEGRITY_SIGNALS_KEY" in capsys.readouterr().err


def test_model_info_and_a_pinned_sha256(sim, tmp_path, capsys):
    cases, catalog = sim
    model = _fit(cases, catalog)
    path = tmp_path / "m.joblib"
    model.save(path)
    assert main(["model-info", str(path)]) == EXIT_OK
    out = capsys.readouterr().out
    sha = file_sha256(path)
    for fact in ("integrity_signals.model/4", "3,000", "applicant_id", "RAW: the file holds",
                 sha, f"--model-sha256 {sha}"):  # fmt: skip
        assert fact in out
    assert main(["model-info", str(path), "--json"]) == EXIT_OK
    assert '"sha256": "' + sha in capsys.readouterr().out
    assert isinstance(isig.RiskModel.load(path, sha256=sha.upper()), isig.RiskModel)
    with pytest.raises(isig.ModelFileError, match="not the expected"):
        isig.RiskModel.load(path, sha256="0" * 64)
    flags = tmp_path / "flags.csv"
    cases.head(200).to_csv(tmp_path / "c.csv", index=False)
    code = main(["score", str(tmp_path / "c.csv"), "--model", str(path), "--out", str(flags),
                 "--model-sha256", "0" * 64])  # fmt: skip
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT and "It was not loaded" in err and not flags.exists()
    code = main(["score", str(tmp_path / "c.csv"), "--model", str(path), "--out", str(flags),
                 "--model-sha256", "abc", "--lang", "vi"])  # fmt: skip
    assert code == EXIT_BAD_INPUT and "không phải 64 chữ số" in capsys.readouterr().err
    assert main(["model-info", str(tmp_path / "c.csv")]) == EXIT_BAD_INPUT
