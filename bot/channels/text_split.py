"""Long replies cut into messages a platform accepts, at line ends where possible."""

from __future__ import annotations

from collections.abc import Callable, Iterator

Size = Callable[[str], int]


def utf8_size(text: str) -> int:
    """WeChat and WeCom count their limits in UTF-8 bytes: a Chinese character is three."""
    return len(text.encode())


def split_text(text: str, limit: int, size: Size = len) -> list[str]:
    """Cut at line ends where possible, so no line of an order listing is split between messages.

    `size` must add up over characters (characters, UTF-8 bytes), so a line too long on its own can be
    cut between any two characters.
    """
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        for piece in _pieces(line, limit, size):
            candidate = f"{current}\n{piece}" if current else piece
            if current and size(candidate) > limit:
                chunks.append(current)
                candidate = piece
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks


def _pieces(line: str, limit: int, size: Size) -> Iterator[str]:
    if size(line) <= limit:
        yield line
        return
    start, used = 0, 0
    for index, char in enumerate(line):
        width = size(char)
        if used + width > limit:
            yield line[start:index]
            start, used = index, 0
        used += width
    yield line[start:]
