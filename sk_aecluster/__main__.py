"""``python -m sk_aecluster``: the ``sk-aecluster`` command."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
