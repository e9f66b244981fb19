"""A/B test statistics against hand-computed values."""

from __future__ import annotations

import math
import random

import pytest

from relance.engine.abtest import (
    Arm,
    analyse,
    bucket,
    min_sample_reached,
    prob_b_beats_a,
    prob_best,
    seed_for,
    thompson_choice,
    two_proportion_ztest,
)


def test_ztest_120_of_1000_against_150_of_1000():
    # pooled p = 270/2000 = 0.135; se = sqrt(0.135 * 0.865 * 2/1000) = 0.0152824; z = 0.03 / se = 1.96305
    # p = erfc(1.96305 / sqrt 2) = 0.04964
    # unpooled se = sqrt(0.12*0.88/1000 + 0.15*0.85/1000) = 0.0152676; CI = 0.03 ± 1.959964 * se
    test = two_proportion_ztest(120, 1000, 150, 1000)
    assert test.difference == pytest.approx(0.03)
    assert test.z == pytest.approx(1.96305, abs=1e-4)
    assert test.p_value == pytest.approx(0.04964, abs=1e-4)
    assert test.ci_low == pytest.approx(0.03 - 1.959964 * math.sqrt(0.0002331), abs=1e-6)
    assert test.ci_high == pytest.approx(0.059924, abs=1e-5)
    assert test.ci_low == pytest.approx(0.0000760, abs=1e-5)


def test_ztest_is_antisymmetric_and_degenerate_cases_are_not_significant():
    forward, backward = two_proportion_ztest(120, 1000, 150, 1000), two_proportion_ztest(150, 1000, 120, 1000)
    assert backward.z == pytest.approx(-forward.z)
    assert backward.p_value == pytest.approx(forward.p_value)
    assert two_proportion_ztest(0, 0, 5, 10).p_value == 1.0
    assert two_proportion_ztest(0, 50, 0, 50).p_value == 1.0
    assert two_proportion_ztest(50, 100, 50, 100).p_value == pytest.approx(1.0)


def test_probability_of_being_best_symmetric_is_one_half():
    rng = random.Random(1)
    assert prob_best([Arm("A", 100, 10), Arm("B", 100, 10)], rng) == pytest.approx([0.5, 0.5], abs=1e-9)
    three = prob_best([Arm("A", 100, 10), Arm("B", 100, 10), Arm("C", 100, 10)], rng)
    assert three == pytest.approx([1 / 3] * 3, abs=0.015)
    assert sum(three) == pytest.approx(1.0)


def test_exact_two_arm_probability_matches_known_values():
    # P(B > A) for Beta(2, 1) vs Beta(1, 2) (1/1 against 0/1): 1 - 1/6 = 5/6.
    assert prob_b_beats_a(Arm("A", 1, 0), Arm("B", 1, 1)) == pytest.approx(5 / 6)
    # 120/1000 vs 150/1000: about 0.975 (the z-test's one-sided 1 - 0.0248).
    assert prob_b_beats_a(Arm("A", 1000, 120), Arm("B", 1000, 150)) == pytest.approx(0.975, abs=0.002)
    # The two summation orders agree.
    a, b = Arm("A", 10, 3), Arm("B", 20, 15)
    assert prob_b_beats_a(a, b) + prob_b_beats_a(b, a) == pytest.approx(1.0)


def test_monte_carlo_agrees_with_the_exact_two_arm_answer():
    # C (10/1000) is never best, so A and B share the probability as in the exact two-arm answer.
    arms = [Arm("A", 1000, 120), Arm("B", 1000, 150), Arm("C", 1000, 10)]
    probabilities = prob_best(arms, random.Random(7))
    exact = prob_b_beats_a(arms[0], arms[1])
    assert probabilities[1] == pytest.approx(exact, abs=0.005)
    assert probabilities[0] == pytest.approx(1 - exact, abs=0.005)
    assert probabilities[2] == 0.0
    assert probabilities == prob_best(arms, random.Random(7))  # reproducible with a seed


def test_thompson_choice_is_reproducible_and_favours_the_better_arm():
    arms = [Arm("A", 1000, 100), Arm("B", 1000, 200)]
    first = [thompson_choice(arms, random.Random(seed)) for seed in range(200)]
    again = [thompson_choice(arms, random.Random(seed)) for seed in range(200)]
    assert first == again
    assert first.count(1) == 200
    even = [thompson_choice([Arm("A", 10, 5), Arm("B", 10, 5)], random.Random(s)) for s in range(2000)]
    assert 850 < even.count(0) < 1150
    with pytest.raises(ValueError):
        thompson_choice([], random.Random(0))


def test_bucket_is_stable_and_roughly_uniform():
    counts = [0, 0, 0]
    for i in range(10_000):
        counts[bucket(f"exp\x1fCUST-{i}", 3)] += 1
    assert all(3000 < c < 3700 for c in counts), counts
    assert bucket("exp\x1fX", 2) == bucket("exp\x1fX", 2)
    assert seed_for("a", "b") == seed_for("a", "b") != seed_for("a", "c")


def test_no_winner_before_min_sample():
    arms = [Arm("A", 90, 5), Arm("B", 90, 60)]  # overwhelming difference, but under the minimum
    result = analyse(arms, 100, random.Random(0))
    assert not min_sample_reached(arms, 100)
    assert result.winner is None
    assert result.verdict == "not enough data (90/100)"
    assert result.leader == "B"
    assert result.probabilities[1] > 0.99


def test_winner_when_every_condition_holds():
    result = analyse([Arm("A", 1000, 100), Arm("B", 1000, 160)], 100, random.Random(0))
    assert result.winner == "B"
    assert result.test is not None and result.test.p_value < 0.05
    assert result.versus_control["B"].difference == pytest.approx(0.06)


def test_no_winner_without_significance():
    # 120 vs 150 of 1000: P(best) ~0.975 and p ~0.0496 → a winner; 120 vs 140: p ~0.19 → none.
    assert analyse([Arm("A", 1000, 120), Arm("B", 1000, 150)], 100, random.Random(0)).winner == "B"
    none = analyse([Arm("A", 1000, 120), Arm("B", 1000, 140)], 100, random.Random(0))
    assert none.winner is None
    assert none.verdict.startswith("no winner yet")


def test_arm_rejects_impossible_counts():
    with pytest.raises(ValueError):
        Arm("A", 5, 6)
