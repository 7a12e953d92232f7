import sys

from bot.cli import main

# Guarded: the answer engine's worker process (spawn) imports this module again.
if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BrokenPipeError:  # `python -m bot ask … | head`: the reader left, nothing to report
        sys.stderr.close()
        raise SystemExit(0) from None
