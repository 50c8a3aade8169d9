"""The one place skser imports TensorFlow: quietly, unless the user asks.

TensorFlow >= 2.18 prints start-up lines through absl while it is imported
("WARNING: All log messages before absl::InitializeLog() ...", oneDNN and
CUDA notices), before any log level applies, and later C++ lines such as
``E0000 ... failed call to cuInit`` on a machine without a GPU. None of them
is the user's business when skser is what imports TensorFlow. Every skser
path that may import it first (the Keras side of `CNNClassifier`, the
network builders, `load_model` of a file holding a network, the command
line) calls `import_tensorflow` first.

The user stays in charge:

- ``SKSER_TF_LOGS=1`` in the environment: TensorFlow is imported as it is,
  every line shows.
- TensorFlow imported before skser imports it: nothing is changed.
- ``TF_CPP_MIN_LOG_LEVEL`` set by the user: kept as it is (it decides which
  of TensorFlow's later C++ lines show); unset, skser sets it to ``"3"``
  (TensorFlow caches the level when it is imported, so it is set for good).

This module imports nothing heavy: the command line imports it at start-up.
"""

import os
import sys
import tempfile
import threading

__all__ = ["import_tensorflow"]

#: Environment variable that lets TensorFlow's own output through.
LOGS_VARIABLE = "SKSER_TF_LOGS"

_lock = threading.Lock()


def import_tensorflow():
    """Import TensorFlow (if not yet imported) without its start-up output.

    File descriptor 2 goes to a temporary file during the import, since the
    start-up lines are written by C++ code, past `sys.stderr`. What was
    written there is shown again if the import fails, so a real error is
    never hidden; on success it is dropped, with anything else written to
    stderr in those seconds (by other threads, say).

    Returns
    -------
    tensorflow : module
    """
    with _lock:
        if "tensorflow" in sys.modules or os.environ.get(LOGS_VARIABLE, "0") not in ("", "0"):
            import tensorflow

            return tensorflow
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError, AttributeError):
            # No file descriptor 2 (a closed or replaced stderr): nothing to hide.
            import tensorflow

            return tensorflow
        try:
            with tempfile.TemporaryFile(mode="w+b") as captured:
                os.dup2(captured.fileno(), 2)
                try:
                    import tensorflow
                except BaseException:
                    os.dup2(saved, 2)
                    captured.seek(0)
                    sys.stderr.write(captured.read().decode(errors="replace"))
                    sys.stderr.flush()
                    raise
                finally:
                    os.dup2(saved, 2)
        finally:
            os.close(saved)
        return tensorflow
