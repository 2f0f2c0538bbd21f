"""torchrun, ending quietly on Ctrl-C: ``python -m aiglossary_engine.launch [torchrun options] -m aiglossary_engine ...``.

torchrun answers the SIGINT of a Ctrl-C by stopping its workers and then raising ``SignalException``
in its own process, which prints a 20-line traceback after the engine's message (rank 0 says which
checkpoint was saved and how to ``--resume``). This module runs torchrun's own ``main`` with the same
arguments and turns only that exception into exit code 130, as a shell reports a Ctrl-C.
"""

from __future__ import annotations

import signal
import sys


def main() -> None:
    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.run import main as torchrun

    try:
        torchrun()
    except SignalException as exc:
        if exc.sigval != signal.SIGINT:
            raise
        sys.exit(130)
    except KeyboardInterrupt:  # Ctrl-C before torchrun installed its handler
        sys.exit(130)


if __name__ == "__main__":
    main()
