import sys

from lzctl.cli import main

sys.exit(main())
