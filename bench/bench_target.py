"""How long the embedded Creme target takes to provision, come up, reset and go down.

    .venv/bin/python bench/bench_target.py              # warm figures on the shared home
    .venv/bin/python bench/bench_target.py --cold       # plus a cold provision (minutes, ~300 MB)
    .venv/bin/python bench/bench_target.py --repeat 5 --home /some/.signoff

"up" is what ``signoff target up`` does on a provisioned home (marker check + start, detached),
"reset in place" writes the snapshot into the live database while the server keeps its port
(fresh workers, a new job manager), "reset by restart" (the fallback) stops, copies the snapshot
back and starts on the same port, "down" stops. Both resets give the snapshot's state
(tests/integration/test_creme_target.py::test_both_resets_give_the_snapshot_and_a_working_instance). Prints
figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from signoff.targets.creme import EmbeddedCreme  # noqa: E402


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def summary(name: str, seconds: list[float]) -> str:
    if len(seconds) == 1:
        return f"{name:<18} {seconds[0]:7.2f} s"
    return (
        f"{name:<18} median {statistics.median(seconds):6.2f} s   "
        f"min {min(seconds):6.2f} s   max {max(seconds):6.2f} s   (n={len(seconds)})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--home",
        default=os.environ.get("SIGNOFF_HOME") or str(ROOT / ".signoff"),
        help="provisioned cache folder for the warm figures",
    )
    parser.add_argument("--cold", action="store_true", help="also time a cold provision into a fresh temporary home")
    parser.add_argument("--keep", action="store_true", help="keep the cold home instead of deleting it")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of up / reset / down")
    parser.add_argument("--label", default="bench", help="instance label used for the warm figures")
    args = parser.parse_args(argv)

    print(f"cores: {os.cpu_count()}   load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    if args.cold:
        cold_home = Path(tempfile.mkdtemp(prefix="signoff-bench-cold-"))
        try:
            cold = EmbeddedCreme(cold_home, label=args.label, progress=None)
            print(summary("cold provision", [timed(cold.provision)]))
            print(summary("first up", [timed(lambda: cold.start(detached=True))]))
            cold.stop()
        finally:
            if args.keep:
                print(f"cold home kept in {cold_home}")
            else:
                shutil.rmtree(cold_home, ignore_errors=True)

    target = EmbeddedCreme(args.home, label=args.label)
    # Provisioned outside the timings: the warm figures assume a built home.
    provision = timed(target.provision)
    print(summary("provision check", [provision]) + ("" if provision < 5 else "   (it had to build)"))
    target.stop()

    ups: list[float] = []
    in_place: list[float] = []
    restarts: list[float] = []
    downs: list[float] = []
    for _ in range(args.repeat):
        ups.append(timed(lambda: target.start(detached=True)))
        in_place.append(timed(target.reset))
        if target.last_reset != "in place":
            print(f"note: a reset in place fell back to {target.last_reset!r}")
        restarts.append(timed(lambda: target.reset(restart=True)))
        downs.append(timed(target.stop))
    print(summary("warm up", ups))
    print(summary("reset in place", in_place))
    print(summary("reset by restart", restarts))
    print(summary("down", downs))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
