"""Writing files so that an interruption never leaves half of one."""

import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write"]


def atomic_write(path, write):
    """Call ``write(tmp_path)``, then rename the temporary file onto ``path``.

    The temporary file sits in the same folder, so the rename is atomic: a
    reader (or a later run) sees the old file or the whole new one, never a
    part. On any exception, KeyboardInterrupt included, the temporary file
    is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or os.PathLike
        Final location; its folder must exist.
    write : callable
        Called with the temporary path (a str) to write the content.

    Returns
    -------
    path : pathlib.Path
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        # On disk before the rename: a crash right after it must not leave a
        # complete name pointing to incomplete data.
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        # mkstemp creates the file readable by its owner only (0600); a
        # report or a model file gets the permissions any new file would,
        # those the umask leaves of 0666.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask():
    """The process's umask (reading it means setting it; set it back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
