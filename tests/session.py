"""The guards that keep `pytest -m "not slow"` and `pytest -m "not slow and not integration"` what
they say, as a pytest plugin (tests/conftest.py loads it where tests run; `pytest -p tests.session`
anywhere else), and the name of the run's folder of shared plans (tests/helpers.py). Light: the
xdist controller imports this module too, and plans nothing. PYTEST_DONT_REWRITE: conftest.py
imports it before loading it as a plugin, and it has no assertions to rewrite."""

from __future__ import annotations

import _posixsubprocess
import functools
import sys
from typing import Optional

import pytest

SHARED_PLANS_ENV = "LZ_TESTS_SHARED_PLANS"
"""A folder of this run's shared plans (tests/conftest.py makes one per run and removes it after),
through which the xdist workers share them: a config planned by tests in both workers was planned
twice (8 configs, about 4 s of CPU in the quick subset)."""


class ProcessGuard:
    """Fails a test that starts a process without the `slow` marker, so `pytest -m "not slow"` is
    the quick run it says it is. An audit hook (`sys.addaudithook`, PEP 578: every way CPython
    starts a process raises one of PROCESS_EVENTS, but for `_posixsubprocess.fork_exec`, which
    multiprocessing's spawn and forkserver methods call directly: `install` makes it raise FORK_EXEC)
    notes each start; this plugin's hooks `reset` it before each test's setup, call and teardown, and
    ask it for a `problem` after each."""

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
    """Fails a test that runs a program under Pulumi's mock runtime or calls AWS under moto without
    the `integration` marker, so `pytest -m "not slow and not integration"` is the unit run it says
    it is. `install` notes every mock monitor made (`pulumi.runtime.mocks.MockMonitor`, which every
    mocked run has, lzctl's recording monitor among them) and every start of moto
    (`MockAWS.start`, which `mock_aws()` calls as a context manager and as a decorator); the shared
    plans note each copy they hand out (tests/helpers.py `_copy`), since a plan another test made
    runs nothing. A fixture that emulates, or that depends on one that does, is remembered with the
    parameter it was set up with (`fixture_done`): a later test that reuses it, set up once for the
    session or module, runs nothing itself either."""

    def __init__(self):
        self.used: list[str] = []
        self.fixtures: dict[object, dict[object, str]] = {}
        """FixtureDef -> the key of the value it was set up with (its parameter) -> what it did."""
        self.users: dict[object, set[str]] = {}
        """FixtureDef -> the tests without the marker that used the value it holds."""
        self.late: list[str] = []
        """What teardowns of fixtures such tests used did, for the test being torn down to report."""
        self._before_teardown: dict[object, list[str]] = {}
        self.installed = False

    def install(self) -> None:
        """Note every mock runtime and every moto start in this interpreter, from now on (once)."""
        if self.installed:
            return
        from moto.core import models
        from pulumi.runtime import mocks

        monitor, start = mocks.MockMonitor.__init__, models.MockAWS.start

        @functools.wraps(monitor)
        def noted_monitor(instance, *args, **kwargs):
            self.note("runs a program under Pulumi's mocks")
            monitor(instance, *args, **kwargs)

        @functools.wraps(start)
        def noted_start(mock, *args, **kwargs):
            self.note("starts moto")
            return start(mock, *args, **kwargs)

        finish = pytest.FixtureDef.finish

        # Every finalizer of a fixture runs inside its finish, those added after its setup
        # (request.addfinalizer from a test) too.
        @functools.wraps(finish)
        def bracketed(fixture, request):
            if fixture.cached_result is None:
                return finish(fixture, request)
            self.finalizing(fixture)
            try:
                return finish(fixture, request)
            finally:
                self.finalized(fixture)

        mocks.MockMonitor.__init__, models.MockAWS.start, pytest.FixtureDef.finish = noted_monitor, noted_start, bracketed
        self.installed = True

    def note(self, what: str) -> None:
        self.used.append(what)

    def reset(self) -> None:
        self.used.clear()

    def fixture_starting(self) -> list[str]:
        """What the test noted before a fixture's setup, put aside so that the fixture's own is seen."""
        before, self.used = self.used, []
        return before

    def fixture_done(self, fixture, before: list[str], dependencies=()) -> None:
        """After the setup of `fixture` (a pytest FixtureDef) that asked for `dependencies` (FixtureDefs):
        remember, for the parameter it was set up with, whether it or one of them emulated (each setup
        anew: a function-scoped fixture may emulate for one test and not the next)."""
        why = self.used[:1] or [why for why in map(self._remembered, dependencies) if why][:1]
        kept = self.fixtures.setdefault(fixture, {})
        if why:
            kept[_value_key(fixture)] = f"uses the fixture {fixture.argname}, which {why[0]}"
        else:
            kept.pop(_value_key(fixture), None)
        self.used = before + self.used

    def used_by(self, test: str, fixtures) -> None:
        """`test`, without the marker, uses the values these FixtureDefs hold."""
        for fixture in fixtures:
            self.users.setdefault(fixture, set()).add(test)

    def finalizing(self, fixture) -> None:
        """Before `fixture`'s teardown: what was noted so far is put aside, so that the teardown's own is seen."""
        self._before_teardown[fixture] = self.used
        self.used = []

    def finalized(self, fixture) -> None:
        """After `fixture`'s teardown: if it emulated and tests without the marker used it, say so for
        the test being torn down (a module or session fixture's is whichever comes last, which may not
        be one of them); give that test back its own notes."""
        if fixture not in self._before_teardown:
            return
        users = sorted(self.users.pop(fixture, ()))
        if self.used and users:
            self.late.append(f"tears down the fixture {fixture.argname}, whose teardown {self.used[0]}, used by {', '.join(users)}, none marked integration")
        self.used = self._before_teardown.pop(fixture)

    def _remembered(self, fixture) -> Optional[str]:
        kept = self.fixtures.get(fixture)
        return kept.get(_value_key(fixture)) if kept else None

    def problem(self, integration: bool, fixtures, teardown: bool = False) -> Optional[str]:
        """Why the test that just ran, with these FixtureDefs, is not a unit test, or None: first what
        the fixtures torn down meanwhile did in their teardowns for tests without the marker (this one
        or earlier ones). In a teardown, only what it noted itself besides: what its fixtures did
        before, its setup and call answered for."""
        late, self.late = self.late, []
        if late:
            return "; and it ".join(late) + (f"; and it {self.used[0]} but is not marked integration" if self.used and not integration else "")
        if integration:
            return None
        why = self.used[:1] or ([] if teardown else [f"{why}," for why in map(self._remembered, fixtures) if why][:1])
        return f"{why[0]} but is not marked integration: add @pytest.mark.integration (pyproject.toml's markers)" if why else None


def _value_key(fixture) -> object:
    """The key of the value a FixtureDef holds now (its parameter, pytest's `cache_key`; None before
    its setup), by identity when it cannot be hashed."""
    result = getattr(fixture, "cached_result", None)
    key = result[1] if result else None
    try:
        hash(key)
    except TypeError:
        return ("unhashable", id(key))
    return key


PROCESSES = ProcessGuard()
"""The session's ProcessGuard."""
EMULATION = EmulationGuard()
"""The session's EmulationGuard."""


def pytest_configure(config):
    PROCESSES.install()
    EMULATION.install()


_PROBLEMS = pytest.StashKey[dict]()
"""A test's problems by phase (setup, call, teardown), for its reports."""


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    EMULATION.reset()
    report = yield
    if EMULATION.used and not report.failed:
        report.outcome = "failed"
        report.longrepr = (
            f"{collector.nodeid} {EMULATION.used[0]} while it is collected: plan in a test or a fixture marked integration, not at import or in parametrize"
        )
    EMULATION.reset()
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    return (yield from _guarded(item, "setup"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    return (yield from _guarded(item, "call"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    return (yield from _guarded(item, "teardown"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A phase with a problem fails, whether it passed, skipped or was an expected failure; one that
    failed on its own keeps its own report (the problem shows once that is fixed), a strict xfail
    that passed among them (XPASS(strict))."""
    report = yield
    problem = item.stash.get(_PROBLEMS, {}).pop(call.when, None)
    if problem and not report.failed:
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} {problem}"
        if hasattr(report, "wasxfail"):
            del report.wasxfail
    return report


# Every fixture's setup, of any scope: a plugin's hooks see them all (a conftest's would miss the
# session-scoped ones, which pytest sets up through the session's hooks).
@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    before = EMULATION.fixture_starting()
    # The fixtures it asked for, as the request holds them before its setup (one that overrides a
    # fixture of its own name and asks for it gets the overridden one), and each its body asks for
    # by name, set up already or not.
    asked = [request._fixture_defs[name] for name in fixturedef.argnames if name in request._fixture_defs]
    lookup = request._get_active_fixturedef

    def recorded(argname):
        found = lookup(argname)
        asked.append(found)
        return found

    request._get_active_fixturedef = recorded
    try:
        return (yield)
    finally:
        del request._get_active_fixturedef
        EMULATION.fixture_done(fixturedef, before, asked)


@pytest.fixture
def process_guard() -> ProcessGuard:
    """The session's ProcessGuard (for its own tests)."""
    return PROCESSES


def _guarded(item, phase: str):
    PROCESSES.reset()
    EMULATION.reset()
    try:
        return (yield)
    finally:
        # The fixture definitions the test has used so far, those it asked for by name at run time
        # (request.getfixturevalue) among them: pytest's own record of its request.
        request = getattr(item, "_request", None)
        fixtures = list(request._fixture_defs.values()) if request else []
        if phase != "teardown" and item.get_closest_marker("integration") is None:
            EMULATION.used_by(item.nodeid, fixtures)
        problems = [
            problem
            for problem in (
                PROCESSES.problem(item.get_closest_marker("slow") is not None),
                EMULATION.problem(item.get_closest_marker("integration") is not None, fixtures, teardown=phase == "teardown"),
            )
            if problem
        ]
        if problems:
            item.stash.setdefault(_PROBLEMS, {})[phase] = "; and it ".join(problems)
