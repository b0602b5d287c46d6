"""The command line. `main` is the `pencilnet` command; it lives here, in a module that imports
nothing, so that Ctrl-C while the rest loads (the first tens of milliseconds) ends as it does in
a command: one line and exit code 130, not a traceback."""

import sys


def main():
    import signal

    # Until a command starts (`failures()` hands Ctrl-C back to Python), Ctrl-C ends the process
    # here: Click would turn it into "Aborted!" and exit code 1, which means "a check failed".
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, interrupted_while_starting)
    try:
        if sys.stderr is None:  # started with descriptor 2 closed: messages have nowhere to go
            sys.stderr = open("/dev/null", "w")  # noqa: SIM115 (for the life of the process)
        if sys.stdout is None:  # descriptor 1 closed: writing the output fails, as on a full disk
            sys.stdout = _Closed()
        from pencilnet.cli.app import run

        run()
    except KeyboardInterrupt:
        print("pencilnet: interrupted", file=sys.stderr)
        sys.exit(130)


def interrupted_while_starting(signum=None, frame=None):
    print("pencilnet: interrupted", file=sys.stderr)
    raise SystemExit(130)


class _Closed:
    """Standard output when the process was started without one."""

    def write(self, text):
        raise OSError(9, "standard output is closed")

    def flush(self):
        pass

    def isatty(self):
        return False
