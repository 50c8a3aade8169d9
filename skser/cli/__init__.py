"""The ``skser`` command line: train, evaluate, predict, demo.

    skser demo                                   # the main job, a few minutes
    skser train DATA --corpus ravdess --kind 2d  # fit, report on held-out speakers, save
    skser evaluate DATA --corpus emodb --folds 5 # speaker-grouped cross-validation
    skser predict MODEL FILE [FILE ...]          # label and probabilities per file

Without DATA, ``train`` and ``evaluate`` use the built-in synthetic demo
corpus. Results (reports, plots, models) go to ``--out`` (default
``skser-results``). Errors are printed as one line; ``--traceback`` shows the
whole story.
"""

import signal
import sys
import threading

from ._common import CLIError, _quiet_third_parties
from .parser import _build_parser

__all__ = ["main"]


def main(argv=None):
    """Run the command line; returns the exit status.

    Parameters
    ----------
    argv : list of str or None, default=None
        Arguments without the program name; None reads ``sys.argv``.

    Returns
    -------
    status : int
        0 on success, 1 on an error, 2 on a usage error, 130 when interrupted.
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "recipe", None) == "pretrained":
        given = [name for name, value in (("--kind", args.kind), ("--model", args.model),
                                          ("--epochs", args.epochs))
                 if value is not None]
        given += [name for name, value in (("--no-robust", args.no_robust),
                                           ("--robust", args.robust),
                                           ("--no-augment", args.no_augment),
                                           ("--speaker-normalize", args.speaker_normalize),
                                           ("--narrowband-expert", args.narrowband_expert))
                  if value]
        if given:
            print(f"skser {args.command}: error: --recipe pretrained is the pretrained "
                  f"model's own recipe (the default ensemble, adapting per DATA "
                  f"folder); drop {', '.join(given)}.", file=sys.stderr)
            return 2
        args.kind = "ensemble"
    if getattr(args, "command", None) in ("train", "evaluate", "demo") and args.kind is None:
        # train, evaluate and the demo use make_ser_pipeline's default, the
        # ensemble: the best row over both corpora in docs/results.md.
        args.kind = "ensemble"
    if getattr(args, "kind", None) == "stats" and (args.model, args.epochs) != (None, None):
        print(f"skser {args.command}: error: --model and --epochs apply to the CNN kinds "
              "(--kind 2d or 1d); --kind stats trains a logistic regression on pooled "
              "feature statistics.", file=sys.stderr)
        return 2
    if getattr(args, "kind", None) in ("sequence", "ensemble") and args.model is not None:
        print(f"skser {args.command}: error: --model picks a CNN of --kind 2d or 1d; --kind "
              f"{args.kind} trains the attention-GRU network.", file=sys.stderr)
        return 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    _quiet_third_parties()
    sigint = _SigintRecorder()
    try:
        with sigint:
            args.func(args)
    except KeyboardInterrupt:
        print("skser: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if sigint.received:
            # Ctrl-C, reported as another error: TensorFlow turns a
            # KeyboardInterrupt raised while it traces a function into one.
            print("skser: interrupted", file=sys.stderr)
            return 130
        if isinstance(exc, CLIError):
            print(f"skser {args.command}: error: {exc}", file=sys.stderr)
            return 2
        if not isinstance(exc, (ValueError, TypeError, OSError, KeyError)) or args.traceback:
            raise
        message = str(exc).strip().replace("\n", " ") or type(exc).__name__
        print(f"skser {args.command}: error: {message}", file=sys.stderr)
        return 1
    finally:
        if getattr(args, "_tmp", None) is not None:
            args._tmp.cleanup()
    # 1 when a command did its work but some of it failed (skser predict on
    # files it could not read).
    return getattr(args, "_status", 0)


class _SigintRecorder:
    """While active, SIGINT (Ctrl-C) is recorded in ``received`` and then
    raises `KeyboardInterrupt`, as Python's own handler does.

    The record outlives the exception: a library that catches the
    KeyboardInterrupt and raises something else in its place still leaves
    ``received`` set, so `main` can tell an interruption from an error.
    Installed only over Python's default handler, in the main thread: a
    SIGINT that the parent process ignores (a background job) or an
    application's own handler is left alone.
    """

    def __init__(self):
        self.received = False
        self._previous = None

    def _handle(self, signum, frame):
        self.received = True
        raise KeyboardInterrupt

    def __enter__(self):
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc_info):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None
        return False
