from lzctl.cli import run

run()
