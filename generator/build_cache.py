"""Files the build makes slowly (with Node and Pyodide) kept in .nenguide-cache/ under the
hash of everything they are made from, so a build makes each only once."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterable


def files_digest(paths: Iterable[Path]) -> str:
    """The sha256 of these files' names and bytes, in order."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def cached(cache_dir: Path, name: str, make: Callable[[Path], None]) -> Path:
    """cache_dir/name, made by make(path) when it is not there yet. It is made beside its final
    name and renamed: a build killed half-way, or two builds at once, never leave a partial
    file under the final name, and a failed make leaves nothing."""
    target = cache_dir / name
    if not target.is_file():
        cache_dir.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(prefix=".partial-", suffix=target.suffix,
                                           dir=cache_dir)
        os.close(handle)
        try:
            make(Path(partial))
            os.replace(partial, target)
        finally:
            Path(partial).unlink(missing_ok=True)
    return target
