"""``python -m sk_aecluster``: the ``sk-aecluster`` command."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
