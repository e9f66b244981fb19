from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from relance.accounts.models import Workspace
from relance.core.command import RelanceCommand
from relance.tracking.experiments import (
    ExperimentResults,
    do_add_experiment,
    do_stop_experiment,
    experiment_results,
    list_experiments,
    parse_variant,
)


class Command(RelanceCommand):
    help = (
        "A/B tests of templates and subjects on a stage: `experiments` lists them with their results per "
        "variant, `experiments add NAME --stage S --variant A:first:0 --variant B:first_short:1`, "
        "`experiments stop NAME`."
    )

    def add_options(self, parser: ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        sub = parser.add_subparsers(dest="action", metavar="add|stop")
        add = sub.add_parser("add", help="start an experiment on a stage")
        add.add_argument("name", help="the experiment's name (letters, digits, - and _)")
        add.add_argument("--stage", required=True, help="the policy stage it covers, e.g. first")
        add.add_argument(
            "--variant",
            action="append",
            required=True,
            metavar="NAME:TEMPLATE:SUBJECT",
            help="a variant: its name, template (empty: the step's own) and subject index (from 0); "
            "give two or more",
        )
        add.add_argument(
            "--min-sample", type=int, default=100, help="sent messages per variant before a winner"
        )
        add.add_argument(
            "--auto-promote",
            action="store_true",
            help="once every variant has min-sample messages, favour the best by Thompson sampling",
        )
        add.add_argument("--json", action="store_true", dest="json_add")
        stop = sub.add_parser("stop", help="stop an experiment (its winner, if any, is recorded)")
        stop.add_argument("name")
        stop.add_argument("--json", action="store_true", dest="json_stop")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self.workspace(options)
        action = options.get("action")
        as_json = bool(options.get("json") or options.get("json_add") or options.get("json_stop"))
        if action == "add":
            variants = [parse_variant(spec) for spec in options["variant"]]
            experiment = do_add_experiment(
                workspace,
                options["name"],
                options["stage"],
                variants,
                min_sample=options["min_sample"],
                auto_promote=options["auto_promote"],
            )
            if as_json:
                self.print_json(experiment_results(experiment).as_json())
            else:
                names = ", ".join(v["name"] for v in variants)
                self.stdout.write(
                    f"experiment {experiment.name} running on stage {experiment.stage}: {names}"
                )
        elif action == "stop":
            experiment, results = do_stop_experiment(workspace, options["name"])
            if as_json:
                self.print_json(results.as_json())
            else:
                winner = (
                    f", winner {experiment.winner}" if experiment.winner else f" ({results.primary.verdict})"
                )
                self.stdout.write(f"experiment {experiment.name} stopped{winner}")
        else:
            self._list(workspace, as_json)

    def _list(self, workspace: Workspace, as_json: bool) -> None:
        results = [experiment_results(e) for e in list_experiments(workspace)]
        if as_json:
            self.print_json([r.as_json() for r in results])
            return
        if not results:
            self.stdout.write(
                "no experiments: add one with `relance experiments add NAME --stage S --variant ...`"
            )
            return
        for result in results:
            self._print(result)

    def _print(self, result: ExperimentResults) -> None:
        exp, primary = result.experiment, result.primary
        flags = " auto-promote" if exp.auto_promote else ""
        self.stdout.write(f"{exp.name}  stage {exp.stage}  {exp.status}  min {exp.min_sample}/variant{flags}")
        width = max((len(v.name) for v in result.variants), default=1)
        for variant, probability in zip(result.variants, primary.probabilities, strict=True):
            row = variant.as_json()
            template = variant.template or "(step's)"
            self.stdout.write(
                f"  {variant.name.ljust(width)}  {template}#{variant.subject}  sent {variant.sent}  "
                f"opened {variant.opened} ({row['open_rate']:.1%})  clicked {variant.clicked} "
                f"({row['click_rate']:.1%})  paid {variant.paid} ({row['payment_rate']:.1%})  "
                f"P(best) {probability:.3f}"
            )
        if primary.test is not None:
            test = primary.test
            self.stdout.write(
                f"  payments: {primary.leader} vs {primary.runner_up}: {test.difference * 100:+.1f} pp "
                f"(95% CI {test.ci_low * 100:+.1f} to {test.ci_high * 100:+.1f} pp), p = {test.p_value:.4f}"
            )
        winner = exp.winner if exp.status == exp.STOPPED and exp.winner else None
        self.stdout.write(f"  {'winner: ' + winner if winner else primary.verdict}")
