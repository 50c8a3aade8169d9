"""The benchmark scripts run from a clean clone: each one's ``--quick`` mode.

These are smoke tests, not timings (speed is never asserted in a unit test):
they fail when a script no longer runs, or stops printing its table.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
SHARED_DATA = BENCHMARKS.parents[1] / "shared" / "data"
# Benchmarks of accuracy on RAVDESS and EmoDB: without the corpora they print
# that there is nothing to measure, and no table.
REAL_CORPUS_SCRIPTS = {"accuracy.py", "cross_corpus.py", "default_search.py", "feature_search.py",
                       "robustness.py", "seed_spread.py", "transfer_search.py"}
QUICK = sorted(
    p.name for p in BENCHMARKS.glob("*.py")
    if not p.name.startswith("_") and "--quick" in p.read_text()
)


def test_every_performance_benchmark_has_a_quick_mode():
    for name in ("feature_extraction.py", "loading.py", "grid_cache.py",
                 "inference_latency.py"):
        assert name in QUICK, f"benchmarks/{name} is missing or has no --quick mode"


def test_every_script_that_stops_without_the_corpora_is_skipped_without_them():
    # A script that exits printing no table when ../shared/data is absent
    # must be in REAL_CORPUS_SCRIPTS, or its smoke test fails on a machine
    # without the corpora.
    stopping = {name for name in QUICK
                if "SHARED_DATA.is_dir():\n" in (BENCHMARKS / name).read_text()
                and "is absent" in (BENCHMARKS / name).read_text()}
    assert stopping <= REAL_CORPUS_SCRIPTS, sorted(stopping - REAL_CORPUS_SCRIPTS)


@pytest.mark.slow
@pytest.mark.parametrize("script", QUICK)
def test_benchmark_runs_quick_and_prints_its_table(script, tmp_path):
    if script in REAL_CORPUS_SCRIPTS and not SHARED_DATA.is_dir():
        pytest.skip(f"{script} measures the real corpora in {SHARED_DATA}, absent here")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # Every benchmark prints a Markdown table with ratios against a baseline.
    table = [line for line in result.stdout.splitlines() if line.startswith("|")]
    assert len(table) >= 3, result.stdout[-3000:]


@pytest.mark.parametrize("script, parameter, constant, kind, step", [
    ("noise_cepstra.py", "cepstral_root", "STATS_CEPSTRAL_ROOT", "stats", "features"),
    ("noise_contrast.py", "contrast_root", "STATS_CONTRAST_ROOT", "stats", "features"),
    ("member_roots.py", "cepstral_root", "ENSEMBLE_STATS_CEPSTRAL_ROOT", "ensemble",
     "clf__stats__features"),
])
def test_the_statistics_model_takes_what_its_stored_search_chose(script, parameter, constant,
                                                                 kind, step, tmp_path,
                                                                 monkeypatch):
    """The robust statistics model's root settings, and the default
    ensemble's statistics member's, are the candidates the rule picks from
    the stored inner-split folds of their search (no corpus needed: the
    tables are rebuilt from benchmarks/results)."""
    import importlib

    import skser.pipeline

    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, str(BENCHMARKS / script), "--stored-only"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    chosen = [line.split(": ", 1)[1].split(" (")[0] for line in result.stdout.splitlines()
              if line.startswith("Chosen by the rule: ")]
    assert len(chosen) == 1, result.stdout[-3000:]

    monkeypatch.syspath_prepend(str(BENCHMARKS))
    variants = importlib.import_module(script[:-3]).VARIANTS
    assert variants[chosen[0]][parameter] == getattr(skser.pipeline, constant)
    params = skser.make_ser_pipeline(kind).get_params()
    assert params[f"{step}__{parameter}"] == getattr(skser.pipeline, constant)


def _differing_parameters(a, b):
    """Parameter names whose values differ (lists of named steps repeat
    their steps' parameters: compared through those). A step replaced by
    one of another class is one differing name (its own parameters under
    it are not compared)."""
    a, b = a.get_params(deep=True), b.get_params(deep=True)
    replaced = {k for k in a.keys() & b.keys()
                if (hasattr(a[k], "get_params") or hasattr(b[k], "get_params"))
                and type(a[k]) is not type(b[k])}

    def under(key):
        return any(key.startswith(r + "__") for r in replaced)

    assert not {k for k in a.keys() ^ b.keys() if not under(k)}
    return replaced | {k for k in a if not under(k) and not hasattr(a[k], "get_params")
                       and k.rsplit("__", 1)[-1] not in ("steps", "estimators", "memory")
                       and repr(a[k]) != repr(b[k])}


def test_each_candidate_is_its_row_with_its_change_only(monkeypatch):
    """A candidate row (robustness.py, cross_corpus.py) is compared with the
    row it would replace: it must be that row's pipeline with its change and
    nothing else (adapted twins too), and must not share the row's stored
    results."""
    import importlib

    monkeypatch.syspath_prepend(str(BENCHMARKS))
    robustness = importlib.import_module("robustness")
    cross_corpus = importlib.import_module("cross_corpus")
    assert robustness.CANDIDATES
    for name, (row, change) in robustness.CANDIDATES.items():
        assert name in robustness.ROWS and name not in robustness.TABLE_ROWS
        candidate = robustness.make_row(name)
        assert _differing_parameters(candidate, robustness.make_row(row)) == set(change)
        assert all(candidate.get_params()[k] == v for k, v in change.items())
        assert robustness.row_key(name) != robustness.row_key(row)
        for suffix in ("", cross_corpus.ADAPT):
            assert name + suffix in cross_corpus.CANDIDATE_ROWS
            assert name + suffix not in cross_corpus.ROWS
            assert _differing_parameters(cross_corpus.make_row(name + suffix),
                                         cross_corpus.make_row(row + suffix)) == set(change)
            assert (cross_corpus.row_key(name + suffix, "4", ("emodb",))
                    != cross_corpus.row_key(row + suffix, "4", ("emodb",)))
