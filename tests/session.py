"""What the test session sets up before any test, light enough for the xdist controller, which runs
none: the guards that keep `pytest -m "not slow"` and `pytest -m "not slow and not integration"`
what they say, and the name of the run's folder of shared plans (tests/helpers.py)."""

from __future__ import annotations

import _posixsubprocess
import functools
import sys
from typing import Optional

SHARED_PLANS_ENV = "LZ_TESTS_SHARED_PLANS"
"""A folder of this run's shared plans (tests/conftest.py makes one per run and removes it after),
through which the xdist workers share them: a config planned by tests in both workers was planned
twice (8 configs, about 4 s of CPU in the quick subset)."""


class ProcessGuard:
    """Fails a test that starts a process without the `slow` marker, so `pytest -m "not slow"` is
    the quick run it says it is. An audit hook (`sys.addaudithook`, PEP 578: every way CPython
    starts a process raises one of PROCESS_EVENTS, but for `_posixsubprocess.fork_exec`, which
    multiprocessing's spawn and forkserver methods call directly: `install` makes it raise FORK_EXEC)
    notes each start; conftest.py's hooks `reset` before each test's setup and call and `check` after."""

    FORK_EXEC = "tests.fork_exec"
    PROCESS_EVENTS = frozenset({"subprocess.Popen", "os.system", "os.posix_spawn", "os.spawn", "os.exec", "os.fork", "os.forkpty", FORK_EXEC})

    def __init__(self):
        self.started: list[str] = []

    def install(self) -> None:
        """Audit every process start in this interpreter, from now on."""
        sys.addaudithook(self.audit)
        fork_exec = _posixsubprocess.fork_exec

        @functools.wraps(fork_exec)
        def audited(args, *rest):
            sys.audit(self.FORK_EXEC, args)
            return fork_exec(args, *rest)

        _posixsubprocess.fork_exec = audited

    def audit(self, event: str, args: tuple) -> None:
        if event in self.PROCESS_EVENTS:
            # os.fork and os.forkpty carry no arguments; subprocess.Popen's second is the command.
            what = args[1] if event == "subprocess.Popen" else args[0] if args else None
            self.started.append(f"{event}{'' if what is None else f' {what!r}'}"[:160])

    def reset(self) -> None:
        self.started.clear()

    def problem(self, slow: bool) -> Optional[str]:
        """Why the test that just ran is not a quick one, or None."""
        if self.started and not slow:
            return f"starts a process ({self.started[0]}) but is not marked slow: add @pytest.mark.slow (pyproject.toml's markers)"
        return None


class EmulationGuard:
    """Fails a test that plans a program under Pulumi's mock runtime or calls AWS under moto without
    the `integration` marker, so `pytest -m "not slow and not integration"` is the unit run it says
    it is. `install` notes every run of a program (`lzctl.sdk.run`, which every plan goes through)
    and every start of moto (`MockAWS.start`, which `mock_aws()` calls as a context manager and as a
    decorator); the shared plans note each copy they hand out (`_copy`), since a plan another test
    made runs nothing. A fixture that emulates is remembered (`fixture_done`, by its definition:
    modules define fixtures of the same name): a later test that reuses it, set up once for the
    session or module, runs nothing itself either."""

    def __init__(self):
        self.used: list[str] = []
        self.fixtures: dict[object, str] = {}
        self.installed = False

    def install(self) -> None:
        """Note every plan and every moto start in this interpreter, from now on."""
        # Imported here: the xdist controller loads this module too, and plans nothing.
        from moto.core import models

        from lzctl import sdk

        run, start = sdk.run, models.MockAWS.start

        @functools.wraps(run)
        def noted_run(program):
            self.note("plans a program under Pulumi's mocks")
            return run(program)

        @functools.wraps(start)
        def noted_start(mock, *args, **kwargs):
            self.note("starts moto")
            return start(mock, *args, **kwargs)

        sdk.run, models.MockAWS.start = noted_run, noted_start
        self.installed = True

    def note(self, what: str) -> None:
        self.used.append(what)

    def reset(self) -> None:
        self.used.clear()

    def fixture_starting(self) -> list[str]:
        """What the test noted before a fixture's setup, put aside so that the fixture's own is seen."""
        before, self.used = self.used, []
        return before

    def fixture_done(self, fixture, before: list[str]) -> None:
        """After the setup of `fixture` (a pytest FixtureDef): remember it if it emulated."""
        if self.used:
            self.fixtures.setdefault(fixture, f"uses the fixture {fixture.argname}, which {self.used[0]},")
        self.used = before + self.used

    def problem(self, integration: bool, fixtures) -> Optional[str]:
        """Why the test that just ran, with these FixtureDefs, is not a unit test, or None."""
        if integration:
            return None
        why = self.used[:1] or [self.fixtures[fixture] for fixture in fixtures if fixture in self.fixtures][:1]
        return f"{why[0]} but is not marked integration: add @pytest.mark.integration (pyproject.toml's markers)" if why else None


EMULATION = EmulationGuard()
"""The session's EmulationGuard (tests/conftest.py installs it and checks each test)."""
