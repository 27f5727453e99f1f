import gc

# Off before the imports, as for the rest of the process: see `run` in lzctl/cli.py.
gc.disable()

from lzctl.cli import run  # noqa: E402

run()
