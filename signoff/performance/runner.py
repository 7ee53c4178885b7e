"""The load generator: locust used as a library, in processes of its own.

    python -m signoff.performance.runner master --config run.json --results results.json
    python -m signoff.performance.runner worker --config run.json --master-host H --master-port P

Importing locust patches the whole process with gevent, which Playwright's sync API and pytest
do not survive: only this module imports it, and only in the child processes the engine
(:mod:`signoff.performance.engine`) starts. They exchange nothing but JSON files.

The master (locust's ``MasterRunner``) drives the profile's steps: for each, it starts the step's
users at the spawn rate and holds them. Every worker (``WorkerRunner``) runs the journeys and sends
its figures to the master every second; the master keeps each worker's request counts and
response-time *histograms* per step, as sent, so that the percentiles are read from the merged
histograms (:mod:`signoff.performance.analysis`) and never from averaged percentiles. A worker on
another machine joins by running the ``worker`` command with ``--master-host`` set to the master's
address (the master binds to ``--bind`` - loopback by default - and port ``--master-port``).

The master writes ``results.json`` after each step starts and ends, so a run that is stopped -
SIGINT, SIGTERM or its own time limit - leaves the figures of what ran.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

import gevent  # type: ignore[import-untyped]  # gevent ships no type hints
import locust.log
import locust.runners
from locust.env import Environment

from signoff.files import write_atomically

#: Workers report every second (locust's default is 3 s): step boundaries are then within 1 s.
REPORT_INTERVAL = 1.0
#: Seconds the master waits for its workers to connect.
WORKER_CONNECT_TIMEOUT = 60.0
#: Seconds the master listens for the workers' last reports after stopping the users.
FINAL_REPORT_WAIT = 2.5
#: Seconds between two writes of the results file while a step is held.
SAVE_INTERVAL = 5.0
#: Heartbeats (one a second) a worker may miss before the master counts it as gone. locust's
#: default is 3: a generator process saturated by 1000 users answers late, and locust would then
#: stop the whole test mid-step ("The last worker went missing") while the step looks held.
HEARTBEAT_LIVENESS = 30


def _config(path: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return data


def _user_classes(config: dict[str, Any]) -> list[Any]:
    """The journeys of the target's page objects, configured with the run's accounts and think times."""
    module = importlib.import_module(str(config["journeys"]))
    accounts = [(str(user), str(password)) for user, password in config["accounts"]]
    classes: list[Any] = module.configure(accounts, float(config["think_min"]), float(config["think_max"]))
    timeout = float(config.get("request_timeout", 30.0))
    return [_with_timeout(user_class, timeout) for user_class in classes]


def _with_timeout(user_class: Any, timeout: float) -> Any:
    """``user_class`` whose requests give up after ``timeout`` seconds (then: a failed request).

    locust's requests-based client waits forever by default, and a request the server never
    answers would count nowhere - neither as a response time nor as an error.
    """

    class Timed(user_class):  # type: ignore[misc]  # a class chosen at run time
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            client = getattr(self, "client", None)
            if client is not None and hasattr(client, "request"):
                client.request = _counted(client.request, timeout)

    Timed.__name__ = Timed.__qualname__ = user_class.__name__
    return Timed


#: Requests of this process's users that are waiting for their answer (one gevent thread: no lock).
IN_FLIGHT = [0]


def _counted(request: Any, timeout: float) -> Any:
    """``request`` with a default timeout, counted in :data:`IN_FLIGHT` while it waits."""

    @functools.wraps(request)
    def counted(*args: Any, **kwargs: Any) -> Any:
        # A journey's own timeout wins over the run's.
        kwargs.setdefault("timeout", timeout)
        IN_FLIGHT[0] += 1
        try:
            return request(*args, **kwargs)
        finally:
            IN_FLIGHT[0] -= 1

    return counted


class Recorder:
    """The master's record of the run: per step, each worker's entries and the errors; a time series."""

    def __init__(self, path: Path, config: dict[str, Any]) -> None:
        self.path = path
        self.started = time.time()
        self.data: dict[str, Any] = {
            "profile": config.get("profile", ""),
            "host": config["host"],
            "generators": int(config.get("generators", 1)),
            "started_at": self.started,
            "steps": [],
            "series": [],
            "stopped": "running",
            "message": "",
        }
        self.step: dict[str, Any] | None = None
        self._series: dict[int, dict[str, Any]] = {}
        #: Worker -> its requests waiting for an answer at its last report.
        self.in_flight: dict[str, int] = {}

    def begin_step(self, index: int, users: int, hold: float) -> None:
        self.step = {
            "index": index,
            "users": users,
            "hold": hold,
            "reached_users": 0,
            "start": time.time() - self.started,
            "spawned": None,
            "seconds": 0.0,
            "complete": False,
            "workers": {},
            "errors": [],
        }
        self.data["steps"].append(self.step)
        self.save()

    def end_step(self, reached_users: int, complete: bool) -> None:
        if self.step is None:
            return
        self.step["reached_users"] = reached_users
        self.step["complete"] = complete
        self.step["seconds"] = round(time.time() - self.started - float(self.step["start"]), 3)
        self.save()

    def on_report(self, client_id: str, data: dict[str, Any], users: int) -> None:
        """A worker's figures since its last report: added to the current step and to the series."""
        self.in_flight[client_id] = int(data.get("in_flight", 0))
        step = self.step
        if step is None:
            return
        entries: dict[str, dict[str, Any]] = {e["name"]: e for e in step["workers"].setdefault(client_id, [])}
        tick = int(time.time() - self.started)
        point = self._series.setdefault(
            tick, {"t": tick, "users": users, "requests": 0, "failures": 0, "response_times": {}}
        )
        point["users"] = users
        for stats in data.get("stats", ()):
            name = str(stats["name"])
            entry = entries.get(name)
            if entry is None:
                entry = {
                    "name": name,
                    "method": stats["method"],
                    "num_requests": 0,
                    "num_failures": 0,
                    "max_response_time": 0,
                    "response_times": {},
                }
                step["workers"][client_id].append(entry)
                entries[name] = entry
            entry["num_requests"] += int(stats["num_requests"])
            entry["num_failures"] += int(stats["num_failures"])
            entry["max_response_time"] = max(entry["max_response_time"], float(stats["max_response_time"] or 0))
            point["requests"] += int(stats["num_requests"])
            point["failures"] += int(stats["num_failures"])
            for bucket, count in stats["response_times"].items():
                key = str(int(bucket))
                entry["response_times"][key] = entry["response_times"].get(key, 0) + count
                point["response_times"][key] = point["response_times"].get(key, 0) + count
        for error in dict(data.get("errors", {})).values():
            step["errors"].append(
                {"name": error["name"], "error": str(error["error"]), "occurrences": int(error["occurrences"])}
            )

    def save(self) -> None:
        self.data["series"] = [self._series[t] for t in sorted(self._series)]
        self.data["elapsed"] = round(time.time() - self.started, 3)
        write_atomically(self.path, json.dumps(self.data) + "\n")


def run_master(args: argparse.Namespace) -> int:
    config = _config(args.config)
    # Read by locust each time a worker connects or sends a heartbeat (a test sets a short one).
    locust.runners.HEARTBEAT_LIVENESS = int(config.get("heartbeat_liveness", HEARTBEAT_LIVENESS))
    recorder = Recorder(Path(args.results), config)
    stop = {"reason": ""}

    def on_signal(*_: Any) -> None:
        stop["reason"] = stop["reason"] or "interrupted"

    for sig in (signal.SIGINT, signal.SIGTERM):
        gevent.signal_handler(sig, on_signal)
    environment = Environment(user_classes=_user_classes(config), host=str(config["host"]))
    runner = environment.create_master_runner(master_bind_host=args.bind, master_bind_port=args.master_port)
    environment.events.worker_report.add_listener(  # type: ignore[no-untyped-call]  # locust event API is untyped
        lambda client_id, data: recorder.on_report(client_id, data, runner.user_count)
    )
    deadline = recorder.started + float(config["time_limit"])
    try:
        wanted = int(config.get("generators", 1))
        connect_until = time.time() + WORKER_CONNECT_TIMEOUT
        while len(runner.clients.ready) < wanted and not stop["reason"]:
            if time.time() > connect_until:
                recorder.data["message"] = f"only {len(runner.clients.ready)} of {wanted} generator workers connected"
                stop["reason"] = "error"
                break
            gevent.sleep(0.2)
        for index, (users, hold) in enumerate(config["steps"]):
            if stop["reason"]:
                break
            users = int(users)
            recorder.begin_step(index, users, float(hold))
            # "At once" is a spawn rate as high as the users: the stress profile sets it so.
            runner.start(users, spawn_rate=float(config["spawn_rate"]))
            while runner.user_count < users and not stop["reason"]:
                if time.time() > deadline:
                    stop["reason"] = "time-limit"
                    break
                # A generator that cannot start all users in a generous time has its own limit.
                if time.time() - recorder.started - recorder.step["start"] > users / float(config["spawn_rate"]) + 60:  # type: ignore[index]
                    recorder.data["message"] = f"the generator reached {runner.user_count} of {users} users"
                    break
                gevent.sleep(0.1)
            recorder.step["spawned"] = round(time.time() - recorder.started, 3)  # type: ignore[index]
            recorder.save()
            hold_until = time.time() + float(hold)
            lost = ""
            saved = time.time()
            while time.time() < hold_until and not stop["reason"]:
                if time.time() > deadline:
                    stop["reason"] = "time-limit"
                    break
                gevent.sleep(0.2)
                gone = _missing_workers(runner)
                if gone and not lost:
                    # Its users stopped with it: the step is no longer held at its user count.
                    lost = f"generator worker(s) {gone} stopped answering the master at {users} users"
                    recorder.data["message"] = recorder.data["message"] or lost
                if time.time() - saved >= SAVE_INTERVAL:
                    # What ran so far is on disk, should this process be killed.
                    recorder.save()
                    saved = time.time()
            reached = runner.user_count
            if index == len(config["steps"]) - 1 or stop["reason"]:
                # Stopping the users drops the requests still waiting: they are in no figure, so
                # how many there were (at the workers' last reports) is kept.
                recorder.step["in_flight_at_end"] = sum(recorder.in_flight.values())  # type: ignore[index]
                runner.stop()
                gevent.sleep(FINAL_REPORT_WAIT)
            recorder.end_step(reached, complete=not stop["reason"] and not lost)
        recorder.data["stopped"] = stop["reason"] or "completed"
    except Exception as error:  # the record of what ran is still written
        recorder.data["stopped"] = "error"
        recorder.data["message"] = f"{type(error).__name__}: {error}"
    finally:
        recorder.save()
        runner.quit()
    return 0 if recorder.data["stopped"] == "completed" else 1


def _missing_workers(runner: Any) -> str:
    """The workers the master counts as gone (no heartbeat for :data:`HEARTBEAT_LIVENESS` s)."""
    return ", ".join(str(worker.id) for worker in runner.clients.missing)


def run_worker(args: argparse.Namespace) -> int:
    config = _config(args.config)
    # Reports every second instead of three: the master attributes them to steps by arrival.
    locust.runners.WORKER_REPORT_INTERVAL = REPORT_INTERVAL
    environment = Environment(user_classes=_user_classes(config), host=str(config["host"]))
    runner = environment.create_worker_runner(master_host=args.master_host, master_port=args.master_port)
    environment.events.report_to_master.add_listener(  # type: ignore[no-untyped-call]  # locust event API is untyped
        lambda client_id, data: data.__setitem__("in_flight", IN_FLIGHT[0])
    )
    for sig in (signal.SIGINT, signal.SIGTERM):
        gevent.signal_handler(sig, runner.quit)
    assert runner.greenlet is not None
    runner.greenlet.join()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m signoff.performance.runner")
    roles = parser.add_subparsers(dest="role", required=True)
    master = roles.add_parser("master")
    master.add_argument("--config", required=True)
    master.add_argument("--results", required=True)
    master.add_argument("--bind", default="127.0.0.1", help="address the workers connect to")
    master.add_argument("--master-port", type=int, required=True)
    worker = roles.add_parser("worker")
    worker.add_argument("--config", required=True)
    worker.add_argument("--master-host", default="127.0.0.1")
    worker.add_argument("--master-port", type=int, required=True)
    args = parser.parse_args(argv)
    # locust's own messages (a worker gone missing, a CPU warning) go to this process's log file.
    locust.log.setup_logging("INFO")  # type: ignore[no-untyped-call]  # locust.log is untyped
    return run_master(args) if args.role == "master" else run_worker(args)


if __name__ == "__main__":
    sys.exit(main())
