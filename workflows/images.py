"""Container images in the deploy workflows: built once per commit, tested on staging, promoted to prod by digest.

The staging environment (the one deployed just before prod) builds and pushes `<repo>:<commit>`; once
its integration and E2E tests pass, the same image gets a second tag, `tested-<git tree>`. Prod
builds nothing: its job reads, in the staging registry, the digest behind `tested-<its tree>`,
waits until ECR replication has copied that digest into its own registry, and deploys
`<repo>@sha256:...`. A merge of staging into main (merge commit, squash or rebase alike) has the
tree staging tested as long as main holds nothing staging lacks; anything else finds no tested
image and fails closed.
"""

from __future__ import annotations

TESTED_TAG_PREFIX = "tested-"
"""Tag prefix of an image whose tree passed the staging tests (followed by the git tree hash)."""
PROMOTED_OUTPUT = "image-uri"
"""Output of prod's promotion step: the tested image in prod's registry, by digest."""
REPLICATION_WAIT_SECONDS = 30 * 60
"""How long prod waits for the tested digest to replicate (the ECR user guide does not bound
replication time; it is asynchronous and only copies pushes made after it is configured)."""
_POLL_SECONDS = 30

# A re-run of a deploy whose image was pushed already would fail on the repository's immutable tags.
PUSH_ONCE = """if aws ecr describe-images --repository-name "$ECR_REPOSITORY" --image-ids imageTag="$GITHUB_SHA" > /dev/null 2>&1; then
  echo "$IMAGE_URI was pushed by an earlier attempt of this commit: not pushed again"
else
  docker build --tag "$IMAGE_URI" .
  docker push "$IMAGE_URI"
fi"""

# The ECR user guide's retag ("Retagging an image with the AWS CLI"): the manifest put again under a
# second tag. `--image-digest` makes ECR refuse a manifest that is not byte for byte the tested one.
MARK_TESTED = f"""tree="$(git rev-parse 'HEAD^{{tree}}')"
if aws ecr describe-images --repository-name "$ECR_REPOSITORY" --image-ids imageTag="{TESTED_TAG_PREFIX}$tree" > /dev/null 2>&1; then
  echo "an image of tree $tree is marked tested already: not marked again"
else
  digest="$(aws ecr describe-images --repository-name "$ECR_REPOSITORY" --image-ids imageTag="$GITHUB_SHA" --query 'imageDetails[0].imageDigest' --output text)"
  manifest="$(aws ecr batch-get-image --repository-name "$ECR_REPOSITORY" --image-ids imageDigest="$digest" --query 'images[0].imageManifest' --output text)"
  media_type="$(aws ecr batch-get-image --repository-name "$ECR_REPOSITORY" --image-ids imageDigest="$digest" --query 'images[0].imageManifestMediaType' --output text)"
  aws ecr put-image --repository-name "$ECR_REPOSITORY" --image-tag "{TESTED_TAG_PREFIX}$tree" --image-digest "$digest" \\
    --image-manifest "$manifest" --image-manifest-media-type "$media_type" > /dev/null
  echo "$digest ($IMAGE_URI) marked tested for tree $tree"
fi"""


def promote(staging_environment: str) -> str:
    """Prod's step: find the digest staging tested for this tree, wait for it here, output it by digest."""
    attempts = REPLICATION_WAIT_SECONDS // _POLL_SECONDS
    return f"""tree="$(git rev-parse 'HEAD^{{tree}}')"
if ! digest="$(aws ecr describe-images --registry-id "$STAGING_ACCOUNT_ID" --repository-name "$ECR_REPOSITORY" --image-ids imageTag="{TESTED_TAG_PREFIX}$tree" --query 'imageDetails[0].imageDigest' --output text)"; then
  echo "::error::no image of tree $tree passed the tests on {staging_environment}: prod runs only what {staging_environment} tested; merge exactly what {staging_environment} tested, with no other change on the way"
  exit 1
fi
for attempt in $(seq 1 {attempts}); do
  if aws ecr describe-images --repository-name "$ECR_REPOSITORY" --image-ids imageDigest="$digest" > /dev/null 2>&1; then
    echo "{PROMOTED_OUTPUT}=$REGISTRY/$ECR_REPOSITORY@$digest" >> "$GITHUB_OUTPUT"
    echo "deploying $digest, the image {staging_environment} tested for tree $tree"
    exit 0
  fi
  echo "waiting for $digest to replicate from {staging_environment} ($attempt/{attempts})"
  sleep {_POLL_SECONDS}
done
echo "::error::$digest passed {staging_environment} but has not replicated to this registry within {REPLICATION_WAIT_SECONDS // 60} minutes"
exit 1"""
