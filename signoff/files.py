"""Writing files that other processes read: the one atomic writer of the kit.

Reports, records and state files are read while a run may still be writing them (a report build,
another xdist worker, a CI job publishing a folder). :func:`write_atomically` never lets a reader
see half a file, and gives the file ordinary permissions (what the umask allows, like ``open``),
not the private 0600 that :func:`tempfile.mkstemp` leaves: a report published from a CI job or a
shared folder must be readable by others.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

#: Permissions of a new file before the umask, as :func:`open` gives them.
_ORDINARY_MODE = 0o666


def _umask() -> int:
    # os.umask can only be read by setting it; set it back at once.
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` (text is UTF-8 with ``\\n`` line ends) to ``path`` in one step; return the path.

    The parent folder is created when missing. On any failure the temporary file is removed and
    the previous content of ``path``, if any, is left as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, _ORDINARY_MODE & ~_umask())
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
