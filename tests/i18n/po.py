"""Reading and writing gettext catalogues for the language tests, without extra packages.

`read_po` parses a .po file into `Entry`s (context, msgid, plural, msgstrs, flags); `write_mo` writes
a binary .mo file Python's `gettext` (and so Django) reads, which lets a test build a catalogue of its
own, such as the pseudo-locale that wraps every translated string.
"""

from __future__ import annotations

import ast
import struct
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr)

    def __str__(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"{context}{self.msgid!r}"


def _unquote(text: str) -> str:
    return ast.literal_eval(text.strip()) if text.strip() else ""


def read_po(path: Path) -> list[Entry]:
    """Every active entry of the catalogue (obsolete `#~` entries left out), header excluded."""
    entries: list[Entry] = []
    current: dict = {}
    flags: set[str] = set()
    last: tuple[str, int | None] | None = None

    def flush() -> None:
        nonlocal current, flags, last
        if "msgid" in current:
            strs = current.get("msgstr", {})
            entry = Entry(
                msgid=current["msgid"],
                msgctxt=current.get("msgctxt"),
                msgid_plural=current.get("msgid_plural"),
                msgstr=[strs[i] for i in sorted(strs)],
                flags=flags,
            )
            if entry.msgid or entry.msgctxt:
                entries.append(entry)
        current, flags, last = {}, set(), None

    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if "msgid" in current:
                flush()
            flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            if "msgid" in current and "msgstr" in current:
                flush()
            continue
        if line.startswith('"'):
            if last is None:
                continue
            name, index = last
            if index is None:
                current[name] += _unquote(line)
            else:
                current[name][index] += _unquote(line)
            continue
        keyword, _, value = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and "msgstr" in current:
            flush()
        if keyword.startswith("msgstr["):
            index = int(keyword[7:-1])
            current.setdefault("msgstr", {})[index] = _unquote(value)
            last = ("msgstr", index)
        elif keyword == "msgstr":
            current.setdefault("msgstr", {})[0] = _unquote(value)
            last = ("msgstr", 0)
        else:
            current[keyword] = _unquote(value)
            last = (keyword, None)
    flush()
    return entries


HEADER = "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n != 1);\n"


def write_mo(path: Path, entries: list[Entry]) -> None:
    """A .mo file holding `entries` (each with as many msgstrs as its plural forms need)."""
    pairs: dict[bytes, bytes] = {b"": HEADER.encode()}
    for entry in entries:
        key = entry.msgid if entry.msgid_plural is None else f"{entry.msgid}\x00{entry.msgid_plural}"
        if entry.msgctxt is not None:
            key = f"{entry.msgctxt}\x04{key}"
        pairs[key.encode()] = "\x00".join(entry.msgstr).encode()
    keys = sorted(pairs)
    ids = b"".join(k + b"\x00" for k in keys)
    strs = b"".join(pairs[k] + b"\x00" for k in keys)
    start = 7 * 4 + 16 * len(keys)
    key_table, value_table = [], []
    offset = 0
    for k in keys:
        key_table += [len(k), start + offset]
        offset += len(k) + 1
    offset = 0
    for k in keys:
        value_table += [len(pairs[k]), start + len(ids) + offset]
        offset += len(pairs[k]) + 1
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    data = header + struct.pack(f"{len(key_table)}i", *key_table) + struct.pack(f"{len(value_table)}i", *value_table)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(data + ids + strs)
