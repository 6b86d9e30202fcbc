"""SHA256SUMS as coreutils writes and reads it."""

from __future__ import annotations

import pytest

from seffaf.evidence.sums import SumLine, SumsError, format_sums, parse_sums

A, B = "a" * 64, "0123456789abcdef" * 4


def test_written_lines_are_sorted_two_space_text_mode() -> None:
    data = format_sums([SumLine(B, "sessions/x/clip.mp4"), SumLine(A, "README.txt")])
    assert data == f"{A}  README.txt\n{B}  sessions/x/clip.mp4\n".encode()
    assert parse_sums(data) == {"README.txt": A, "sessions/x/clip.mp4": B}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {}),
        (f"{A}  a b.txt\n", {"a b.txt": A}),  # spaces inside a path are the path's
        (f"{A} *bin.mp4\n", {"bin.mp4": A}),  # binary mode, as `sha256sum -b` writes
        (f"{A.upper()}  up.txt\n", {"up.txt": A}),
    ],
)
def test_parse_accepts(text: str, expected: dict[str, str]) -> None:
    assert parse_sums(text.encode()) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"{A}  x.txt", "does not end in a newline"),
        (f"{A[:-1]}  x.txt\n", "line 1"),
        (f"{A} x.txt\n", "line 1"),
        (f"{A}  x.txt\n{A}  x.txt\n", "line 2: 'x.txt' listed twice"),
        (f"{A}  ../etc/passwd\n", "relative to the package root"),
        (f"{A}  /abs\n", "relative to the package root"),
        (f"{A}  x.txt\r\n", "line 1"),  # a carriage return would become part of the path: refuse it
        ("\n", "line 1"),
    ],
)
def test_parse_rejects_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(SumsError, match=message.replace("(", r"\(")):
        parse_sums(text.encode())


def test_non_utf8_is_rejected() -> None:
    with pytest.raises(SumsError, match="UTF-8"):
        parse_sums(b"\xff\xfe\n")


@pytest.mark.parametrize("path", ["../x", "a/./b", "/x", "a\\b"])
def test_writer_refuses_unsafe_paths(path: str) -> None:
    with pytest.raises(SumsError):
        format_sums([SumLine(A, path)])
