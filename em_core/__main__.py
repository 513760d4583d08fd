"""``python -m em_core``: see :mod:`em_core.cli`."""

import sys

from em_core.cli import main

if __name__ == "__main__":
    sys.exit(main())
