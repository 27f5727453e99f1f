"""Container images in the deploy workflows: built once per commit, tested on staging, promoted to prod by digest.

The staging environment (the one deployed just before prod) builds and pushes `<repo>:<commit>`; once
its integration and E2E tests pass, the same image gets a second tag, `tested-<source tree>`. Prod
builds nothing: its job reads, in the staging registry, the digest behind `tested-<its source
tree>`, waits until ECR replication has copied that digest into its own registry, tags it there
`deployed-<run id>` (prod's lifecycle policy keeps those, delivery/policies.py) and deploys
`<repo>@sha256:...`. A merge of staging into main (merge commit, squash or rebase alike) has the
source tree staging tested as long as main holds nothing staging lacks; anything else finds no
tested image and fails closed.

The source tree is the commit's tree without `.github/workflows` (`source_tree`): the landing zone
commits its generated workflows straight to every branch, pushes that deploy nothing (paths-ignore),
so keying on the whole tree would leave every promotion after a workflow update with a tree staging
never tested. Leaving them out is sound because the key only picks which stg-built image prod
deploys, and that image is the one stg tested byte for byte, whatever it holds (a `COPY . .` build
holds the folder as stg's commit had it). What the workflow text decides, the build and the deploy
commands, comes from the branch that runs it: stg built with staging's workflow, prod runs main's,
which main's ruleset reviews. So a workflow change merged into main alone is not tested on stg
first: the next promotion runs prod's job with it.
"""

from __future__ import annotations

import names
from delivery.policies import KEEP_DEPLOYED_IMAGES

PROMOTED_OUTPUT = "image-uri"
"""Output of prod's promotion step: the tested image in prod's registry, by digest."""
REPLICATION_WAIT_SECONDS = 30 * 60
"""How long prod waits for the tested digest to replicate (the ECR user guide does not bound
replication time; it is asynchronous and only copies pushes made after it is configured)."""
_POLL_SECONDS = 30
WORKFLOWS_FOLDER = names.WORKFLOWS_FOLDER.rstrip("/")
"""Left out of the source tree: the generated workflows, which every landing-zone update commits."""
TESTED_TAG = f"{names.TESTED_IMAGE_TAG_PREFIX}$tree"
"""The tested tag, in the shell of the steps that set `tree` with `source_tree()`."""
DEPLOYED_TAG = f"{names.DEPLOYED_IMAGE_TAG_PREFIX}$GITHUB_RUN_ID"
"""Prod's tag of what it deploys. The run id stays the same when a failed job is re-run (GitHub docs,
"Variables reference": GITHUB_RUN_ID "does not change if you re-run the workflow run"), so a re-run
finds its own tag on the same digest and passes; a new run gets a new tag."""
ACCEPTED_MEDIA_TYPES = (
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
)
"""What BatchGetImage may return as is (`acceptedMediaTypes`, botocore's ecr 2015-09-21 model): the
single-image and multi-platform manifests of Docker and OCI. Without it ECR may hand back a converted
manifest, whose digest differs, and PutImage's `--image-digest` check then refuses the retag."""

# A re-run of a deploy whose image was pushed already would fail on the repository's immutable tags.
PUSH_ONCE = """if aws ecr describe-images --repository-name "$ECR_REPOSITORY" --image-ids imageTag="$GITHUB_SHA" > /dev/null 2>&1; then
  echo "$IMAGE_URI was pushed by an earlier attempt of this commit: not pushed again"
else
  docker build --tag "$IMAGE_URI" .
  docker push "$IMAGE_URI"
fi"""


def source_tree() -> str:
    """Shell setting `tree` to the hash of HEAD's tree without the workflows folder.

    Git plumbing on a scratch index (GIT_INDEX_FILE), so neither the checkout nor its index changes:
    `read-tree` loads HEAD's tree, `rm --cached` drops the folder, `write-tree` hashes the rest. A
    tree's hash depends on its content only (a folder left empty disappears), so stg's mark step and
    prod's lookup compute the same value for the same files, and a commit without the folder hashes
    like one with it.
    """
    return f"""index="$(mktemp -d)/index"
GIT_INDEX_FILE="$index" git read-tree HEAD
GIT_INDEX_FILE="$index" git rm -r -q --cached --ignore-unmatch -- {WORKFLOWS_FOLDER}
tree="$(GIT_INDEX_FILE="$index" git write-tree)"
"""


def tag_once(tag: str, conflict: str) -> str:
    """Shell giving the image `$digest` of `$ECR_REPOSITORY` the tag `tag`, once.

    The ECR user guide's retag ("Retagging an image with the AWS CLI"): the manifest put again under
    a second tag, read and written byte for byte (one BatchGetImage call for manifest and media type,
    the manifest through a file so no shell strips a byte; BatchGetImage answers an image it cannot
    return (ImageNotFound, ImageInaccessible...) in `failures` with exit code 0, so a missing manifest
    stops the step rather than putting `null`), and `--image-digest` makes ECR refuse a
    manifest that is not the tagged image's. Tags are immutable, so a tag that exists already is
    compared instead: on `$digest` (a re-run) it passes, on another digest it stops with `conflict`.
    """
    media_types = " ".join(ACCEPTED_MEDIA_TYPES)
    return f"""if tagged="$(aws ecr describe-images --repository-name "$ECR_REPOSITORY" --image-ids imageTag="{tag}" --query 'imageDetails[0].imageDigest' --output text 2> /dev/null)"; then
  if [ "$tagged" != "$digest" ]; then
    echo "::error::{tag} is on $tagged already, not on this run's image $digest: {conflict}"
    exit 1
  fi
  echo "$digest is tagged {tag} already (an earlier attempt): not tagged again"
else
  image="$(mktemp)"
  aws ecr batch-get-image --repository-name "$ECR_REPOSITORY" --image-ids imageDigest="$digest" \\
    --accepted-media-types {media_types} --output json > "$image"
  if ! jq -e -j '.images[0].imageManifest' "$image" > "$image.manifest"; then
    echo "::error::ECR returned no manifest of $digest to tag {tag}: $(jq -c '.failures' "$image")"
    exit 1
  fi
  aws ecr put-image --repository-name "$ECR_REPOSITORY" --image-tag "{tag}" --image-digest "$digest" \\
    --image-manifest "file://$image.manifest" --image-manifest-media-type "$(jq -r '.images[0].imageManifestMediaType' "$image")" > /dev/null
  echo "$digest tagged {tag}"
fi
"""


MARK_TESTED = (
    source_tree()
    + 'digest="$(aws ecr describe-images --repository-name "$ECR_REPOSITORY" --image-ids imageTag="$GITHUB_SHA" '
    + "--query 'imageDetails[0].imageDigest' --output text)\"\n"
    + tag_once(
        TESTED_TAG,
        "an image was marked tested for this source tree before and prod deploys that one. Either the same tree was "
        "built again (a revert, a build that is not reproducible) or something else pushed the tag; both stop here. "
        "Compare the two images; to release this build, commit a change to the tree",
    )
    + f'echo "$digest ($IMAGE_URI) is the tested image of source tree $tree (the commit\'s tree without {WORKFLOWS_FOLDER})"'
)
"""Staging's step after its tests: this commit's image becomes the tested image of its source tree."""


# Before prod tags `$digest`: prod's lifecycle keeps only the last KEEP_DEPLOYED_IMAGES images tagged
# `deployed-*` by push time (delivery/policies.py, rule 1), so an older image (a revert to a tree
# staging tested long ago) would be expired once deployed and the service could not pull it again.
# Fails closed: a failed listing stops the step (bash -e), and a count jq cannot give is not below the
# limit, nor is the count of a listing jq cannot read. Push times: AWS CLI v2 prints them as ISO
# 8601 in the local zone (TZ=UTC pins it), with a fraction only when there is one, and as epoch
# seconds where `cli_timestamp_format = wire` (v1's default `none` too: "Common parameter types
# in the AWS CLI", Timestamp). Both are read, fractions kept so that pushes within one second keep
# their order (fromdateiso8601 takes neither a fraction nor an offset); any other text stops the step.
KEPT_ONCE_DEPLOYED = f"""images="$(mktemp)"
TZ=UTC aws ecr describe-images --repository-name "$ECR_REPOSITORY" --output json > "$images"
newer="$(jq --arg digest "$digest" --arg prefix "{names.DEPLOYED_IMAGE_TAG_PREFIX}" '
  def pushed: .imagePushedAt | if type == "number" then . else
    (capture("^(?<s>[0-9-]+T[0-9:]+)(?:[.](?<f>[0-9]+))?(?:[+]00:00|Z)$") // error("unreadable push time: \\(.)"))
    | ("\\(.s)Z" | fromdateiso8601) + ("0.\\(.f // "0")" | tonumber) end;
  (first(.imageDetails[] | select(.imageDigest == $digest)) // error("\\($digest) is not in the listing") | pushed) as $at
  | [.imageDetails[] | select(.imageDigest != $digest and any(.imageTags[]?; startswith($prefix)) and pushed > $at)]
  | length' "$images")" || newer=""
if [ -z "$newer" ]; then
  echo "::error::prod could not compare the push times of the images in its repository $ECR_REPOSITORY (jq's words above), so it cannot tell whether its lifecycle policy would keep $digest once deployed, and tags nothing"
  exit 1
fi
if ! [ "$newer" -lt {KEEP_DEPLOYED_IMAGES} ] 2> /dev/null; then
  echo "::error::$digest was pushed before the last {KEEP_DEPLOYED_IMAGES} images prod deployed ($newer newer): prod's lifecycle policy keeps only those, so it would expire this image once deployed. Commit a change to the tree so that staging builds and tests a new image, and deploy that"
  exit 1
fi
"""


def promote(staging_environment: str) -> str:
    """Prod's step: find the digest staging tested for this source tree, wait for it here, tag it, output it by digest."""
    attempts = REPLICATION_WAIT_SECONDS // _POLL_SECONDS
    not_tested = (
        f"no image of source tree $tree (this commit's tree without {WORKFLOWS_FOLDER}) passed the tests on {staging_environment}: "
        f"prod runs only what {staging_environment} tested; merge exactly what {staging_environment} tested, with no other change on the way"
    )
    return (
        source_tree()
        + f"""if ! digest="$(aws ecr describe-images --registry-id "$STAGING_ACCOUNT_ID" --repository-name "$ECR_REPOSITORY" --image-ids imageTag="{TESTED_TAG}" --query 'imageDetails[0].imageDigest' --output text)"; then
  echo "::error::{not_tested}"
  exit 1
fi
attempt=1
until aws ecr describe-images --repository-name "$ECR_REPOSITORY" --image-ids imageDigest="$digest" > /dev/null 2>&1; do
  if [ "$attempt" -ge {attempts} ]; then
    echo "::error::$digest passed {staging_environment} but has not replicated to this registry within {REPLICATION_WAIT_SECONDS // 60} minutes"
    exit 1
  fi
  echo "waiting for $digest to replicate from {staging_environment} ($attempt/{attempts})"
  attempt=$((attempt + 1))
  sleep {_POLL_SECONDS}
done
"""
        + KEPT_ONCE_DEPLOYED
        + tag_once(
            DEPLOYED_TAG,
            "only this run tags its run id, so something else pushed that tag (replication copies every tag of the staging "
            "repository here); find what pushed it before deploying again",
        )
        + f"""echo "{PROMOTED_OUTPUT}=$REGISTRY/$ECR_REPOSITORY@$digest" >> "$GITHUB_OUTPUT"
echo "deploying $digest, the image {staging_environment} tested for source tree $tree\""""
    )
