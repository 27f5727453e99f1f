"""Opening an AWS SDK session: the one place lzctl (and its tests) make a `boto3.Session`.

Every session shares one botocore `Loader` per `data_path`, so each service's JSON model, endpoint
rule set, `endpoints.json`, `partitions.json` and `sdk-default-configuration.json` is read and parsed
once per process. A botocore session otherwise creates a Loader of its own on first use
(botocore 1.44.8 session.py, `_register_data_loader`: `create_loader(self.get_config_variable('data_path'))`)
and its results live in that instance only (loaders.py, `instance_cache`: "Cache the result of a
method on a per instance basis", a dict on the Loader keyed by the method's name and arguments), so
the doctor, which opens a session in every member account it reads, parsed IAM's 0.8 MB model and the
endpoint data again for each account, and left each copy to the garbage collector's full sweeps.
Sharing a Loader through `Session.register_component("data_loader", ...)` is what botocore's own
test suite does "so that we reused the same models across tests" (boto/botocore tests/__init__.py,
`create_session`), and the Elastic Beanstalk CLI for its sessions (aws/aws-elastic-beanstalk-cli
ebcli/lib/aws.py, `_get_botocore_session`). A cached model is written only while it is first loaded:
`load_service_model` merges the `sdk-extras` (53 paginators and 6 service models in botocore 1.44.8)
into the dict `load_data` has already cached, and `deep_merge` sets keys to the extras' values, so a
second merge (another `api_version` spelling, another thread) writes the same values again.
`Session.get_service_data` hands the cached dict to `service-data-loaded.<service>` handlers, which
could change it for every session; none is registered in botocore, boto3, moto 5.2.5 or lzctl, and
clients load their model through `ClientCreator._load_service_model`, which emits no event. A
session's clients already share the models this way.

Threads: lzctl reads accounts one after another (no thread, pool or asyncio around boto3 in lzctl/);
were sessions opened from several threads (each its own: "Session objects are not thread safe and
should not be shared across threads", boto3 guide "Session", "Multithreading or multiprocessing with
sessions"), `instance_cache` would stay correct: a read is a dict lookup and a miss stores a
complete value (two threads may both parse a file, and the second value wins), both atomic under the
GIL, and two threads merging a model's extras write the same values. Our fix-up of `search_paths`
below runs under a lock among the sessions opened here; a look-up walking the list meanwhile may
search boto3's folder twice, nothing worse.
"""

from __future__ import annotations

import functools
import os
import threading
from typing import Mapping, Optional

import boto3
import boto3.session
import botocore.loaders
import botocore.session

BOTO3_DATA = os.path.join(os.path.dirname(boto3.session.__file__), "data")
"""The folder of boto3's resource models, which every `boto3.Session` appends to its Loader's
`search_paths` (boto3 session.py, `_setup_loader`), whether or not the Loader already has it."""

_SEARCH_PATHS = threading.Lock()


@functools.cache
def shared_loader(data_path: Optional[str]) -> botocore.loaders.Loader:
    """The process's Loader for `data_path` (the `data_path` config value, `AWS_DATA_PATH`: extra
    folders searched ahead of botocore's own models), made as botocore makes a session's own."""
    return botocore.loaders.create_loader(data_path)


def sdk_session(
    core: Optional[botocore.session.Session] = None, region: Optional[str] = None, credentials: Optional[Mapping[str, str]] = None
) -> boto3.Session:
    """A boto3 session over `core` (a botocore session; by default one for the default profile, as
    `boto3.Session()` makes), in `region` if given, signing with `credentials` if given (STS's shape:
    AccessKeyId, SecretAccessKey, SessionToken optional), with the process's shared Loader.

    Profile, credential and region resolution are boto3's own: the arguments go to `boto3.Session`
    unchanged. Reading `data_path` reads the profile's config unless AWS_DATA_PATH is set, so a
    profile that does not exist may raise ProfileNotFound here, as `boto3.Session(profile_name=...)`
    may: `migrate.open_session` checks it first."""
    core = core or botocore.session.Session()
    loader = shared_loader(core.get_config_variable("data_path"))
    core.register_component("data_loader", loader)
    keys = credentials or {}
    with _SEARCH_PATHS:
        session = boto3.Session(
            botocore_session=core,
            region_name=region,
            aws_access_key_id=keys.get("AccessKeyId"),
            aws_secret_access_key=keys.get("SecretAccessKey"),
            aws_session_token=keys.get("SessionToken"),
        )
        # boto3 has just appended BOTO3_DATA; keep it once, or the shared list grows by one entry per
        # session and every uncached look-up (`_potential_locations`) walks them all.
        paths = loader.search_paths
        if paths.index(BOTO3_DATA) < len(paths) - 1:
            paths.pop()
    return session
