"""The image promotion's shell (workflows/images.py), run for real: git plumbing on throwaway
repositories, and the AWS CLI played by a stub that answers from files and logs every call."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from delivery.policies import KEEP_DEPLOYED_IMAGES
from workflows import images

pytestmark = pytest.mark.skipif(not (shutil.which("git") and shutil.which("jq") and shutil.which("bash")), reason="needs git, jq and bash")

RUN_ID = "4242"
D1, D2 = "sha256:" + "1" * 64, "sha256:" + "2" * 64
# A manifest as ECR stores it, ending in a newline: the retag must put back exactly these bytes.
MANIFEST = '{\n  "schemaVersion": 2,\n  "mediaType": "application/vnd.oci.image.index.v1+json",\n  "manifests": []\n}\n'
INDEX = "application/vnd.oci.image.index.v1+json"

# The AWS CLI, played from $STUB: tags/<tag> holds a digest, digests/<digest> exists once replicated,
# images.json is the repository's listing (describe-images without --image-ids), image.json is batch-get-image's answer; every call is logged to calls, a put manifest to put-manifest.
AWS_STUB = r"""#!/bin/bash
printf '%s\n' "$*" >> "$STUB/calls"
case "$2" in
  describe-images)
    for arg in "$@"; do
      case "$arg" in
        imageTag=*) [ -f "$STUB/tags/${arg#imageTag=}" ] && exec cat "$STUB/tags/${arg#imageTag=}" ;;
        imageDigest=*) [ -f "$STUB/digests/${arg#imageDigest=}" ] && exit 0 ;;
        --image-ids) looked_up=1 ;;
      esac
    done
    [ -z "$looked_up" ] && [ -f "$STUB/images.json" ] && exec cat "$STUB/images.json"
    echo "ImageNotFoundException" >&2
    exit 254 ;;
  batch-get-image) cat "$STUB/image.json" ;;
  put-image)
    for arg in "$@"; do
      case "$arg" in file://*) cp "${arg#file://}" "$STUB/put-manifest" ;; esac
    done
    echo '{}' ;;
esac
"""


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def commit(repo: Path, files: dict[str, str | None]) -> None:
    for path, content in files.items():
        if content is None:
            git(repo, "rm", "-rq", path)
            continue
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(content)
        git(repo, "add", path)
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "change", "--allow-empty")


def source_tree(repo: Path) -> str:
    result = subprocess.run(["bash", "-e", "-c", images.source_tree() + 'echo "$tree"'], cwd=repo, check=True, capture_output=True, text=True)
    return result.stdout.strip()


BASE = {"src/app.py": "print(1)\n", ".github/workflows/deploy.yml": "on: push\n", ".github/CODEOWNERS": "* @acme/team\n"}
# (change committed after BASE, whether the source tree stays the one BASE had)
TREE_CASES = [
    ({".github/workflows/deploy.yml": "on: [push]\n"}, True),
    ({".github/workflows/ci.yml": "on: pull_request\n"}, True),
    ({".github/workflows": None}, True),
    ({}, True),
    ({"src/app.py": "print(2)\n"}, False),
    ({".github/CODEOWNERS": "* @acme/other\n"}, False),
    ({".github/workflows.md": "notes\n"}, False),
]


@pytest.mark.slow  # git and bash processes
@pytest.mark.parametrize("change, same", TREE_CASES)
def test_the_source_tree_ignores_the_workflows_folder_only(tmp_path, change, same):
    git(tmp_path, "init", "-q")
    commit(tmp_path, BASE)
    before = source_tree(tmp_path)
    commit(tmp_path, change)
    assert (source_tree(tmp_path) == before) == same
    # Nothing in the checkout or its index moved.
    assert git(tmp_path, "status", "--porcelain") == ""


@pytest.mark.slow  # git and bash processes
def test_the_source_tree_is_the_commit_tree_without_the_folder_and_ignores_the_work_tree(tmp_path):
    git(tmp_path, "init", "-q")
    commit(tmp_path, BASE)
    (tmp_path / "src/app.py").write_text("uncommitted\n")
    without = tmp_path / "without"
    git(tmp_path, "clone", "-q", str(tmp_path), str(without))
    commit(without, {".github/workflows": None})
    assert source_tree(tmp_path) == git(without, "rev-parse", "HEAD^{tree}")


def test_the_source_tree_shell_is_exact():
    assert images.source_tree() == (
        'index="$(mktemp -d)/index"\n'
        'GIT_INDEX_FILE="$index" git read-tree HEAD\n'
        'GIT_INDEX_FILE="$index" git rm -r -q --cached --ignore-unmatch -- .github/workflows\n'
        'tree="$(GIT_INDEX_FILE="$index" git write-tree)"\n'
    )


@pytest.fixture
def stub(tmp_path):
    """A repository checkout, the stub CLI on PATH, and a runner for a step's script."""
    repo, state, bin_ = tmp_path / "repo", tmp_path / "stub", tmp_path / "bin"
    for folder in (repo, state / "tags", state / "digests", bin_):
        folder.mkdir(parents=True)
    git(repo, "init", "-q")
    commit(repo, BASE)
    (bin_ / "aws").write_text(AWS_STUB)
    (bin_ / "aws").chmod(0o755)
    (state / "image.json").write_text(json.dumps({"images": [{"imageManifest": MANIFEST, "imageManifestMediaType": INDEX}], "failures": []}))
    output = tmp_path / "github-output"
    listing: list[dict] = []
    env = {
        **os.environ,
        "PATH": f"{bin_}:{os.environ['PATH']}",
        "STUB": str(state),
        "ECR_REPOSITORY": "booking",
        "GITHUB_SHA": git(repo, "rev-parse", "HEAD"),
        "GITHUB_RUN_ID": RUN_ID,
        "GITHUB_OUTPUT": str(output),
        "IMAGE_URI": "111111111111.dkr.ecr.ap-northeast-1.amazonaws.com/booking:c0ffee",
        "REGISTRY": "222222222222.dkr.ecr.ap-northeast-1.amazonaws.com",
        "STAGING_ACCOUNT_ID": "111111111111",
    }

    class Stub:
        tree = source_tree(repo)
        state = tmp_path / "stub"
        sha = env["GITHUB_SHA"]

        def tag(self, tag: str, digest: str) -> None:
            (state / "tags" / tag).write_text(digest + "\n")

        def answer_batch_get(self, answer: dict) -> None:
            (state / "image.json").write_text(json.dumps(answer))

        def replicated(self, digest: str) -> None:
            (state / "digests" / digest).write_text("")
            self.listed(digest, REPLICATED_AT, [])

        def listed(self, digest: str, pushed: str, tags: list[str]) -> None:
            listing.append({"imageDigest": digest, "imageTags": tags, "imagePushedAt": pushed})
            (state / "images.json").write_text(json.dumps({"imageDetails": listing}))

        def run(self, script: str) -> subprocess.CompletedProcess:
            # Actions' default shell on Linux runners: `bash -e {0}` ("Workflow syntax", jobs.<job_id>.steps[*].shell).
            return subprocess.run(["bash", "-e", "-c", script], cwd=repo, env=env, capture_output=True, text=True, timeout=60)

        def calls(self) -> list[str]:
            path = state / "calls"
            return path.read_text().splitlines() if path.exists() else []

        def put_manifest(self) -> str | None:
            path = state / "put-manifest"
            return path.read_text() if path.exists() else None

        def output(self) -> str:
            return output.read_text() if output.exists() else ""

    return Stub()


# As the CLI prints ECR's push times under TZ=UTC: ISO 8601, with a fraction only when there is one.
REPLICATED_AT = "2026-12-01T09:00:00.250000+00:00"


def put_call(tag: str, digest: str) -> str:
    return f"ecr put-image --repository-name booking --image-tag {tag} --image-digest {digest} --image-manifest file://"


BATCH_GET = (
    "ecr batch-get-image --repository-name booking --image-ids imageDigest={digest} --accepted-media-types "
    "application/vnd.docker.distribution.manifest.v2+json application/vnd.docker.distribution.manifest.list.v2+json "
    "application/vnd.oci.image.manifest.v1+json application/vnd.oci.image.index.v1+json --output json"
)


@pytest.mark.slow  # git and bash processes
def test_mark_tested_retags_this_runs_image_byte_for_byte(stub):
    stub.tag(stub.sha, D1)
    result = stub.run(images.MARK_TESTED)
    assert result.returncode == 0, result.stderr
    tested = f"tested-{stub.tree}"
    calls = stub.calls()
    assert calls[-2] == BATCH_GET.format(digest=D1)
    assert calls[-1].startswith(put_call(tested, D1)) and calls[-1].endswith(f"--image-manifest-media-type {INDEX}")
    assert stub.put_manifest() == MANIFEST
    assert f"{D1} tagged {tested}\n" in result.stdout


@pytest.mark.slow  # git and bash processes
def test_a_manifest_ecr_does_not_return_stops_the_retag_naming_the_failure(stub):
    # BatchGetImage exits 0 and lists the image under failures (botocore ecr model: ImageFailure).
    failure = {"imageId": {"imageDigest": D1}, "failureCode": "ImageNotFound", "failureReason": "Requested image not found"}
    stub.answer_batch_get({"images": [], "failures": [failure]})
    stub.tag(stub.sha, D1)
    result = stub.run(images.MARK_TESTED)
    assert result.returncode == 1
    assert f"::error::ECR returned no manifest of {D1} to tag tested-{stub.tree}: [{json.dumps(failure, separators=(',', ':'))}]" in result.stdout
    assert not [call for call in stub.calls() if "put-image" in call]


# (digest already behind the tested tag, exit code, what the step says)
MARK_CASES = [
    (D1, 0, "is tagged tested-{tree} already (an earlier attempt): not tagged again"),
    (
        D2,
        1,
        "::error::tested-{tree} is on " + D2 + " already, not on this run's image " + D1 + ": an image was marked tested for this source tree before",
    ),
]


@pytest.mark.slow  # git and bash processes
@pytest.mark.parametrize("existing, code, words", MARK_CASES, ids=["re-run", "another digest"])
def test_mark_tested_compares_an_existing_tag_with_this_runs_digest(stub, existing, code, words):
    stub.tag(stub.sha, D1)
    stub.tag(f"tested-{stub.tree}", existing)
    result = stub.run(images.MARK_TESTED)
    assert result.returncode == code
    assert words.format(tree=stub.tree) in result.stdout
    assert not [call for call in stub.calls() if "put-image" in call or "batch-get-image" in call]


# (tags and replicated digests before prod's step, exit code, the put-image call or None, what it says)
PROMOTE_CASES = [
    ("tested, replicated", {"tested": D1}, [D1], 0, put_call(f"deployed-{RUN_ID}", D1), "deploying " + D1),
    ("re-run of the same run", {"tested": D1, "deployed": D1}, [D1], 0, None, f"is tagged deployed-{RUN_ID} already"),
    ("run tag on another image", {"tested": D1, "deployed": D2}, [D1], 1, None, f"::error::deployed-{RUN_ID} is on {D2} already"),
    ("never tested", {}, [], 1, None, "::error::no image of source tree {tree} (this commit's tree without .github/workflows) passed the tests on stg"),
]


@pytest.mark.slow  # git and bash processes
@pytest.mark.parametrize("case, tags, replicated, code, put, words", PROMOTE_CASES, ids=[c[0] for c in PROMOTE_CASES])
def test_prod_tags_what_it_deploys_once_per_run(stub, case, tags, replicated, code, put, words):
    names = {"tested": f"tested-{stub.tree}", "deployed": f"deployed-{RUN_ID}"}
    for key, digest in tags.items():
        stub.tag(names[key], digest)
    for digest in replicated:
        stub.replicated(digest)
    result = stub.run(images.promote("stg"))
    assert result.returncode == code, result.stdout + result.stderr
    assert words.format(tree=stub.tree) in result.stdout
    puts = [call for call in stub.calls() if "put-image" in call]
    assert [call[: len(put)] for call in puts] == ([put] if put else [])
    # The image URI is handed on only when everything before passed.
    assert stub.output() == (f"image-uri=222222222222.dkr.ecr.ap-northeast-1.amazonaws.com/booking@{D1}\n" if code == 0 else "")
    # The tested tag is read in stg's registry; the deployed tag is written in prod's own.
    assert all("--registry-id 111111111111" in call for call in stub.calls() if "imageTag=tested-" in call)


def pushed(minutes: int) -> str:
    """A push time `minutes` after (or before) the promoted image's replication, as the CLI prints it."""
    return f"2026-12-01T{9 + minutes // 60:02d}:{minutes % 60:02d}:00+00:00"


DEPLOYED = KEEP_DEPLOYED_IMAGES
# (images in prod's repository besides the promoted one, pushed at REPLICATED_AT: (push time, tag), exit code)
LIFECYCLE_CASES = [
    ("nothing deployed before", [], 0),
    ("one fewer newer deployed images than the lifecycle keeps", [(pushed(1 + i), f"deployed-{i}") for i in range(DEPLOYED - 1)], 0),
    ("as many newer deployed images as the lifecycle keeps", [(pushed(1 + i), f"deployed-{i}") for i in range(DEPLOYED)], 1),
    ("as many deployed images, all older", [(pushed(-1 - i), f"deployed-{i}") for i in range(DEPLOYED)], 0),
    ("as many newer images, none deployed", [(pushed(1 + i), f"tested-{i}") for i in range(DEPLOYED)], 0),
    ("as many deployed in the same second, before its fraction", [(pushed(0), f"deployed-{i}") for i in range(DEPLOYED)], 0),
    ("as many deployed in the same second, after its fraction", [("2026-12-01T09:00:00.750000+00:00", f"deployed-{i}") for i in range(DEPLOYED)], 1),
    ("as many deployed, newer, written with Z", [(f"2026-12-01T10:00:0{i}Z", f"deployed-{i}") for i in range(DEPLOYED)], 1),
]


@pytest.mark.slow  # git and bash processes
@pytest.mark.parametrize("case, others, code", LIFECYCLE_CASES, ids=[c[0] for c in LIFECYCLE_CASES])
def test_prod_refuses_an_image_its_lifecycle_would_expire_once_deployed(stub, case, others, code):
    stub.tag(f"tested-{stub.tree}", D1)
    stub.replicated(D1)
    for number, (at, tag) in enumerate(others):
        stub.listed(f"sha256:{number:064x}", at, [tag])
    result = stub.run(images.promote("stg"))
    assert result.returncode == code, result.stdout + result.stderr
    puts = [call for call in stub.calls() if "put-image" in call]
    if code:
        assert (
            f"::error::{D1} was pushed before the last {DEPLOYED} images prod deployed ({DEPLOYED} newer): prod's lifecycle "
            "policy keeps only those, so it would expire this image once deployed." in result.stdout
        )
        assert puts == [] and stub.output() == ""
    else:
        assert [call[: len(put_call(f"deployed-{RUN_ID}", D1))] for call in puts] == [put_call(f"deployed-{RUN_ID}", D1)]
    # The listing is of prod's own repository, in UTC.
    assert "ecr describe-images --repository-name booking --output json" in stub.calls()


@pytest.mark.slow  # git and bash processes
def test_prod_stops_when_its_repository_cannot_be_listed(stub):
    stub.tag(f"tested-{stub.tree}", D1)
    stub.replicated(D1)
    (stub.state / "images.json").unlink()
    result = stub.run(images.promote("stg"))
    assert result.returncode != 0
    assert not [call for call in stub.calls() if "put-image" in call] and stub.output() == ""


UNREADABLE = (
    "::error::prod could not compare the push times of the images in its repository booking (jq's words above), so it cannot tell "
    f"whether its lifecycle policy would keep {D1} once deployed, and tags nothing"
)


@pytest.mark.slow  # git and bash processes
@pytest.mark.parametrize("at", ["2026-12-01T18:00:00+09:00", "yesterday", None])
def test_prod_stops_when_the_push_times_cannot_be_compared(stub, at):
    stub.tag(f"tested-{stub.tree}", D1)
    stub.replicated(D1)
    stub.listed("sha256:" + "3" * 64, at, ["deployed-1"])
    result = stub.run(images.promote("stg"))
    assert result.returncode == 1
    assert UNREADABLE in result.stdout
    assert "jq: error" in result.stderr
    assert not [call for call in stub.calls() if "put-image" in call]


@pytest.mark.slow  # git and bash processes
def test_prod_stops_when_its_listing_lacks_the_promoted_image(stub):
    """jq finding no push time of its own would print nothing and exit 0: the message must still name why."""
    stub.tag(f"tested-{stub.tree}", D1)
    stub.replicated(D1)
    (stub.state / "images.json").write_text(
        json.dumps({"imageDetails": [{"imageDigest": "sha256:" + "3" * 64, "imageTags": ["deployed-1"], "imagePushedAt": REPLICATED_AT}]})
    )
    result = stub.run(images.promote("stg"))
    assert result.returncode == 1
    assert UNREADABLE in result.stdout
    assert f"{D1} is not in the listing" in result.stderr
    assert not [call for call in stub.calls() if "put-image" in call]


@pytest.mark.slow  # git and bash processes
@pytest.mark.parametrize("newer, code", [(DEPLOYED - 1, 0), (DEPLOYED, 1)])
def test_prod_reads_push_times_printed_as_epoch_seconds(stub, newer, code):
    """`cli_timestamp_format = wire`: the CLI prints ECR's own epoch seconds (fractions kept)."""
    stub.tag(f"tested-{stub.tree}", D1)
    stub.replicated(D1)
    for number in range(DEPLOYED):
        stub.listed(f"sha256:{number:064x}", "", [f"deployed-{number}"])
    listing = json.loads((stub.state / "images.json").read_text())
    promoted_at = datetime.fromisoformat(REPLICATED_AT).timestamp()
    for number, image in enumerate(listing["imageDetails"][1:]):
        image["imagePushedAt"] = promoted_at + (0.5 if number < newer else -0.5)
    listing["imageDetails"][0]["imagePushedAt"] = promoted_at
    (stub.state / "images.json").write_text(json.dumps(listing))
    result = stub.run(images.promote("stg"))
    assert result.returncode == code, result.stdout + result.stderr
    assert bool([call for call in stub.calls() if "put-image" in call]) is (code == 0)
