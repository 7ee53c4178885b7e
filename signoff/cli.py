"""The ``signoff`` command line.

    signoff run                 accept the target of the plan: check features, start the CRM,
                                run every feature in the browsers, write Allure results and reports
    signoff check               check the plan and the feature files, run nothing
    signoff steps [--markdown PATH]   the step catalogue: every phrasing, English and Chinese
    signoff target up|down|reset|status
    signoff report              build the HTML report from existing Allure results

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
    run.epilog = "Arguments after -- go to pytest, e.g. signoff run -- -k organisation"
    run.set_defaults(handler=command_run)

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

    report = commands.add_parser("report", help="build the HTML report from Allure results")
    report.set_defaults(handler=command_report)
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


def command_run(args: argparse.Namespace) -> int:
    from signoff import browsers
    from signoff.targets import make_target

    plan = load_plan(args.plan)
    features = _feature_paths(plan, args.features)
    if _report_feature_problems(plan, features):
        return EXIT_USAGE
    names = args.browser or list(plan.browsers.names)
    for name in names:
        browsers.ensure_installed(name)

    # Provision once here, with progress shown, rather than in every pytest worker.
    target = make_target(plan, label="preflight")
    target.provision()
    if plan.target.kind == "remote":
        from signoff.preflight import check_sign_in

        target.start()
        check_sign_in(target, names[0], plan.browsers.executable, project_root(plan))

    results = plan.resolve(plan.run.results_dir)
    command = [sys.executable, "-m", "pytest", *features, f"--alluredir={results}", "--clean-alluredir"]
    root = project_root(plan)
    command += ["-p", "no:cacheprovider", "--rootdir", str(root), "-c", str(_ini_file(root))]
    command.append(f"--plan={plan.path}")
    for name in names:
        command += ["--browser", name]
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

        index = build_report(results, plan.resolve(plan.run.report_dir) / "allure", plan.resolve(plan.target.home))
        print(f"signoff: Allure report: {index}", file=sys.stderr)
    return _exit_code(outcome)


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
    from signoff.report import build_report

    plan = load_plan(args.plan)
    index = build_report(
        plan.resolve(plan.run.results_dir), plan.resolve(plan.run.report_dir) / "allure", plan.resolve(plan.target.home)
    )
    print(index)
    return EXIT_OK


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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
