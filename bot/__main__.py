import sys

from bot.cli import main

try:
    raise SystemExit(main())
except BrokenPipeError:  # `python -m bot ask … | head`: the reader left, nothing to report
    sys.stderr.close()
    raise SystemExit(0) from None
