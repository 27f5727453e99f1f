"""The guards that keep `pytest -m "not slow"` and `pytest -m "not slow and not integration"` what
they say, as a pytest plugin (tests/conftest.py loads it where tests run; `pytest -p tests.session`
anywhere else), and the name of the run's folder of shared plans (tests/helpers.py). Light: the
xdist controller imports this module too, and plans nothing. PYTEST_DONT_REWRITE: conftest.py
imports it before loading it as a plugin, and it has no assertions to rewrite.

Neither guard sees what runs outside a test's phases and a module's collection (pytest_configure
and the plugins' imports: the config that tests/fixtures.py imports has croniter call
`platform.architecture()`, which starts `file -b`; the teardowns left for the session's end when a
teardown's own failure or an interrupt stops the run), nor a collector's setup but a package's (the
only one pytest has that runs the user's code), nor which thread noted what: a thread a test leaves
running is held against whichever test runs when it acts. They guard one run per process: a run
inside a run (pytester's in-process one) that loads them is refused, since it would judge its own
tests with the outer test's record; one that does not is the outer test's doing, as it runs.

A teardown's finding (a fixture's, a package's) is carried by the report of the phase that runs it,
which the two runs may give to different tests (a marked test's teardown in the whole run, the last
unmarked one's where `-m` deselects the marked ones): the tests it names are the same in both runs,
and both fail."""

from __future__ import annotations

import _posixsubprocess
import contextlib
import functools
import sys
from typing import Optional

import pytest
from _pytest import fixtures as _fixtures
from _pytest import mark as _mark
from _pytest import runner as _runner

SHARED_PLANS_ENV = "LZ_TESTS_SHARED_PLANS"
"""A folder of this run's shared plans (tests/conftest.py makes one per run and removes it after),
through which the xdist workers share them: a config planned by tests in both workers was planned
twice (8 configs, about 4 s of CPU in the quick subset)."""


class Guard:
    """What needs `marker`, noted as it happens (`note`), held against the test whose phase noted it
    unless the test has the marker (as `-m` reads them: it selects on those, not on one a later hook
    or the test itself adds). A fixture that noted something in its setup, or asked for one that did
    (by argument or by name), is remembered with the parameter it was set up with (`fixture_done`): a
    later test that reuses it, set up once for the session or module, would set it up itself in a run
    that deselects the marked tests. A fixture's teardown that notes something (`teardown_of`) is
    told, in the report of the phase it runs in (the last user's teardown, or the next test's setup
    when a parameter changes, marked or not), for the tests without the marker that used it, through
    fixtures that asked for it too."""

    marker = ""

    def __init__(self):
        self.clear()

    def clear(self) -> None:
        """Forget everything (a run's end: the next run in this process has objects of its own)."""
        self.used: list[str] = []
        self.fixtures: dict[object, dict[object, str]] = {}
        """FixtureDef -> the key of the value it was set up with (its parameter) -> what it did."""
        self.asked: dict[object, list] = {}
        """FixtureDef -> the FixtureDefs its latest setup asked for."""
        self.users: dict[object, set[str]] = {}
        """FixtureDef -> the tests without the marker that used the value of its latest setup."""
        self.late: list[str] = []
        """What teardowns of fixtures such tests used did, for the phase they ran in to report."""
        self.packages: dict[object, str] = {}
        """A package set up -> what its own setup did (`package_done`)."""

    @property
    def hint(self) -> str:
        return f"add @pytest.mark.{self.marker} (pyproject.toml's markers)"

    def note(self, what: str) -> None:
        self.used.append(what)

    def reset(self) -> None:
        self.used.clear()

    def put_aside(self) -> list[str]:
        """What the phase noted so far, put aside so that what a setup that starts now notes is seen on its own."""
        before, self.used = self.used, []
        return before

    def fixture_starting(self, fixture) -> list[str]:
        """Before `fixture`'s setup: its users anew, and what the phase noted so far put aside."""
        self.users[fixture] = set()
        return self.put_aside()

    def fixture_done(self, fixture, before: list[str], dependencies=()) -> None:
        """After the setup of `fixture` (a pytest FixtureDef) that asked for `dependencies` (FixtureDefs):
        remember, for the parameter it was set up with, whether it or one of them noted something (each
        setup anew: a function-scoped fixture may for one test and not the next)."""
        self.asked[fixture] = list(dependencies)
        why = self.used[:1] or [why for why in map(self._remembered, dependencies) if why][:1]
        kept = self.fixtures.setdefault(fixture, {})
        if why:
            kept[_value_key(fixture)] = f"uses the fixture {fixture.argname}, which {why[0]}"
        else:
            kept.pop(_value_key(fixture), None)
        self.used = before + self.used

    def package_done(self, package, before: list[str]) -> None:
        """After a package's own setup (its setup_module, which pytest calls itself): remember what it
        did, for the tests without the marker that run in it (each sets it up where `-m` deselects the
        others); the test whose setup set it up sees it among its own notes."""
        if self.used:
            self.packages[package] = f"runs in {package.nodeid}, whose setup {self.used[0]}"
        else:
            self.packages.pop(package, None)
        self.used = before + self.used

    def used_by(self, test: str, fixtures) -> None:
        """`test`, without the marker, uses the values these FixtureDefs hold, and those they asked for."""
        seen, stack = set(), list(fixtures)
        while stack:
            fixture = stack.pop()
            if fixture not in seen:
                seen.add(fixture)
                self.users.setdefault(fixture, set()).add(test)
                stack += self.asked.get(fixture, ())

    @contextlib.contextmanager
    def teardown_of(self, what: str, users: set[str], whose: str = "used by"):
        """A teardown, `what` it is (up to what it did), for the tests `users` (without the marker) that
        `whose` names: what it notes is its own, told for them; the phase it runs in gets its own notes back."""
        before, self.used = self.used, []
        try:
            yield
        finally:
            if self.used and users:
                self.late.append(f"{what} {self.used[0]}, {whose} {', '.join(sorted(users))}, none marked {self.marker}")
            self.used = before

    def _remembered(self, fixture) -> Optional[str]:
        kept = self.fixtures.get(fixture)
        return kept.get(_value_key(fixture)) if kept else None

    def problem(self, marked: bool, fixtures=(), teardown: bool = False, packages=()) -> Optional[str]:
        """Why the phase that just ran, of a test with these FixtureDefs, run in these packages, needs
        the marker it lacks, or None: first what teardowns that ran meanwhile did for tests without it
        (this one or earlier ones). In a teardown, only what it noted itself besides: what its fixtures
        and packages did before, its setup and call answered for."""
        late, self.late = self.late, []
        if late:
            return "; and it ".join(late) + (f"; and it {self.used[0]} but is not marked {self.marker}" if self.used and not marked else "")
        if marked:
            return None
        remembered = [*map(self._remembered, fixtures), *map(self.packages.get, packages)]
        why = self.used[:1] or ([] if teardown else [f"{why}," for why in remembered if why][:1])
        return f"{why[0]} but is not marked {self.marker}: {self.hint}" if why else None


class ProcessGuard(Guard):
    """Fails a test that starts a process without the `slow` marker, so `pytest -m "not slow"` is
    the quick run it says it is. An audit hook (`sys.addaudithook`, PEP 578: every way CPython
    starts a process raises one of PROCESS_EVENTS, but for `_posixsubprocess.fork_exec`, which
    multiprocessing's spawn and forkserver methods call directly: `install` makes it raise FORK_EXEC)
    notes each start."""

    marker = "slow"
    FORK_EXEC = "tests.fork_exec"
    PROCESS_EVENTS = frozenset({"subprocess.Popen", "os.system", "os.posix_spawn", "os.spawn", "os.exec", "os.fork", "os.forkpty", FORK_EXEC})

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
            started = event if what is None else f"{event} {what!r}"
            self.note(f"starts a process ({started[:160]})")


class EmulationGuard(Guard):
    """Fails a test that runs a program under Pulumi's mock runtime or calls AWS under moto without
    the `integration` marker, so `pytest -m "not slow and not integration"` is the unit run it says
    it is. `install` notes every mock monitor made (`pulumi.runtime.mocks.MockMonitor`, which every
    mocked run has, lzctl's recording monitor among them) and every start of moto
    (`MockAWS.start`, which `mock_aws()` calls as a context manager and as a decorator); the shared
    plans note each copy they hand out (tests/helpers.py `_copy`), since a plan another test made
    runs nothing."""

    marker = "integration"

    def install(self) -> None:
        """Note every mock runtime and every moto start in this interpreter, from now on."""
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

        mocks.MockMonitor.__init__, models.MockAWS.start = noted_monitor, noted_start


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
GUARDS = (PROCESSES, EMULATION)

_FIXTURE_WORK: list = []
"""The FixtureDefs whose setup or teardown is running, innermost last (a setup may tear down another's
value, whose parameter changed, and that teardown set up a third)."""
_PACKAGE_SETTING_UP: list = []
"""The packages whose own setup is running, innermost last."""
_OURS: set = set()
"""The FixtureDefs this run set up (an inner run's that does not load the plugin are not)."""
_RUNNING: list[tuple] = []
"""The test whose phase is running, and the phase (a list of none or one: one run per process)."""
_ASKING: list[list] = []
"""Per phase of a test and per fixture setup running in it, innermost last: the FixtureDefs looked up."""


@contextlib.contextmanager
def _teardown(what: str, users: dict, whose: str = "used by"):
    with contextlib.ExitStack() as stack:
        for guard in GUARDS:
            stack.enter_context(guard.teardown_of(what, users[guard], whose))
        yield


def _fixture_teardown(fixture) -> str:
    return f"tears down the fixture {fixture.argname}, whose teardown"


def _bracketed(finalizer):
    """`finalizer`, added while a fixture's setup or teardown runs, as a teardown of that fixture, told
    for the tests that used this setup's value (a later setup, after a parameter changed, has its
    own); while a package's own setup runs (which adds its `teardown_module`), of the package, told
    for the tests without the marker run in it; else, while a test's phase runs (its call, a hook),
    of that test, told for it unless it is marked: a run that deselects a marked test never adds
    its finalizer."""
    if _FIXTURE_WORK:
        fixture = _FIXTURE_WORK[-1]
        what, whose, users = _fixture_teardown(fixture), "used by", {guard: guard.users.setdefault(fixture, set()) for guard in GUARDS}
    elif _PACKAGE_SETTING_UP:
        package = _PACKAGE_SETTING_UP[-1]
        what, whose, users = f"runs a finalizer of {package.nodeid}, which", "for the tests run in it:", _ran_in(package)
    else:
        item = _RUNNING[-1][0]
        marked = item.stash[_MARKED]
        what, whose, users = (
            f"runs a finalizer {item.nodeid} added, which",
            "for",
            {guard: set() if guard.marker in marked else {item.nodeid} for guard in GUARDS},
        )

    def bracketed():
        with _teardown(what, users, whose):
            finalizer()

    return bracketed


def _ran_in(package) -> dict:
    """Per guard, the tests without its marker that have run in `package` (set up in it)."""
    if _RAN_IN not in package.stash:
        package.stash[_RAN_IN] = {guard: set() for guard in GUARDS}
    return package.stash[_RAN_IN]


def _markers(item) -> frozenset:
    return frozenset(guard.marker for guard in GUARDS if item.get_closest_marker(guard.marker) is not None)


def _ours(config) -> bool:
    """Whether `config` is the run this plugin guards (not an inner run that does not load it)."""
    return config in _CONFIGURED


def _own_finish(finalizer) -> bool:
    """Whether `finalizer` is pytest's partial of a fixture's finish (bracketed already), which it puts
    on nodes and on the fixtures a fixture asked for."""
    return getattr(getattr(finalizer, "func", None), "__func__", None) is pytest.FixtureDef.finish


@functools.cache
def _install() -> None:
    """The guards' hooks into CPython, Pulumi's mocks, moto and pytest, once per process."""
    for guard in GUARDS:
        guard.install()
    # Every teardown of this run bracketed (`_bracketed` says whose it is): a fixture's finish (the
    # finalizers it holds); a finalizer put on a node, or on a fixture after its setup, by anything but
    # pytest itself (its own partials of finish) and the running test's own item (torn down in the
    # test's own teardown phase). A package's own setup is noted as a fixture's is. Every fixture
    # looked up is recorded for the phase or the setup that asked (both ways pytest hands one out
    # check its scope first). What an inner run that does not load the plugin does is left to fall on
    # the outer test's phase, which ran it.
    finish, fixture_add, node_add = pytest.FixtureDef.finish, pytest.FixtureDef.addfinalizer, _runner.SetupState.addfinalizer
    package_setup, state_setup = pytest.Package.setup, _runner.SetupState.setup

    @functools.wraps(state_setup)
    def noted_state_setup(state, item):
        # It comes to set up its collectors (a test skipped by a marker does not: skipping's hook raises first).
        if _ours(item.config):
            item.stash[_SETS_UP] = True
        return state_setup(state, item)

    @functools.wraps(finish)
    def bracketed_finish(fixture, request):
        if fixture.cached_result is None or fixture not in _OURS:
            return finish(fixture, request)
        _FIXTURE_WORK.append(fixture)
        try:
            with _teardown(_fixture_teardown(fixture), {guard: guard.users.get(fixture, set()) for guard in GUARDS}):
                return finish(fixture, request)
        finally:
            _FIXTURE_WORK.pop()

    def bracketing(finalizer) -> bool:
        return bool(_FIXTURE_WORK or _RUNNING) and not _own_finish(finalizer)

    @functools.wraps(fixture_add)
    def bracketed_fixture_add(fixture, finalizer):
        # Its own teardown and pytest's, added before its value is set, are its finish's.
        if fixture.cached_result is not None and fixture in _OURS and bracketing(finalizer):
            finalizer = _bracketed(finalizer)
        return fixture_add(fixture, finalizer)

    @functools.wraps(node_add)
    def bracketed_node_add(state, finalizer, node):
        own_item = _RUNNING and node is _RUNNING[-1][0] and not _FIXTURE_WORK
        if _ours(node.config) and bracketing(finalizer) and not own_item:
            finalizer = _bracketed(finalizer)
        return node_add(state, finalizer, node)

    @functools.wraps(package_setup)
    def noted_package_setup(package):
        if not _ours(package.config):
            return package_setup(package)
        before = [guard.put_aside() for guard in GUARDS]
        _PACKAGE_SETTING_UP.append(package)
        try:
            return package_setup(package)
        finally:
            _PACKAGE_SETTING_UP.pop()
            for guard, noted in zip(GUARDS, before, strict=True):
                guard.package_done(package, noted)

    for request_class in (_fixtures.TopRequest, _fixtures.SubRequest):
        check = request_class._check_scope

        @functools.wraps(check)
        def recorded(request, fixturedef, scope, check=check):
            if _ASKING and _ours(request.config):
                _ASKING[-1].append(fixturedef)
            return check(request, fixturedef, scope)

        request_class._check_scope = recorded
    pytest.FixtureDef.finish, pytest.FixtureDef.addfinalizer, _runner.SetupState.addfinalizer = bracketed_finish, bracketed_fixture_add, bracketed_node_add
    pytest.Package.setup, _runner.SetupState.setup = noted_package_setup, noted_state_setup
    select = _mark.deselect_by_mark

    # The markers as `-m` read them: a plugin's hook that adds one later does not make it select.
    @functools.wraps(select)
    def marked_then_selected(items, config):
        for item in items:
            item.stash[_MARKED] = _markers(item)
        return select(items, config)

    _mark.deselect_by_mark = marked_then_selected


_CONFIGURED: list = []
"""The pytest configs this plugin guards (one: a run per process)."""


def pytest_configure(config):
    if _CONFIGURED:
        raise pytest.UsageError(
            "tests.session guards one pytest run per process and this one runs inside another: run it as a process of its own"
            " (pytester.runpytest_subprocess), or without loading tests.session"
        )
    _CONFIGURED.append(config)
    _install()


def pytest_unconfigure(config):
    if config in _CONFIGURED:  # not where pytest_configure refused it
        _CONFIGURED.remove(config)
        for guard in GUARDS:
            guard.clear()
        _OURS.clear()


_MARKED = pytest.StashKey[frozenset]()
"""A test's guards' markers as `-m` read them."""
_SETS_UP = pytest.StashKey[bool]()
"""Whether a test's setup came to set up its collectors (SetupState.setup)."""
_RAN_IN = pytest.StashKey[dict]()
"""A package's tests without each guard's marker that ran in it (`_ran_in`)."""
_PROBLEMS = pytest.StashKey[dict]()
"""A test's problems by phase (setup, call, teardown), for its reports."""


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    for guard in GUARDS:
        guard.reset()
    report = yield
    noted = [(guard, guard.used[0]) for guard in GUARDS if guard.used]
    if noted and not report.failed:
        report.outcome = "failed"
        report.longrepr = "; and it ".join(
            f"{collector.nodeid} {what} while it is collected: do it in a test or a fixture marked {guard.marker}, not at import or in parametrize"
            for guard, what in noted
        )
    for guard in GUARDS:
        guard.reset()
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
    before = [guard.fixture_starting(fixturedef) for guard in GUARDS]
    # The fixtures it asked for, as the request holds them before its setup (one that overrides a
    # fixture of its own name and asks for it gets the overridden one), and each its body looks up.
    _ASKING.append([request._fixture_defs[name] for name in fixturedef.argnames if name in request._fixture_defs])
    _FIXTURE_WORK.append(fixturedef)
    _OURS.add(fixturedef)
    try:
        return (yield)
    finally:
        _FIXTURE_WORK.pop()
        asked = _ASKING.pop()
        for guard, noted in zip(GUARDS, before, strict=True):
            guard.fixture_done(fixturedef, noted, asked)


@pytest.fixture
def process_guard() -> ProcessGuard:
    """The session's ProcessGuard (for its own tests)."""
    return PROCESSES


def _guarded(item, phase: str):
    if _MARKED not in item.stash:  # made after -m selected (a plugin's, pytester's runitem): as it is set up
        item.stash[_MARKED] = _markers(item)
    for guard in GUARDS:
        guard.reset()
    _ASKING.append([])
    _RUNNING.append((item, phase))
    try:
        return (yield)
    finally:
        _RUNNING.pop()
        # The fixture definitions the test has used so far (pytest's own record of its request; a
        # finished item's is False) and those looked up in this phase through any request.
        request = getattr(item, "_request", None)
        fixtures = [*(request._fixture_defs.values() if request else ()), *_ASKING.pop()]
        marked = item.stash[_MARKED]
        # The packages it ran in, unless skipped before setting them up (where -m deselects the tests
        # that did, it does not either).
        packages = [node for node in item.listchain() if isinstance(node, pytest.Package)] if phase == "setup" and item.stash.get(_SETS_UP, False) else []
        problems = []
        for guard in GUARDS:
            if phase != "teardown" and guard.marker not in marked:
                guard.used_by(item.nodeid, fixtures)
                for package in packages:
                    _ran_in(package)[guard].add(item.nodeid)
            problem = guard.problem(guard.marker in marked, fixtures, teardown=phase == "teardown", packages=packages)
            if problem:
                problems.append(problem)
        if problems:
            item.stash.setdefault(_PROBLEMS, {})[phase] = "; and it ".join(problems)
