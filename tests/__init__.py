import sys

# Compiled modules kept in __pycache__/ (git-ignored), as Python does unless told not to. pytest imports
# this package before conftest.py and every test module: where the environment says not to write
# bytecode (PYTHONDONTWRITEBYTECODE, set on the machine these tests are timed on, as in many container
# images), each worker compiled the project's modules and pytest rewrote every test module again in
# every run: a worker's collection took 5.1-5.8 s of CPU, 2.0-2.2 s with them kept. The CLI processes
# the tests start read what is kept (and write nothing themselves).
sys.dont_write_bytecode = False
