"""The linter against the labelled corpus (tests/corpus/lint): precision and recall of "this message has a
problem" (at least one error or warning) versus the labels, overall and per language."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "lint_corpus.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lint_corpus", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_corpus_has_enough_varied_items(bench: ModuleType) -> None:
    for language in ("fr", "en"):
        items = bench.load(language)
        assert len(items) >= 40
        good = sum(1 for item in items if not item["expect"])
        assert 0.35 <= good / len(items) <= 0.65
        assert len({item["stage"] for item in items}) == 11
        assert len({item["id"] for item in items}) == len(items)


def test_overall_precision_and_recall_reach_ninety_percent(bench: ModuleType) -> None:
    result = bench.run()
    overall = result["overall"]
    assert overall["precision"] >= 0.9, overall
    assert overall["recall"] >= 0.9, overall
    for language in ("fr", "en"):
        assert result[language]["precision"] >= 0.85, result[language]
        assert result[language]["recall"] >= 0.85, result[language]
