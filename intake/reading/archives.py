"""Open a .zip attachment one level deep, after the zip-bomb pre-check."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import PurePosixPath, PureWindowsPath

from intake.reading.safety import DAMAGED, UnreadableFile, check_archive

# Files that archivers add beside the real ones; nobody attached them on purpose.
CLUTTER = frozenset({".ds_store", "thumbs.db", "desktop.ini"})


def expand_zip(filename: str, data: bytes) -> list[tuple[str, bytes]]:
    """The files in a zip as (name, bytes), names reduced to their last path element.

    Members that are zips themselves are returned as they are, not opened. Raises
    UnreadableFile when the archive fails the bomb pre-check, is damaged or is encrypted.
    """
    damaged = f"{filename} is not a readable zip file (it may be damaged)"
    try:
        with check_archive(data) as archive:
            entries = [entry for entry in archive.infolist() if _is_wanted(entry)]
            if any(entry.flag_bits & 0x1 for entry in entries):
                raise UnreadableFile(
                    f"{filename} is password-protected; please send the files without a password"
                )
            return [(_safe_name(entry.filename), _read(archive, entry, filename)) for entry in entries]
    except UnreadableFile as error:
        if error.reason == DAMAGED:  # check_archive speaks of spreadsheets
            raise UnreadableFile(damaged) from error
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        raise UnreadableFile(damaged) from error


def _is_wanted(entry: zipfile.ZipInfo) -> bool:
    name = entry.filename.replace("\\", "/")
    base = name.rsplit("/", 1)[-1]
    return not (
        entry.is_dir()
        or name.startswith("__MACOSX/")
        or base.startswith("._")
        or base.lower() in CLUTTER
        or not base
    )


def _safe_name(name: str) -> str:
    # '../../etc/passwd' or 'C:\\x\\y.xlsx' become 'passwd' and 'y.xlsx': no member names a path.
    return PureWindowsPath(PurePosixPath(name).name).name or "unnamed"


def _read(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, filename: str) -> bytes:
    try:
        return archive.read(entry)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise UnreadableFile(f"{_safe_name(entry.filename)} inside {filename} is damaged") from error
    except NotImplementedError as error:
        raise UnreadableFile(
            f"{filename} uses a compression method that cannot be opened; please zip it again "
            "with ordinary settings"
        ) from error
    except RuntimeError as error:  # zipfile's word for an encrypted member
        raise UnreadableFile(f"{filename} is password-protected; please send the files without a password") from error
