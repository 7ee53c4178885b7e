"""The ``signoff`` command line.

    signoff run                 accept the target of the plan: check features, start the CRM,
                                run every feature in the browsers, write Allure results and reports
    signoff check               check the plan and the feature files, run nothing
    signoff steps [--markdown PATH]   the step catalogue: every phrasing, English and Chinese
    signoff target up|down|reset|status
    signoff report [--lang en|zh]     rebuild the Allure report, the sign-off report (HTML, PDF) and
                                the defect list from the last run
    signoff compare [RUN_A] [RUN_B]   two archived runs side by side (default: the last two);
                                exit 1 when something got worse
    signoff manual [FEATURES]   run with a screenshot after every step and write the user manual

Every error a user can cause ends in one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn

from signoff.errors import BrowserError, SignoffError, TargetError
from signoff.plan import Plan, load_plan

EXIT_OK = 0
EXIT_FAILED = 1  # the CRM failed an acceptance check
EXIT_USAGE = 2  # bad input: plan, features, options
EXIT_TARGET = 3  # the CRM or the browser cannot be had
EXIT_INTERRUPTED = 130

#: Seconds an interrupted run has to stop between scenarios before it is terminated.
INTERRUPT_GRACE = 10.0


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    # Everything after "--" goes to pytest untouched.
    extra: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1 :]
    args = parser.parse_args(argv)
    args.pytest_args = extra
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.handler(args))
    except (TargetError, BrowserError) as error:
        print(f"signoff: {error}", file=sys.stderr)
        return EXIT_TARGET
    except SignoffError as error:
        print(f"signoff: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("signoff: interrupted; everything started was stopped", file=sys.stderr)
        return EXIT_INTERRUPTED


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad option is one line (``signoff: ...``), not a usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(
            EXIT_USAGE,
            f"signoff: {self.prog.removeprefix('signoff').strip() + ': ' if self.prog != 'signoff' else ''}{message} (see signoff --help)\n",
        )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="signoff", description="Acceptance of CRM systems.")
    parser.add_argument("--plan", default=None, help="acceptance plan file (default: acceptance.toml)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = commands.add_parser("run", help="run the acceptance and write the reports")
    run.add_argument("features", nargs="*", help="feature files or folders (default: the plan's [run] features)")
    run.add_argument("--browser", action="append", default=None, help="browser(s) to run in (default: the plan's)")
    run.add_argument("--headed", action="store_true", help="show the browser")
    run.add_argument("--workers", type=int, default=None, help="parallel workers (default: the plan's)")
    run.add_argument("--screenshots", choices=("on-failure", "every-step"), default=None)
    run.add_argument("--no-report", action="store_true", help="skip the HTML report")
    run.add_argument(
        "--shard", metavar="I/N", default=None, help="run shard I of N (whole feature files); merge with report --merge"
    )
    run.add_argument("--lang", choices=("en", "zh"), default=None, help="language of the sign-off report")
    run.add_argument("--manual", action="store_true", help="also write the user manual (screenshots after every step)")
    run.epilog = "Arguments after -- go to pytest, e.g. signoff run -- -k organisation"
    run.set_defaults(handler=command_run)

    security = commands.add_parser(
        "security", help="run the security acceptance (features/security: scanners and own checks) and its report"
    )
    security.add_argument("--lang", choices=("en", "zh"), default="en", help="which security feature to run")
    security.add_argument("--no-report", action="store_true", help="skip the Allure HTML report")
    security.epilog = "Arguments after -- go to pytest. Writes reports/security/security.{html,json}."
    security.set_defaults(handler=command_security)

    check = commands.add_parser("check", help="check the plan and the feature files")
    check.add_argument("features", nargs="*")
    check.set_defaults(handler=command_check)

    steps = commands.add_parser("steps", help="print the step catalogue: every phrasing, in English and Chinese")
    steps.add_argument("features", nargs="*", help="features to take examples from (default: the plan's)")
    steps.add_argument("--markdown", metavar="PATH", default=None, help="write it as Markdown to PATH instead")
    steps.set_defaults(handler=command_steps)

    perf = commands.add_parser("perf", help="run one performance profile (smoke, load, stress) and write its report")
    perf.add_argument("--profile", choices=("smoke", "load", "stress"), default="smoke")
    perf.add_argument("--allow-host", action="append", default=[], help="a host other than loopback that may be loaded")
    perf.add_argument("--save-baseline", action="store_true", help="keep this run as the baseline of later runs")
    perf.add_argument("--no-browser", action="store_true", help="do not open the key pages in a browser at each step")
    perf.set_defaults(handler=command_perf)

    target = commands.add_parser("target", help="manage the CRM under test")
    target.add_argument("action", choices=("up", "down", "reset", "status"))
    target.add_argument("--label", default="cli", help="instance label (several can run side by side)")
    target.set_defaults(handler=command_target)

    report = commands.add_parser("report", help="rebuild the Allure report, the sign-off report and the defect list")
    report.add_argument("--lang", choices=("en", "zh"), default=None, help="language (default: the plan's [project])")
    report.add_argument("--no-pdf", action="store_true", help="skip the PDF of the sign-off report")
    report.add_argument(
        "--merge", nargs="+", metavar="DIR", default=None, help="merge the runs under these folders (shards, machines)"
    )
    report.add_argument(
        "--into", metavar="DIR", default=None, help="with --merge: where to write (default: report_dir)"
    )
    report.add_argument("--no-html", action="store_true", help="with --merge: skip the Allure HTML report")
    report.set_defaults(handler=command_report)

    compare = commands.add_parser("compare", help="compare two archived runs (default: the last two)")
    compare.add_argument("runs", nargs="*", metavar="RUN", help="archived run folder names (or unique prefixes)")
    compare.set_defaults(handler=command_compare)

    manual = commands.add_parser("manual", help="write the user manual from a run with a screenshot after every step")
    manual.add_argument("features", nargs="*", help="feature files or folders (default: the plan's [run] features)")
    manual.add_argument(
        "--from-results", metavar="DIR", default=None, help="build it from these Allure results, run nothing"
    )
    manual.add_argument("--lang", choices=("en", "zh"), default=None, help="language of the headings")
    manual.add_argument("--no-pdf", action="store_true", help="skip the PDF")
    manual.add_argument("--browser", action="append", default=None, help="browser to run in (default: the plan's)")
    manual.set_defaults(handler=command_manual)
    return parser


# ----------------------------------------------------------------------------- check


def _feature_paths(plan: Plan, given: list[str]) -> list[str]:
    return [str(Path(path).resolve()) for path in given] or [str(plan.resolve(path)) for path in plan.run.features]


def project_root(plan: Plan) -> Path:
    """The folder with the step vocabulary and page objects: here, else beside the plan file."""
    for folder in (Path.cwd(), plan.root):
        if (folder / "conftest.py").exists() and (folder / "steps").is_dir():
            return folder.resolve()
    return plan.root


def command_check(args: argparse.Namespace) -> int:
    from signoff import lint

    plan = load_plan(args.plan)
    paths = _feature_paths(plan, args.features)
    if _report_feature_problems(plan, paths):
        return EXIT_USAGE
    print(
        f"{len(lint.find_feature_files(paths))} feature files: well formed, every step defined, every function point known"
    )
    return EXIT_OK


def command_steps(args: argparse.Namespace) -> int:
    from signoff import step_catalogue

    plan = load_plan(args.plan)
    _ensure_project_on_path(plan)
    entries = step_catalogue.build(_feature_paths(plan, args.features), project_root(plan))
    if args.markdown is None:
        sys.stdout.write(step_catalogue.render_text(entries))
        return EXIT_OK
    path = Path(args.markdown)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(step_catalogue.render_markdown(entries), encoding="utf-8")
    except OSError as error:
        print(f"signoff: cannot write the step catalogue to {path}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    print(f"step catalogue: {path} ({len(entries)} steps)")
    return EXIT_OK


def _report_feature_problems(plan: Plan, paths: list[str]) -> bool:
    """Print every problem of the feature files, one line each; True when there was one."""
    from signoff import lint

    _ensure_project_on_path(plan)
    files = lint.find_feature_files(paths)
    if not files:
        print(f"signoff: no .feature files under {', '.join(paths)}", file=sys.stderr)
        return True
    problems = lint.check_features(files)
    # A malformed file is reported once, by the syntax check, not again by the tag check.
    malformed = {problem.path for problem in problems if problem.message.startswith("malformed")}
    lines = [str(problem) for problem in problems]
    lines += _unknown_function_points(plan, [path for path in files if path not in malformed])
    for line in lines:
        print(f"signoff: {line}", file=sys.stderr)
    return bool(lines)


def _unknown_function_points(plan: Plan, files: list[Path]) -> list[str]:
    """Scenarios tagged with function points the contract's catalogue does not have."""
    from signoff.coverage.catalogue import load_catalogue
    from signoff.coverage.plan import catalogue_path
    from signoff.coverage.tags import check_feature_tags

    catalogue = load_catalogue(catalogue_path(plan, project_root(plan)))
    return check_feature_tags(files, catalogue)


def _ensure_project_on_path(plan: Plan) -> None:
    # The step vocabulary and the page objects live beside the plan file, not in the package.
    root = str(project_root(plan))
    if root not in sys.path:
        sys.path.insert(0, root)


# ----------------------------------------------------------------------------- run


def command_security(args: argparse.Namespace) -> int:
    """``signoff run`` on the security feature of the plan's features: the same target, browser,
    reset and Ctrl-C handling, and the security report at the end."""
    plan = load_plan(args.plan)
    name = "security.zh.feature" if args.lang == "zh" else "security.feature"
    found = [
        path / "security" / name
        for path in map(plan.resolve, plan.run.features)
        if (path / "security" / name).is_file()
    ]
    if not found:
        print(
            f"signoff: security: no security/{name} under the plan's features {list(plan.run.features)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    argv = [*(["--plan", args.plan] if args.plan else []), "run", str(found[0])]
    run_args = _parser().parse_args([*argv, *(["--no-report"] if args.no_report else [])])
    run_args.pytest_args = args.pytest_args
    return command_run(run_args)


def command_run(args: argparse.Namespace) -> int:
    from signoff.targets import make_target

    plan = load_plan(args.plan)
    features = _feature_paths(plan, args.features)
    if _report_feature_problems(plan, features):
        return EXIT_USAGE
    from signoff.shards import parse_shard

    shard = parse_shard(args.shard) if getattr(args, "shard", None) else None  # bad input: before anything starts
    names = _run_browsers(plan, args.browser)

    # Provision once here, with progress shown, rather than in every pytest worker.
    target = make_target(plan, label="preflight")
    target.provision()
    if plan.target.kind == "remote":
        from signoff.preflight import check_sign_in

        target.start()
        check_sign_in(target, names[0], plan.browsers.executable, project_root(plan), connect=plan.browsers.connect)

    results = _manual_results(plan) if getattr(args, "manual_only", False) else plan.resolve(plan.run.results_dir)
    if getattr(args, "manual", False):
        args.screenshots = "every-step"
    command = [sys.executable, "-m", "pytest", *features, f"--alluredir={results}", "--clean-alluredir"]
    root = project_root(plan)
    command += ["-p", "no:cacheprovider", "--rootdir", str(root), "-c", str(_ini_file(root))]
    command.append(f"--plan={plan.path}")
    for name in names:
        command += ["--browser", name]
    if shard is not None:
        command.append(f"--signoff-shard={shard}")
    if getattr(args, "manual_only", False):
        # The manual's run writes its own reports: the last acceptance run's stay as they are.
        command.append(f"--signoff-report-dir={_manual_run_dir(plan)}")
    if args.headed:
        command.append("--headed")
    if args.screenshots:
        command.append(f"--signoff-screenshots={args.screenshots}")
    workers = args.workers if args.workers is not None else plan.run.workers
    if workers > 1:
        # Whole feature files per worker: the per-feature reset must not cut a feature in two.
        command += ["-n", str(workers), "--dist", "loadfile"]
    command += list(plan.run.pytest_args)
    command += args.pytest_args

    outcome = _run_child(command, cwd=root)
    if outcome == EXIT_INTERRUPTED:
        raise KeyboardInterrupt
    if not args.no_report and results.exists() and any(results.iterdir()):
        from signoff.report import build_report

        _mark_flaky(plan, results)
        index = build_report(results, plan.resolve(plan.run.report_dir) / "allure", plan.resolve(plan.target.home))
        print(f"signoff: Allure report: {index}", file=sys.stderr)
        _archive_run(plan)
        _signoff_report(plan, args.lang, pdf=True, browsers=names)
    if getattr(args, "manual", False) and results.exists():
        _write_manual(plan, results, args.lang, pdf=True)
    return _exit_code(outcome)


def _run_browsers(plan: Plan, given: list[str] | None) -> list[str]:
    """The browsers this run uses: those that can be had (a required one that cannot stops the run)."""
    from signoff import browsers

    names = list(dict.fromkeys(given or plan.browsers.names))
    if plan.browsers.connect:
        return names  # the browser server has them; nothing to install here
    selection = browsers.select(names, plan.browsers.required)
    for line in selection.left_out:
        print(f"signoff: {line}", file=sys.stderr)
    return list(selection.names)


def _ini_file(root: Path) -> Path:
    for name in ("pytest.ini", "pyproject.toml"):
        path = root / name
        if path.exists():
            return path
    return root / "pyproject.toml"


def _run_child(command: list[str], cwd: Path) -> int:
    """Run pytest in a child process and stop it promptly when this process is told to stop.

    A terminal's Ctrl-C reaches the child through the process group; a signal sent to this
    process alone is forwarded. Either way the child gets :data:`INTERRUPT_GRACE` seconds to stop
    between scenarios, then SIGTERM, which stops its CRM, job manager and browsers just the same.
    """
    child = subprocess.Popen(command, cwd=cwd)
    forwarded = False

    class Interrupted(Exception):
        """Raised by the handler to leave a blocking wait."""

    def forward(signum: int, _frame: Any) -> None:
        nonlocal forwarded
        if child.poll() is None:
            # A second interrupt means "now": skip the graceful stop.
            urgent = forwarded or signum != signal.SIGINT
            child.send_signal(signal.SIGTERM if urgent else signal.SIGINT)
        first = not forwarded
        forwarded = True
        if first:
            raise Interrupted

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            code = child.wait()
        except Interrupted:
            try:
                code = child.wait(timeout=INTERRUPT_GRACE)
            except subprocess.TimeoutExpired:
                child.terminate()
                code = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return EXIT_INTERRUPTED if forwarded else code


def _exit_code(pytest_code: int) -> int:
    """pytest's exit status in Signoff's terms."""
    if pytest_code == 0:
        return EXIT_OK
    if pytest_code == 1:
        return EXIT_FAILED
    if pytest_code == 3:
        return EXIT_TARGET
    if pytest_code == 5:
        print("signoff: no scenario was run", file=sys.stderr)
    return EXIT_USAGE if pytest_code in (4, 5) else pytest_code


# ----------------------------------------------------------------------------- target, report


def command_target(args: argparse.Namespace) -> int:
    from signoff.targets import make_target

    plan = load_plan(args.plan)
    target = make_target(plan, label=args.label)
    if args.action == "up":
        target.provision()
        target.start(detached=True)  # type: ignore[call-arg]  # only the embedded CRM runs detached
        print(f"{target.name} is up at {target.base_url} (user {target.admin.username})")
    elif args.action == "down":
        target.stop()
        print(f"{target.name} ({args.label}) is down")
    elif args.action == "reset":
        target.reset(detached=True)  # type: ignore[call-arg]
        print(f"{target.name} ({args.label}) was reset to its snapshot at {target.base_url}")
    else:
        status = target.status()
        state = "running" if status.running else "stopped"
        health = ", answering" if status.healthy else (", NOT answering" if status.running else "")
        print(f"{status.name} ({args.label}): {state}{health}" + (f" at {status.base_url}" if status.base_url else ""))
        for key, value in status.details.items():
            print(f"  {key}: {value}")
        return EXIT_OK if status.running and status.healthy else EXIT_TARGET
    return EXIT_OK


def command_report(args: argparse.Namespace) -> int:
    """Rebuild every report of the last run: each step below reads what the run left on disk."""
    from signoff.report import build_report

    plan = load_plan(args.plan)
    if getattr(args, "merge", None):
        return command_merge(args, plan)
    _mark_flaky(plan, plan.resolve(plan.run.results_dir))
    index = build_report(
        plan.resolve(plan.run.results_dir), plan.resolve(plan.run.report_dir) / "allure", plan.resolve(plan.target.home)
    )
    print(index)
    _signoff_report(plan, args.lang, pdf=not args.no_pdf)
    return EXIT_OK


def _mark_flaky(plan: Plan, results: Path) -> None:
    """Mark the scenarios that passed and failed across retries and recent runs as flaky for Allure."""
    from signoff.report.flaky import mark_run, summary_line

    flaky = mark_run(plan, results)
    if flaky:
        print(f"signoff: {summary_line(flaky)}", file=sys.stderr)


def _archive_run(plan: Plan) -> None:
    """Keep this run under ``<report_dir>/history`` for ``signoff compare`` and each defect's "first seen"."""
    from signoff.report.history import archive_run
    from signoff.report.plan import history_section

    folder = archive_run(
        plan.resolve(plan.run.report_dir),
        plan.resolve(plan.run.results_dir),
        plan.path if plan.path.is_file() else None,
        history_section(plan).keep,
    )
    if folder is not None:
        print(f"signoff: run archived: {folder}", file=sys.stderr)


def _signoff_report(plan: Plan, language: str | None, *, pdf: bool, browsers: list[str] | None = None) -> None:
    """The sign-off report (HTML, and PDF unless told not to) and the defect list; a PDF that cannot be
    printed is one line, the HTML and the defect list stay."""
    from signoff.report.i18n import ACCEPTANCE, label
    from signoff.report.signoff_report import build_signoff

    try:
        outputs = build_signoff(plan, language=language, pdf=pdf, browsers=browsers or ())
    except BrowserError as error:
        print(f"signoff: {error}; writing the sign-off report without its PDF", file=sys.stderr)
        outputs = build_signoff(plan, language=language, pdf=False, browsers=browsers or ())
    verdict = label(ACCEPTANCE, "en", outputs.verdict.verdict)
    print(f"signoff: sign-off report: {outputs.html} ({verdict}, {len(outputs.defects)} defects)", file=sys.stderr)
    if outputs.pdf is not None:
        print(f"signoff: sign-off report PDF: {outputs.pdf}", file=sys.stderr)
    print(f"signoff: defect list: {outputs.csv}, {outputs.xlsx}", file=sys.stderr)


def command_compare(args: argparse.Namespace) -> int:
    from signoff.report.compare import load_comparison, render_text, write_comparison

    plan = load_plan(args.plan)
    if len(args.runs) > 2:
        print("signoff: compare takes at most two runs", file=sys.stderr)
        return EXIT_USAGE
    report_dir = plan.resolve(plan.run.report_dir)
    runs = [*args.runs, None, None]
    comparison = load_comparison(report_dir, runs[0], runs[1])
    sys.stdout.write(render_text(comparison))
    print(f"comparison: {write_comparison(comparison, report_dir)}")
    return EXIT_FAILED if comparison.regressed else EXIT_OK


def _manual_run_dir(plan: Plan) -> Path:
    """Where the manual's run writes its results and area reports: never over the acceptance's."""
    return plan.resolve(plan.run.report_dir) / "manual" / "run"


def _manual_results(plan: Plan) -> Path:
    # Its own results folder: a manual run must not replace the acceptance's results.
    return _manual_run_dir(plan) / "allure-results"


def command_manual(args: argparse.Namespace) -> int:
    plan = load_plan(args.plan)
    if args.from_results:
        _write_manual(plan, Path(args.from_results), args.lang, pdf=not args.no_pdf)
        return EXIT_OK
    args.manual, args.manual_only, args.no_report = True, True, True
    args.headed, args.workers, args.screenshots = False, None, "every-step"
    code = command_run(args)
    return code


def _write_manual(plan: Plan, results: Path, language: str | None, *, pdf: bool) -> None:
    from signoff.coverage.catalogue import load_catalogue
    from signoff.coverage.plan import catalogue_path
    from signoff.report.manual import build_manual
    from signoff.report.plan import project_section

    project = project_section(plan)
    language = language or project.language
    try:
        catalogue = load_catalogue(catalogue_path(plan, project_root(plan)))
        modules = {
            point.id: (point.module_zh or point.module) if language == "zh" else point.module for point in catalogue
        }
    except SignoffError:
        modules = {}
    out = plan.resolve(plan.run.report_dir) / "manual"
    try:
        html, pdf_path = build_manual(
            results, out, language=language, modules_of=modules, pdf=pdf, executable=plan.browsers.executable
        )
    except BrowserError as error:
        print(f"signoff: {error}; writing the manual without its PDF", file=sys.stderr)
        html, pdf_path = build_manual(results, out, language=language, modules_of=modules, pdf=False)
    print(f"signoff: user manual: {html}" + (f", {pdf_path}" if pdf_path else ""), file=sys.stderr)


def command_perf(args: argparse.Namespace) -> int:
    from signoff.performance.cli import run_perf

    plan = load_plan(args.plan)
    _ensure_project_on_path(plan)
    return run_perf(
        plan,
        args.profile,
        allow_hosts=args.allow_host,
        save_baseline=args.save_baseline,
        browser=not args.no_browser,
    )


def command_merge(args: argparse.Namespace, plan: Plan) -> int:
    """``report --merge DIR...``: the runs of several shards or machines as one report and verdict."""
    from signoff.merge import merge_runs, summary_lines

    into = Path(args.into) if args.into else plan.resolve(plan.run.report_dir)
    outcome = merge_runs(
        [Path(folder) for folder in args.merge], plan, into, project_root=project_root(plan), html=not args.no_html
    )
    for line in summary_lines(outcome):
        print(line)
    return EXIT_OK if outcome.passed else EXIT_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
