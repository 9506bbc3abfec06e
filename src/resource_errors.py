"""The server's own resources failing (its disk full, its memory exhausted): domain errors like any other, so
an upload, a direct race and a race job tell the person the same thing, and none blames their file.

Libraries report a full disk in their own ways: an OSError with ENOSPC or EDQUOT, or their own exception
(DuckDB's IOException) carrying the system's words for it. Both are recognised here.
"""
from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator

from src.domain_error import DomainError

NO_SPACE_WORDS = ("No space left on device", "Disk quota exceeded")


class ServerOutOfSpace(DomainError):
    def __init__(self) -> None:
        super().__init__("The server is out of disk space right now; your file is fine. Try again in a few minutes.")


class ServerOutOfMemory(DomainError):
    def __init__(self) -> None:
        super().__init__("The server ran out of memory for this request; your file is fine. Ask for a smaller "
                         "picture or fewer frames, or try again in a few minutes.")


def is_out_of_space(error: BaseException) -> bool:
    """Whether the error says the disk (or the disk quota) is full, in the system's code or its words."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return any(words in str(error) for words in NO_SPACE_WORDS)


@contextlib.contextmanager
def server_resources() -> Iterator[None]:
    """Turn a full disk and an exhausted memory met in the block into ServerOutOfSpace and ServerOutOfMemory;
    the domain's own errors and everything else pass unchanged."""
    try:
        yield
    except DomainError:
        raise
    except MemoryError as error:
        raise ServerOutOfMemory from error
    except Exception as error:
        if is_out_of_space(error):
            raise ServerOutOfSpace from error
        raise
