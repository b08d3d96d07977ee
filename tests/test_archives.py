"""expand_zip opens one level, checks for bombs first, and never trusts member paths."""

from __future__ import annotations

import zipfile

import pytest

from intake.reading.archives import expand_zip
from intake.reading.sheets import UnreadableFile
from tests.test_reading import zipped


def test_members_come_back_with_their_bytes() -> None:
    data = zipped({"Kent/template.xlsx": b"sheet bytes", "letter.pdf": b"%PDF-1.4"})
    assert expand_zip("return.zip", data) == [("template.xlsx", b"sheet bytes"), ("letter.pdf", b"%PDF-1.4")]


def test_path_traversal_names_are_reduced_to_their_last_part() -> None:
    data = zipped({"../../etc/passwd": b"a", "C:\\Users\\x\\..\\letter.docx": b"b", "/abs/t.csv": b"c"})
    assert [name for name, _ in expand_zip("r.zip", data)] == ["passwd", "letter.docx", "t.csv"]


def test_folders_and_mac_clutter_are_left_out() -> None:
    data = zipped({"__MACOSX/._letter.pdf": b"x", "folder/": b"", "._t.xlsx": b"x",
                     ".DS_Store": b"x", "letter.pdf": b"%PDF"})
    assert expand_zip("r.zip", data) == [("letter.pdf", b"%PDF")]


def test_a_zip_inside_is_returned_unopened() -> None:
    inner = zipped({"deep.xlsx": b"deep"})
    assert expand_zip("outer.zip", zipped({"inner.zip": inner})) == [("inner.zip", inner)]


def test_a_zip_bomb_is_refused_before_anything_is_unpacked() -> None:
    bomb = zipped({"template.xlsx": b"\x00" * (20 << 20)})
    with pytest.raises(UnreadableFile, match="zip bomb"):
        expand_zip("bomb.zip", bomb)


def test_too_many_entries_are_refused() -> None:
    many = zipped({f"f{number}.txt": b"x" for number in range(1_001)}, zipfile.ZIP_STORED)
    with pytest.raises(UnreadableFile, match="1,001"):
        expand_zip("many.zip", many)


def test_encrypted_members_are_refused_with_a_reason() -> None:
    data = bytearray(zipped({"letter.pdf": b"%PDF-1.4 secret"}, zipfile.ZIP_STORED))
    # Set the "encrypted" flag bit in both the local and the central header, as zip tools do.
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + flag_offset
        data[at] |= 0x01
    with pytest.raises(UnreadableFile, match="password"):
        expand_zip("secret.zip", bytes(data))


def test_a_damaged_member_is_named() -> None:
    data = bytearray(zipped({"letter.txt": b"Dear colleagues " * 50}))
    start = data.index(b"letter.txt") + len(b"letter.txt")
    data[start + 5 : start + 25] = b"\xff" * 20
    with pytest.raises(UnreadableFile, match="letter.txt inside r.zip is damaged"):
        expand_zip("r.zip", bytes(data))


def test_not_a_zip_at_all() -> None:
    with pytest.raises(UnreadableFile, match="r.zip is not a readable zip file"):
        expand_zip("r.zip", b"PK\x03\x04 truncated")
