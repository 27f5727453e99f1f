"""Pure helpers, table-driven."""

from __future__ import annotations

import multiprocessing.util
import os
import pickle
import re
import subprocess
import sys

import pytest
from moto import mock_aws

from config.issues import ConfigIssue, path_of
from config.model import parents_first
from lzctl.mocks import account_id
from lzctl.runtime import SECRET, UNKNOWN, PlannedResource, in_dependency_order, plain
from names import managed_policy_arn, managed_policy_key
from tests.helpers import (
    EXAMPLE_DIR,
    REPO,
    event_matches,
    example_data,
    folder_digest,
    run_management,
    shared_plan,
    shared_run,
    write_config,
)
from tests.session import EMULATION, EmulationGuard, ProcessGuard


@pytest.mark.parametrize(
    "policy, arn, key",
    [
        ("ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess", "ReadOnlyAccess"),
        ("job-function/ViewOnlyAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", "ViewOnlyAccess"),
        ("arn:aws:iam::aws:policy/SecurityAudit", "arn:aws:iam::aws:policy/SecurityAudit", "SecurityAudit"),
    ],
)
def test_managed_policy_arn_and_key(policy, arn, key):
    assert managed_policy_arn(policy) == arn
    assert managed_policy_key(policy) == key and "::" not in managed_policy_key(policy)


@pytest.mark.parametrize(
    "parts, text",
    [
        (("organization", "home_region"), "organization.home_region"),
        (("identity_center.assignments", 0, "group"), "identity_center.assignments[0].group"),
        (("applications", "shop", "environments", 2), "applications.shop.environments[2]"),
        ((), ""),
    ],
)
def test_path_of(parts, text):
    assert path_of(*parts) == text


@pytest.mark.parametrize(
    "issue, text",
    [
        (ConfigIssue("f.yaml", "a.b", "bad", 3, "fix it"), "f.yaml: a.b: bad (got 3). Hint: fix it"),
        (ConfigIssue("f.yaml", "", "the file is empty"), "f.yaml: the file is empty"),
    ],
)
def test_issue_text_names_file_path_value_and_hint(issue, text):
    assert str(issue) == text


def test_parents_first_orders_any_nesting():
    order = parents_first({"c": "b", "b": "a", "a": None, "z": None})
    assert order.index("a") < order.index("b") < order.index("c")
    assert order[:2] == ["a", "z"]


@pytest.mark.parametrize("seed", ["shop-dev-account", "audit", "x", ""])
def test_mock_account_ids_are_twelve_digits_and_stable(seed):
    assert re.fullmatch(r"[1-9]\d{11}", account_id(seed)) and account_id(seed) == account_id(seed)


@pytest.mark.parametrize(
    "value, shown",
    [
        ({"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "xoxb-1"}, SECRET),
        ({"a": [{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "t"}]}, {"a": [SECRET]}),
        ({"4dabf18193072939515e22adb298388d": "5cf8f73096256a8f31e491e813e4eb8e", "urn": "urn:x", "id": "i"}, "urn:x"),
        ("04da6b54-80e4-46f7-96ec-b56ff0331ba9", UNKNOWN),
        ({"plain": 1}, {"plain": 1}),
    ],
    ids=["secret", "nested secret", "resource reference", "unknown", "plain"],
)
def test_plain_masks_secrets_and_unknowns(value, shown):
    assert plain(value) == shown


def resource(urn: str, parent: str = "", provider: str = "", dependencies=()) -> PlannedResource:
    return PlannedResource(urn, "t", urn, True, parent, provider, False, {}, tuple(dependencies))


def test_dependency_order_puts_parents_providers_and_dependencies_first():
    resources = [
        resource("d", parent="a", dependencies=["c"]),
        resource("c", parent="a", provider="b::id-1"),
        resource("b", parent="a"),
        resource("a"),
    ]
    assert [r.urn for r in in_dependency_order(resources)] == ["a", "b", "c", "d"]


@pytest.mark.integration
def test_a_duplicate_urn_fails_like_the_engine():
    import pulumi

    from lzctl.runtime import DuplicateResourceError
    from tests.helpers import run_mocked

    def program():
        pulumi.CustomResource("test:index:Thing", "same", {})
        pulumi.CustomResource("test:index:Thing", "same", {})

    with pytest.raises(DuplicateResourceError, match="duplicate resource URN .*Thing::same"):
        run_mocked(program)


FINDINGS = {"source": "aws.securityhub", "detail": {"findings": [{"Severity": {"Label": "LOW"}, "ProductName": "GuardDuty"}, {"Severity": {"Label": "HIGH"}}]}}


@pytest.mark.parametrize(
    "pattern, event, matches",
    [
        ({"source": ["aws.ec2"]}, {"source": "aws.ec2"}, True),
        ({"source": ["aws.ec2"]}, {"source": "aws.s3"}, False),
        ({"source": ["aws.ec2"], "detail-type": ["x"]}, {"source": "aws.ec2"}, False),
        ({"resources": ["arn:b"]}, {"resources": ["arn:a", "arn:b"]}, True),
        ({"detail": {"state": ["running", "stopped"]}}, {"detail": {"state": "stopped"}}, True),
        ({"detail": {"state": ["running"]}}, {"detail": {"state": {"name": "running"}}}, False),
        # Arrays of objects are flattened: any element's value counts.
        ({"detail": {"findings": {"Severity": {"Label": ["HIGH"]}}}}, FINDINGS, True),
        ({"detail": {"findings": {"Severity": {"Label": ["CRITICAL"]}}}}, FINDINGS, False),
        ({"detail": {"findings": {"ProductName": [{"anything-but": ["Macie"]}]}}}, FINDINGS, True),
        ({"detail": {"findings": {"ProductName": [{"anything-but": ["GuardDuty"]}]}}}, FINDINGS, False),
        ({"detail": {"other": [{"anything-but": "x"}]}}, FINDINGS, False),
        ({"detail": {"severity": [{"numeric": [">=", 7]}]}}, {"detail": {"severity": 8}}, True),
        ({"detail": {"severity": [{"numeric": [">=", 7, "<", 9]}]}}, {"detail": {"severity": 9}}, False),
        ({"detail": {"severity": [{"numeric": [">=", 7]}]}}, {"detail": {"severity": "8"}}, False),
        ({"detail": {"severity": [{"numeric": [">=", 7]}]}}, {"detail": {"severity": 6.9}}, False),
        ({"region": [{"prefix": "ap-"}]}, {"region": "ap-northeast-1"}, True),
    ],
    ids=[
        "exact",
        "other value",
        "every field must match",
        "array value",
        "nested, one of several",
        "object is no value",
        "array of objects",
        "array of objects, none",
        "anything-but",
        "anything-but, excluded",
        "anything-but needs the field",
        "numeric",
        "numeric range",
        "numeric needs a number",
        "numeric below",
        "prefix",
    ],
)
def test_eventbridge_matching_as_documented(pattern, event, matches):
    assert event_matches(pattern, event) is matches


def test_an_operator_the_matcher_does_not_model_is_refused():
    with pytest.raises(ValueError, match="'wildcard' is not modelled"):
        event_matches({"source": [{"wildcard": "aws.*"}]}, {"source": "aws.ec2"})


def test_the_process_guard_refuses_a_quick_test_that_starts_a_process():
    guard = ProcessGuard()
    guard.audit("open", ("/etc/hosts", "r", 0))
    assert guard.problem(marked=False) is None
    guard.audit("os.system", (b"make",))
    expected = "starts a process (os.system b'make') but is not marked slow: add @pytest.mark.slow (pyproject.toml's markers)"
    assert guard.problem(marked=False) == expected
    assert guard.problem(marked=True) is None
    guard.reset()
    assert guard.problem(marked=False) is None
    guard.audit("os.fork", ())  # os.fork and os.forkpty carry no arguments
    assert guard.problem(marked=False).startswith("starts a process (os.fork) but is not marked slow")


@pytest.mark.slow  # processes, to see the session's guard note each way of starting one
def test_the_sessions_process_guard_sees_a_fork_and_multiprocessings_spawn(process_guard):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    assert process_guard.problem(marked=False).startswith("starts a process (os.fork) but is not marked slow")
    process_guard.reset()
    # multiprocessing's spawn and forkserver methods start their process through this, which raises no audit event of its own.
    os.waitpid(multiprocessing.util.spawnv_passfds(os.fsencode(sys.executable), [sys.executable, "-c", "pass"], ()), 0)
    assert process_guard.problem(marked=False).startswith(f"starts a process (tests.fork_exec [{sys.executable!r}, '-c', 'pass']) but is not")
    process_guard.reset()


@pytest.mark.slow  # a process, to see the session's guard note it
def test_the_sessions_process_guard_sees_subprocess_run(process_guard):
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    assert process_guard.problem(marked=False).startswith(f"starts a process (subprocess.Popen [{sys.executable!r}, '-c', 'pass']) but is not marked slow")
    process_guard.reset()


class _Fixture:
    """What EmulationGuard reads of a pytest FixtureDef: its name, and the key of the value it holds."""

    def __init__(self, argname: str, param: object = None):
        self.argname = argname
        self.cached_result = (None, param, None)


def test_the_emulation_guard_refuses_a_unit_test_that_plans_or_reuses_a_fixture_that_did():
    guard = EmulationGuard()
    marker = "but is not marked integration: add @pytest.mark.integration (pyproject.toml's markers)"
    assert guard.problem(marked=False, fixtures=[]) is None
    guard.note("runs a program under Pulumi's mocks")
    assert guard.problem(marked=False, fixtures=[]) == f"runs a program under Pulumi's mocks {marker}"
    assert guard.problem(marked=True, fixtures=[]) is None
    guard.reset()
    assert guard.problem(marked=False, fixtures=[]) is None
    # A fixture's own use is the test's that sets it up, and is remembered for the tests that reuse it,
    # with the parameter it was set up with.
    organisation, quiet = _Fixture("organisation", "moto"), _Fixture("tmp_config")
    guard.note("runs a program under Pulumi's mocks")
    before = guard.fixture_starting(organisation)
    guard.note("starts moto")
    guard.fixture_done(organisation, before)
    assert guard.used == ["runs a program under Pulumi's mocks", "starts moto"]
    guard.reset()
    guard.fixture_done(quiet, guard.fixture_starting(quiet))
    assert guard.problem(marked=False, fixtures=[quiet]) is None
    assert guard.problem(marked=False, fixtures=[quiet, organisation]) == f"uses the fixture organisation, which starts moto, {marker}"
    assert guard.problem(marked=True, fixtures=[organisation]) is None
    organisation.cached_result = (None, "stubbed", None)
    assert guard.problem(marked=False, fixtures=[organisation]) is None
    # A fixture that asks for one that emulated, or overrides it, is remembered too; unhashable parameters by identity.
    organisation.cached_result = (None, "moto", None)
    wrapper = _Fixture("wrapper", {"unhashable": True})
    guard.fixture_done(wrapper, guard.fixture_starting(wrapper), [quiet, organisation])
    assert guard.problem(marked=False, fixtures=[wrapper]) == (f"uses the fixture wrapper, which uses the fixture organisation, which starts moto, {marker}")
    wrapper.cached_result = (None, {"unhashable": True}, None)
    assert guard.problem(marked=False, fixtures=[wrapper]) is None
    # Each setup anew: the same fixture and parameter, set up without emulating, is forgotten.
    guard.fixture_done(organisation, guard.fixture_starting(organisation))
    assert guard.problem(marked=False, fixtures=[organisation]) is None
    # A teardown's own notes are the fixture's, told once for the tests without the marker that used it;
    # the test that happens to be torn down with it keeps its own.
    guard.reset()
    guard.used_by("test_x.py::test_quiet", [wrapper])  # through the fixtures wrapper asked for
    assert guard.users[quiet] == {"test_x.py::test_quiet"}
    guard.note("starts moto")
    with guard.teardown_of("tears down the fixture tmp_config, whose teardown", guard.users[quiet]):
        guard.note("runs a program under Pulumi's mocks")
    assert guard.used == ["starts moto"]
    assert guard.problem(marked=True, fixtures=[], teardown=True) == (
        "tears down the fixture tmp_config, whose teardown runs a program under Pulumi's mocks, used by test_x.py::test_quiet, none marked integration"
    )
    assert guard.problem(marked=True, fixtures=[], teardown=True) is None
    # A setup anew has users of its own.
    guard.fixture_done(quiet, guard.fixture_starting(quiet))
    with guard.teardown_of("tears down the fixture tmp_config, whose teardown", guard.users[quiet]):
        guard.note("runs a program under Pulumi's mocks")
    assert guard.problem(marked=True, fixtures=[], teardown=True) is None


@pytest.mark.integration
def test_the_sessions_emulation_guard_sees_mocks_shared_plans_moto_and_the_fixtures_that_used_them(management_plan):
    EMULATION.reset()
    run_management(EXAMPLE_DIR)
    assert EMULATION.used == ["runs a program under Pulumi's mocks"]
    EMULATION.reset()
    shared_plan("management")
    assert EMULATION.used == ["uses a copy of a plan shared by tests/helpers.py (made under Pulumi's mocks)"]
    EMULATION.reset()
    with mock_aws():
        pass
    assert EMULATION.used == ["starts moto"]
    remembered = [why for fixture, kept in EMULATION.fixtures.items() if fixture.argname == "management_plan" for why in kept.values()]
    assert len(remembered) == 1 and remembered[0].startswith("uses the fixture management_plan, which ")


_GUARDED_CONFTEST = """
import subprocess

import pytest
from moto import mock_aws
from tests.helpers import run_mocked

@pytest.fixture(scope="session")
def planned():
    run_mocked(lambda: None)
    return "planned"

@pytest.fixture(scope="session")
def maybe(request):
    if request.param == "plan":
        run_mocked(lambda: None)
    return request.param

@pytest.fixture(scope="module")
def asks_by_name(request):
    return request.getfixturevalue("planned")

@pytest.fixture(scope="module")
def asks_late(request):
    return request.getfixturevalue("planned")

@pytest.hookimpl(trylast=True)
def pytest_runtest_setup(item):
    if "hooked" in item.name and item.get_closest_marker("slow"):
        item.session.addfinalizer(lambda: subprocess.run(["true"], check=True))

@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    for index, item in enumerate(items):
        if "marked_after_selection" in item.name:
            item.add_marker(pytest.mark.slow)
        if "remade_after_selection" in item.name:
            items[index] = pytest.Function.from_parent(item.parent, name=item.name, callobj=item.obj)

@pytest.fixture
def moto_when_marked(request):
    if request.node.get_closest_marker("integration"):
        with mock_aws():
            yield
    else:
        yield
"""

_GUARDED_TESTS = """
import pytest
from moto import mock_aws
from tests.helpers import run_mocked

@pytest.mark.integration
def test_marked(planned):
    pass

def test_unmarked_plans():
    run_mocked(lambda: None)

def test_unmarked_reuses_the_session_fixture(planned):
    pass

def test_unmarked_asks_for_it_by_name(request):
    request.getfixturevalue("planned")

def test_unmarked_starts_moto():
    with mock_aws():
        pass

@pytest.fixture
def plans_after():
    yield
    run_mocked(lambda: None)

def test_unmarked_plans_in_teardown(plans_after):
    pass

@pytest.mark.integration
@pytest.mark.parametrize("maybe", ["plan"], indirect=True)
def test_marked_with_the_parameter_that_plans(maybe):
    pass

@pytest.mark.parametrize("maybe", ["none"], indirect=True)
def test_unmarked_with_the_parameter_that_does_not(maybe):
    pass

def test_unmarked_quiet():
    pass

def test_unmarked_plans_then_skips():
    run_mocked(lambda: None)
    pytest.skip("skipped after planning")

@pytest.mark.xfail(reason="expected to fail, and passes")
def test_unmarked_plans_where_a_failure_is_expected():
    run_mocked(lambda: None)

@pytest.mark.integration
def test_marked_asks_by_name(asks_by_name):
    pass

def test_unmarked_reuses_a_fixture_that_asked_by_name(asks_by_name):
    pass

@pytest.mark.integration
def test_marked_with_both(planned, asks_late):
    pass

def test_unmarked_reuses_a_fixture_that_asked_late(asks_late):
    pass

@pytest.mark.integration
def test_marked_with_moto(moto_when_marked):
    pass

def test_unmarked_without_moto(moto_when_marked):
    pass
"""

_GUARDED_TEARDOWN = """
import pytest
from tests.helpers import run_mocked

@pytest.fixture(scope="module")
def plans_when_done():
    yield
    run_mocked(lambda: None)

@pytest.mark.integration
def test_marked_uses_it(plans_when_done):
    pass

def test_unmarked_last_in_the_module():
    pass
"""

_GUARDED_MODULE_TEARDOWN = """
import pytest
from tests.helpers import run_mocked

@pytest.fixture(scope="module")
def plans_at_the_end():
    yield
    run_mocked(lambda: None)

def test_unmarked_uses_it(plans_at_the_end):
    pass

def test_unmarked_last():
    pass
"""

_GUARDED_MORE = """
import subprocess

import pytest
from tests.helpers import run_mocked

@pytest.fixture
def marks_itself(request):
    request.applymarker(pytest.mark.integration)
    run_mocked(lambda: None)

def test_unmarked_marks_itself_while_it_runs(marks_itself):
    pass

@pytest.fixture(scope="module")
def plans_on_the_module(request):
    request.node.addfinalizer(lambda: run_mocked(lambda: None))

def test_unmarked_uses_a_fixture_that_plans_on_the_module(plans_on_the_module):
    pass

@pytest.fixture(scope="module")
def inner():
    yield
    run_mocked(lambda: None)

@pytest.fixture(scope="module")
def outer(request):
    return request.getfixturevalue("inner")

@pytest.mark.integration
def test_marked_sets_up_outer(outer):
    pass

def test_unmarked_reuses_outer(outer):
    pass

@pytest.fixture(scope="module")
def starts_a_process_when_done():
    yield
    subprocess.run(["true"], check=True)

@pytest.mark.slow
def test_slow_uses_it(starts_a_process_when_done):
    pass

@pytest.mark.integration
def test_marked_last():
    pass
"""

_GUARDED_FINALIZERS = """
import subprocess

import pytest

def test_unmarked_marked_after_selection():
    subprocess.run(["true"], check=True)

def test_unmarked_remade_after_selection():
    subprocess.run(["true"], check=True)

@pytest.mark.slow
def test_slow_adds_to_the_session(request):
    request.session.addfinalizer(lambda: subprocess.run(["true"], check=True))

def test_unmarked_adds_to_the_module(request):
    request.node.parent.addfinalizer(lambda: subprocess.run(["true"], check=True))

@pytest.fixture(scope="module")
def factory(request):
    return lambda command: request.addfinalizer(lambda: subprocess.run(command, check=True))

@pytest.mark.slow
def test_slow_makes_a_process_for_later(factory):
    factory(["true"])

def test_unmarked_uses_the_factory_quietly(factory):
    pass

@pytest.mark.slow
def test_slow_hooked():
    pass

@pytest.fixture
def leaves_a_process(request):
    yield
    request.session.addfinalizer(lambda: subprocess.run(["true"], check=True))

@pytest.mark.slow
def test_slow_uses_a_fixture_that_leaves_a_process(leaves_a_process):
    pass

@pytest.mark.slow
def test_slow_last():
    pass
"""

_GUARDED_OVERRIDE = """
import pytest

@pytest.fixture
def planned(planned):
    return planned + " again"

def test_unmarked_reuses_an_override(planned):
    pass
"""


@pytest.mark.slow  # a pytest run of its own, so that the guards' hooks fail its tests and nothing of this one
def test_the_guards_fail_each_unmarked_test_that_emulates_however_it_does_and_no_other(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    pytester.makeconftest(_GUARDED_CONFTEST)
    pytester.makepyfile(
        test_a=_GUARDED_TESTS,
        test_b=_GUARDED_OVERRIDE,
        test_c="from tests.helpers import run_mocked\n\nrun_mocked(lambda: None)\n",
        test_d=_GUARDED_TEARDOWN,
        test_f=_GUARDED_MODULE_TEARDOWN,
        test_e="import pytest\nfrom tests.helpers import run_mocked\n\nrun_mocked(lambda: None)\npytest.skip(allow_module_level=True)\n",
        test_g=_GUARDED_MORE,
        test_h="import subprocess\n\nsubprocess.run(['true'], check=True)\n",
        test_i=_GUARDED_FINALIZERS,
    )
    # A package's setup_module (one that skips the package too) and teardown_module (which its setup,
    # the first test's, puts on it): the quick test's to answer for, not a skipped one's, which never
    # sets it up, before or after the slow test did.
    packages = {"pkg": ("teardown_module", ""), "pkgsetup": ("setup_module", ""), "pkgskip": ("setup_module", "    pytest.skip('no tool here')\n")}
    for package, (function, then) in packages.items():
        pytester.mkpydir(package).joinpath("__init__.py").write_text(
            f"import subprocess\n\nimport pytest\n\ndef {function}():\n    subprocess.run(['true'], check=True)\n{then}"
        )
        pytester.path.joinpath(package, "test_p.py").write_text(
            "import pytest\n\n@pytest.mark.skip\ndef test_unmarked_skipped():\n    pass\n\n@pytest.mark.slow\ndef test_slow_first():\n    pass\n\n"
            "@pytest.mark.skip\ndef test_unmarked_skipped_after():\n    pass\n\ndef test_unmarked_second():\n    pass\n"
        )
    pytester.mkpydir("pkg/zsub").joinpath("__init__.py").write_text("import pytest\n\ndef setup_module():\n    pytest.skip('not here')\n")
    pytester.path.joinpath("pkg", "zsub", "test_z.py").write_text("def test_unmarked_in_a_skipped_package():\n    pass\n")
    result = pytester.runpytest_subprocess(
        "-p", "tests.session", "-p", "no:cacheprovider", "-p", "no:xdist", "-W", "ignore::pytest.PytestUnknownMarkWarning",
        "--continue-on-collection-errors", "-rA",
    )  # fmt: skip
    marker = "but is not marked integration: add @pytest.mark.integration (pyproject.toml's markers)"
    fixture = "uses the fixture planned, which runs a program under Pulumi's mocks,"
    collected = "while it is collected: do it in a test or a fixture marked"
    slow = "add @pytest.mark.slow (pyproject.toml's markers)"
    expected = [
        f"test_a.py::test_unmarked_plans runs a program under Pulumi's mocks {marker}",
        f"test_a.py::test_unmarked_reuses_the_session_fixture {fixture} {marker}",
        f"test_a.py::test_unmarked_asks_for_it_by_name {fixture} {marker}",
        f"test_a.py::test_unmarked_starts_moto starts moto {marker}",
        "test_a.py::test_unmarked_plans_in_teardown tears down the fixture plans_after, whose teardown runs a program under Pulumi's mocks,"
        " used by test_a.py::test_unmarked_plans_in_teardown, none marked integration",
        f"test_a.py::test_unmarked_reuses_a_fixture_that_asked_late uses the fixture asks_late, which {fixture} {marker}",
        "test_f.py::test_unmarked_last tears down the fixture plans_at_the_end, whose teardown runs a program under Pulumi's mocks,"
        " used by test_f.py::test_unmarked_uses_it, none marked integration",
        f"test_a.py::test_unmarked_plans_then_skips runs a program under Pulumi's mocks {marker}",
        f"test_a.py::test_unmarked_plans_where_a_failure_is_expected runs a program under Pulumi's mocks {marker}",
        f"test_a.py::test_unmarked_reuses_a_fixture_that_asked_by_name uses the fixture asks_by_name, which {fixture} {marker}",
        f"test_b.py::test_unmarked_reuses_an_override uses the fixture planned, which {fixture} {marker}",
        f"test_c.py runs a program under Pulumi's mocks {collected} integration, not at import or in parametrize",
        f"test_e.py runs a program under Pulumi's mocks {collected} integration, not at import or in parametrize",
        f"test_h.py starts a process (subprocess.Popen ['true']) {collected} slow, not at import or in parametrize",
        # -m selects on the markers as collected: one added while the test runs is none.
        f"test_g.py::test_unmarked_marks_itself_while_it_runs runs a program under Pulumi's mocks {marker}",
        # A module's teardown: a fixture asked for by name, and a finalizer a fixture put on the module;
        # the slow test's fixture starts a process in it, which is none of the quick test's doing.
        "test_g.py::test_marked_last tears down the fixture inner, whose teardown runs a program under Pulumi's mocks,"
        " used by test_g.py::test_unmarked_reuses_outer, none marked integration; and it tears down the fixture plans_on_the_module,"
        " whose teardown runs a program under Pulumi's mocks, used by test_g.py::test_unmarked_uses_a_fixture_that_plans_on_the_module,"
        " none marked integration",
        # The markers -m read: a later hook's does not count.
        f"test_i.py::test_unmarked_marked_after_selection starts a process (subprocess.Popen ['true']) but is not marked slow: {slow}",
        # What a test adds to a fixture or an outer node is its own: told for it but where it has the marker.
        "test_i.py::test_slow_last runs a finalizer test_i.py::test_unmarked_adds_to_the_module added, which starts a process"
        " (subprocess.Popen ['true']), for test_i.py::test_unmarked_adds_to_the_module, none marked slow",
        # An item made after -m selected has its markers as it has them then.
        f"test_i.py::test_unmarked_remade_after_selection starts a process (subprocess.Popen ['true']) but is not marked slow: {slow}",
        # What a package's own setup puts on it is told for the tests without the marker that ran in it,
        # one in a package inside it that skips among them.
        "pkg/zsub/test_z.py::test_unmarked_in_a_skipped_package runs a finalizer of pkg, which starts a process (subprocess.Popen ['true']),"
        " for the tests run in it: pkg/test_p.py::test_unmarked_second, pkg/zsub/test_z.py::test_unmarked_in_a_skipped_package, none marked slow",
        f"pkgsetup/test_p.py::test_unmarked_second runs in pkgsetup, whose setup starts a process (subprocess.Popen ['true']), but is not marked slow: {slow}",
        f"pkgskip/test_p.py::test_unmarked_second runs in pkgskip, whose setup starts a process (subprocess.Popen ['true']), but is not marked slow: {slow}",
    ]
    lines = result.outlines
    assert [line for line in expected if line not in lines] == []
    assert sorted(line.split()[1] for line in lines if line.startswith("PASSED ")) == [
        "pkg/test_p.py::test_slow_first",
        "pkg/test_p.py::test_unmarked_second",
        "pkgsetup/test_p.py::test_slow_first",
        "test_a.py::test_marked",
        "test_a.py::test_marked_asks_by_name",
        "test_a.py::test_marked_with_both",
        "test_a.py::test_marked_with_moto",
        "test_a.py::test_marked_with_the_parameter_that_plans[plan]",
        "test_a.py::test_unmarked_plans_in_teardown",  # its call; its teardown is the error
        "test_a.py::test_unmarked_quiet",
        "test_a.py::test_unmarked_with_the_parameter_that_does_not[none]",
        "test_a.py::test_unmarked_without_moto",
        "test_d.py::test_marked_uses_it",
        "test_d.py::test_unmarked_last_in_the_module",  # the module fixture's teardown is not its own
        "test_f.py::test_unmarked_last",  # its call; its teardown tells of the fixture's
        "test_f.py::test_unmarked_uses_it",
        "test_g.py::test_marked_last",  # its call; its teardown tells of the module's
        "test_g.py::test_marked_sets_up_outer",
        "test_g.py::test_slow_uses_it",
        "test_g.py::test_unmarked_reuses_outer",
        "test_g.py::test_unmarked_uses_a_fixture_that_plans_on_the_module",
        "test_i.py::test_slow_adds_to_the_session",
        "test_i.py::test_slow_hooked",  # the session's finalizer a hook added for it is its own
        "test_i.py::test_slow_last",  # its call; its teardown tells of the module's (the session's finalizer is the slow test's)
        "test_i.py::test_slow_makes_a_process_for_later",
        "test_i.py::test_slow_uses_a_fixture_that_leaves_a_process",  # what its fixture's teardown adds is the fixture's
        "test_i.py::test_unmarked_adds_to_the_module",
        "test_i.py::test_unmarked_uses_the_factory_quietly",  # the finalizer the slow test added to the fixture is not its
    ]
    result.assert_outcomes(passed=28, failed=7, errors=15, skipped=8)


def test_the_guards_refuse_a_run_inside_their_run(pytester):
    result = pytester.runpytest_inprocess("-p", "tests.session", "-p", "no:cacheprovider", "-p", "no:xdist")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert result.errlines == [
        "ERROR: tests.session guards one pytest run per process and this one runs inside another: run it as a process of its own"
        " (pytester.runpytest_subprocess), or without loading tests.session",
        "",
    ]


def test_the_folder_digest_reads_the_configs_data_not_its_text(tmp_path):
    def digest(name: str, text: str) -> str:
        return folder_digest(write_config(tmp_path / name, text))

    flow = digest("flow", "organization: {home_region: ap-northeast-1, name: acme}\n")
    assert digest("block", "organization:\n  home_region: ap-northeast-1  # the same data\n  name: acme\n") == flow
    # The order of keys orders the plan; a date is not the string of it.
    assert digest("reordered", "organization: {name: acme, home_region: ap-northeast-1}\n") != flow
    assert digest("date", "closed: 2026-01-01\n") != digest("string", "closed: '2026-01-01'\n")
    # What the loader refuses or warns about is read as text: the same data would plan without the error.
    assert digest("twice", "organization: {name: acme}\norganization: {name: acme}\n") != digest("once", "organization: {name: acme}\n")
    assert digest("number", "applications: {1: {}}\n") != digest("name", "applications: {'1': {}}\n")
    assert digest("moved", "\napplications: {1: {}}\n") != digest("number", "applications: {1: {}}\n")  # its messages name the line
    assert digest("bad-date", "closed: 2026-13-01\n") == digest("bad-date-string", "closed: '2026-13-01'\n")
    # Every other file counts byte for byte.
    edited = write_config(tmp_path / "edited", "organization: {home_region: ap-northeast-1, name: acme}\n")
    policy = next(p for p in sorted(edited.rglob("*")) if p.is_file() and p.name != "landing-zone.yaml")
    policy.write_bytes(policy.read_bytes() + b"\n")
    assert folder_digest(edited) != flow
    # But for adopt's report, which the program never reads.
    reported = write_config(tmp_path / "reported", "organization: {home_region: ap-northeast-1, name: acme}\n")
    (reported / "adopt-report.md").write_text("# what adopt found\n")
    assert folder_digest(reported) == flow
    # Unless the config names it (a permission set's inline_policy may be any file): then its bytes count.
    naming = "organization: {home_region: ap-northeast-1, name: acme}\nidentity_center: {permission_sets: {Ops: {inline_policy: adopt-report.md}}}\n"
    named = write_config(tmp_path / "named", naming)
    (named / "adopt-report.md").write_text("{}\n")
    before = folder_digest(named)
    (named / "adopt-report.md").write_text('{"Version": "2012-10-17"}\n')
    assert folder_digest(named) != before


@pytest.mark.integration
def test_a_shared_plan_is_the_callers_own_copy_of_the_plan_of_that_content(tmp_path):
    mine = shared_plan("management")
    kept = pickle.dumps(mine)
    mine.resources.clear()
    mine.outputs["accountIds"] = {}
    copied = shared_plan("management", write_config(tmp_path / "config", example_data()))
    assert pickle.dumps(copied) == kept and copied.resources
    assert folder_digest(tmp_path / "config") == folder_digest(EXAMPLE_DIR)


@pytest.mark.integration
@pytest.mark.parametrize("more_config", [{}, {"phase": "organization"}], ids=["as plan_stack plans it", "a run of its own"])
def test_a_shared_run_with_errors_is_run_again_so_they_name_the_callers_folder(tmp_path, more_config):
    def refused(name: str) -> list:
        folder = write_config(tmp_path / name, "organization: {}\n")
        plan, errors = shared_run(folder, **more_config)
        assert [r.type for r in plan.resources] == ["pulumi:pulumi:Stack"]
        return [str(error) for error in errors]

    [first], [second] = refused("first"), refused("second")
    assert (
        first.startswith("invalid landing-zone config: 7 problems\n  - ") and f"{tmp_path / 'first' / 'landing-zone.yaml'}: organization.home_region" in first
    )
    assert second == first.replace(str(tmp_path / "first"), str(tmp_path / "second"))


@pytest.mark.integration
def test_the_management_stacks_shared_run_is_its_shared_plan(management_plan):
    """shared_run answers a management run offline with no more config from shared_plan: pinned here."""
    assert run_management(EXAMPLE_DIR) == (management_plan, [])
