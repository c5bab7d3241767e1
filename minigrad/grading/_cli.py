"""What the three commands share: the error they report in one line, and how they exit on it."""
import sys

# The third-party libraries the commands need, with the extra that installs them.
_INSTALL_HINT = "install them with: pip install -e '.[grading]'"


class GradingError(Exception):
    """Bad input (a missing file, an invalid notebook): reported in one line, exit code 2."""


def run(main, argv=None):
    """Call ``main(argv)``; turn a GradingError or a missing dependency into one line and exit 2."""
    try:
        code = main(argv)
    except GradingError as e:
        print(f"error: {e}", file=sys.stderr)
        code = 2
    except ModuleNotFoundError as e:
        # Only the Jupyter libraries are imported late; anything else missing is a real bug.
        if e.name is None or e.name.split(".")[0] not in {"nbformat", "jupyter_client", "zmq",
                                                          "ipykernel"}:
            raise
        print(f"error: the grading commands need {e.name}; {_INSTALL_HINT}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        code = 130
    return code


def exit_with(main):
    """Entry point of a console script: run ``main`` on sys.argv and exit with its code."""
    sys.exit(run(main))
