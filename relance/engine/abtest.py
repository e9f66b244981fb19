"""A/B test statistics on conversion counts. Pure: no Django, no clock, no global random state.

Every variant ("arm") is a count of trials (messages sent) and successes (messages that converted: paid,
opened or clicked). Definitions:

- Two-proportion z-test, pooled: p = (s1 + s2) / (n1 + n2), se = sqrt(p (1 - p) (1/n1 + 1/n2)),
  z = (p2 - p1) / se, two-sided p-value = erfc(|z| / sqrt 2). The difference is always second minus first.
- 95 % confidence interval of the difference p2 - p1: the unpooled Wald interval,
  (p2 - p1) ± 1.959964 * sqrt(p1 (1 - p1) / n1 + p2 (1 - p2) / n2). Wald is the textbook interval; it is
  too narrow for tiny samples or rates near 0 or 1, which the minimum sample guards against.
  With no trials in an arm there is nothing to test: z = 0, p-value = 1, interval = (-1, 1).
- Posterior of a rate: Beta(1 + successes, 1 + failures) (a uniform prior). The probability that an arm is
  the best (has the highest true rate) is exact for two arms (the closed form sum of Beta functions, see
  `prob_b_beats_a`) and, for three or more, a Monte Carlo estimate over `DRAWS` joint posterior draws from
  a seeded random.Random (standard error below 0.004).
- Thompson sampling: one draw from each arm's posterior, the arm with the highest draw is chosen.
- A winner is named only when every arm has at least `min_sample` trials, the leader's probability of being
  best is at least 0.95, and the z-test of the leader against the runner-up (the arm with the next highest
  probability of being best) gives p < 0.05.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

Z_95 = 1.959963984540054  # the 0.975 quantile of the standard normal
DRAWS = 20_000
BEST_THRESHOLD = 0.95
ALPHA = 0.05


@dataclass(frozen=True)
class Arm:
    name: str
    trials: int
    successes: int

    def __post_init__(self) -> None:
        if self.trials < 0 or self.successes < 0 or self.successes > self.trials:
            raise ValueError(
                f"arm {self.name}: need 0 <= successes ({self.successes}) <= trials ({self.trials})"
            )

    @property
    def rate(self) -> float:
        return self.successes / self.trials if self.trials else 0.0

    @property
    def alpha(self) -> int:
        return 1 + self.successes

    @property
    def beta(self) -> int:
        return 1 + self.trials - self.successes


@dataclass(frozen=True)
class ZTest:
    """Second arm against the first: difference = rate2 - rate1."""

    difference: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float

    def as_json(self) -> dict[str, float | list[float]]:
        return {
            "difference": round(self.difference, 6),
            "z": round(self.z, 4),
            "p_value": round(self.p_value, 6),
            "ci95": [round(self.ci_low, 6), round(self.ci_high, 6)],
        }


def two_proportion_ztest(successes1: int, trials1: int, successes2: int, trials2: int) -> ZTest:
    """Pooled two-proportion z-test (two-sided) and unpooled Wald 95 % interval of rate2 - rate1."""
    if trials1 <= 0 or trials2 <= 0:
        return ZTest(0.0, 0.0, 1.0, -1.0, 1.0)
    p1, p2 = successes1 / trials1, successes2 / trials2
    difference = p2 - p1
    pooled = (successes1 + successes2) / (trials1 + trials2)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / trials1 + 1 / trials2))
    if se_pooled == 0:  # both arms all-success or all-failure: no evidence of a difference
        z, p_value = 0.0, 1.0
    else:
        z = difference / se_pooled
        p_value = math.erfc(abs(z) / math.sqrt(2))
    se = math.sqrt(p1 * (1 - p1) / trials1 + p2 * (1 - p2) / trials2)
    return ZTest(difference, z, min(1.0, p_value), difference - Z_95 * se, difference + Z_95 * se)


def _log_beta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def prob_b_beats_a(a: Arm, b: Arm) -> float:
    """Exact P(rate_b > rate_a) for Beta(a.alpha, a.beta) and Beta(b.alpha, b.beta) posteriors
    (integer parameters): sum over i < alpha_b of B(alpha_a + i, beta_a + beta_b) /
    ((beta_b + i) B(1 + i, beta_b) B(alpha_a, beta_a)). Summed over the smaller side for speed."""
    if a.beta < b.alpha:  # P(b > a) = P(1 - a > 1 - b): the same sum with the roles swapped, over beta_a
        return _exact(
            Arm(b.name, b.trials, b.trials - b.successes), Arm(a.name, a.trials, a.trials - a.successes)
        )
    return _exact(a, b)


def _exact(a: Arm, b: Arm) -> float:
    total = 0.0
    base = _log_beta(a.alpha, a.beta)
    for i in range(b.alpha):
        total += math.exp(
            _log_beta(a.alpha + i, a.beta + b.beta) - math.log(b.beta + i) - _log_beta(1 + i, b.beta) - base
        )
    return min(1.0, max(0.0, total))


def prob_best(arms: Sequence[Arm], rng: random.Random, draws: int = DRAWS) -> list[float]:
    """For each arm, the posterior probability that its rate is the highest (exact for two arms)."""
    if not arms:
        return []
    if len(arms) == 1:
        return [1.0]
    if len(arms) == 2:
        second = prob_b_beats_a(arms[0], arms[1])
        return [1.0 - second, second]
    wins = [0] * len(arms)
    for _ in range(draws):
        samples = [rng.betavariate(arm.alpha, arm.beta) for arm in arms]
        wins[samples.index(max(samples))] += 1
    return [w / draws for w in wins]


def thompson_choice(arms: Sequence[Arm], rng: random.Random) -> int:
    """Thompson sampling: the index of the arm whose posterior draw is highest."""
    if not arms:
        raise ValueError("no arms to choose from")
    samples = [rng.betavariate(arm.alpha, arm.beta) for arm in arms]
    return samples.index(max(samples))


def bucket(key: str, count: int) -> int:
    """A stable, uniform index in [0, count) for `key`: the first 8 bytes of its sha256, modulo count."""
    if count <= 0:
        raise ValueError("count must be positive")
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count


def seed_for(*parts: str) -> int:
    """A reproducible random seed from strings (e.g. experiment, customer, run date)."""
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()[:8], "big")


def min_sample_reached(arms: Sequence[Arm], min_sample: int) -> bool:
    return bool(arms) and all(arm.trials >= min_sample for arm in arms)


@dataclass(frozen=True)
class Analysis:
    """The statistics of one metric over all arms; `winner` is None until the rule in the docstring holds."""

    arms: tuple[Arm, ...]
    probabilities: tuple[float, ...]
    leader: str | None
    runner_up: str | None
    # Leader against runner-up (difference = leader - runner-up).
    test: ZTest | None
    # Every other arm against the first (the control): difference = arm - control.
    versus_control: dict[str, ZTest] = field(default_factory=dict)
    winner: str | None = None
    min_sample: int = 0
    verdict: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "probability_best": {
                a.name: round(p, 4) for a, p in zip(self.arms, self.probabilities, strict=True)
            },
            "leader": self.leader,
            "runner_up": self.runner_up,
            "leader_vs_runner_up": self.test.as_json() if self.test else None,
            "versus_control": {name: t.as_json() for name, t in self.versus_control.items()},
            "winner": self.winner,
            "verdict": self.verdict,
        }


def analyse(
    arms: Sequence[Arm],
    min_sample: int,
    rng: random.Random,
    *,
    threshold: float = BEST_THRESHOLD,
    alpha: float = ALPHA,
    draws: int = DRAWS,
) -> Analysis:
    """Probabilities of being best, leader vs runner-up test, tests against the control, and the winner."""
    arms = tuple(arms)
    probabilities = tuple(prob_best(arms, rng, draws))
    order = sorted(range(len(arms)), key=lambda i: (-probabilities[i], -arms[i].rate, i))
    leader = arms[order[0]] if arms else None
    runner_up = arms[order[1]] if len(arms) > 1 else None
    test = None
    if leader is not None and runner_up is not None:
        test = two_proportion_ztest(runner_up.successes, runner_up.trials, leader.successes, leader.trials)
    control = arms[0] if arms else None
    versus = {
        arm.name: two_proportion_ztest(control.successes, control.trials, arm.successes, arm.trials)
        for arm in arms[1:]
        if control is not None
    }
    winner = None
    smallest = min((arm.trials for arm in arms), default=0)
    if len(arms) < 2:
        verdict = "not enough variants"
    elif not min_sample_reached(arms, min_sample):
        verdict = f"not enough data ({smallest}/{min_sample})"
    else:
        assert leader is not None and test is not None
        best = probabilities[order[0]]
        if best >= threshold and test.p_value < alpha:
            winner = leader.name
            verdict = f"winner: {leader.name}"
        else:
            verdict = f"no winner yet (P(best)={best:.3f}, p={test.p_value:.3f})"
    return Analysis(
        arms=arms,
        probabilities=probabilities,
        leader=leader.name if leader else None,
        runner_up=runner_up.name if runner_up else None,
        test=test,
        versus_control=versus,
        winner=winner,
        min_sample=min_sample,
        verdict=verdict,
    )
