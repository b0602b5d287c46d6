"""The command line. `main` is the `pencilnet` command; it lives here, in a module that imports
nothing, so that Ctrl-C while the rest loads (the first tens of milliseconds) ends as it does in
a command: one line and exit code 130, not a traceback."""

import sys


def main():
    try:
        if sys.stderr is None:  # started with descriptor 2 closed: messages have nowhere to go
            sys.stderr = open("/dev/null", "w")  # noqa: SIM115 (for the life of the process)
        if sys.stdout is None:  # descriptor 1 closed: writing the output fails, as on a full disk
            sys.stdout = _Closed()
        from pencilnet.cli.app import app

        app()
    except KeyboardInterrupt:
        print("pencilnet: interrupted", file=sys.stderr)
        sys.exit(130)


class _Closed:
    """Standard output when the process was started without one."""

    def write(self, text):
        raise OSError(9, "standard output is closed")

    def flush(self):
        pass

    def isatty(self):
        return False
