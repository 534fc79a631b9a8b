"""Fill empty and fuzzy msgstr entries of a .po file from TSV files (a translator's aid).

    python scripts/po_fill.py dajia/locale/zh_Hans/LC_MESSAGES/django.po translations.tsv [more.tsv ...]
    python scripts/po_fill.py dajia/locale/zh_Hans/LC_MESSAGES/django.po --overwrite fixes.tsv
    python scripts/po_fill.py dajia/locale/en/LC_MESSAGES/django.po --identity
    python scripts/po_fill.py some/django.po --export [out.tsv]     # translated entries as TSV
    python scripts/po_fill.py some/django.po --missing [out.tsv]    # empty/fuzzy msgids as TSV

TSV format: one entry a line, ``msgid<TAB>msgstr``; for plural entries ``msgid<TAB>msgstr[0]<TAB>msgstr[1]...``
(a language with fewer forms takes the first ones; missing forms repeat the last one given). Inside a field
``\\n`` is a newline, ``\\t`` a tab and ``\\\\`` a backslash; a msgctxt is written before the msgid, separated
by ``\\x04`` (gettext's own convention). Lines starting with ``#`` and blank lines are ignored.

Fuzzy entries (msgmerge's guesses, often wrong for short labels) are reset and filled afresh; entries already
translated are left alone unless ``--overwrite`` is given. ``--identity`` makes every msgid its own translation
(the English catalogue: msgstr[0] = msgid, msgstr[1] = msgid_plural). A translation whose %-placeholders differ
from its msgid's is refused. Prints what is still untranslated and exits 1 if anything is.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")
_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
_NAMED = re.compile(r"%\(\w+\)[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def po_unescape(body: str) -> str:
    """The text of one quoted PO string (without its quotes)."""
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt == "x":
            m = re.match(r"[0-9a-fA-F]{1,2}", body[i + 2 :])
            out.append(chr(int(m.group(0), 16)) if m else "x")
            i += 2 + (len(m.group(0)) if m else 0)
        elif nxt.isdigit():
            m = re.match(r"[0-7]{1,3}", body[i + 1 :])
            out.append(chr(int(m.group(0), 8)))
            i += 1 + len(m.group(0))
        else:
            out.append(nxt)
            i += 2
    return "".join(out)


def po_escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\t", "\\t")
        .replace("\r", "\\r")
    )


def po_lines(keyword: str, text: str) -> list[str]:
    """``keyword "text"``, split after each newline the way msgmerge does for multi-line strings."""
    if "\n" not in text.rstrip("\n"):
        return [f'{keyword} "{po_escape(text)}"']
    parts = re.findall(r"[^\n]*\n|[^\n]+$", text)
    return [f'{keyword} ""'] + [f'"{po_escape(p)}"' for p in parts]


def tsv_unescape(text: str) -> str:
    return re.sub(
        r"\\(x04|n|t|\\)", lambda m: {"x04": "\x04", "n": "\n", "t": "\t", "\\": "\\"}[m.group(1)], text
    )


def tsv_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\x04", "\\x04")


@dataclass
class Entry:
    """One block of a .po file: comment lines kept verbatim, the strings parsed."""

    comments: list[str] = field(default_factory=list)
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # -1 = plain msgstr, 0.. = msgstr[n]
    raw: list[str] = field(default_factory=list)  # the block as read; written back unless changed
    changed: bool = False

    @property
    def key(self) -> str:
        return (self.msgctxt + "\x04" if self.msgctxt is not None else "") + (self.msgid or "")

    @property
    def flags(self) -> list[str]:
        out = []
        for line in self.comments:
            if line.startswith("#,"):
                out += [f.strip() for f in line[2:].split(",") if f.strip()]
        return out

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def is_translated(self) -> bool:
        if "fuzzy" in self.flags or not self.msgstr:
            return False
        return all(v != "" for v in self.msgstr.values())

    def drop_fuzzy(self) -> None:
        comments = []
        for line in self.comments:
            if line.startswith("#|"):
                continue  # msgmerge's "previous msgid" lines only make sense beside a fuzzy flag
            if line.startswith("#,"):
                flags = [f.strip() for f in line[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
                if not flags:
                    continue
                line = "#, " + ", ".join(flags)
            comments.append(line)
        self.comments = comments
        self.changed = True

    def render(self) -> str:
        if not self.changed:
            return "\n".join(self.raw)
        lines = list(self.comments)
        if self.msgctxt is not None:
            lines += po_lines("msgctxt", self.msgctxt)
        lines += po_lines("msgid", self.msgid or "")
        if self.msgid_plural is not None:
            lines += po_lines("msgid_plural", self.msgid_plural)
        for n in sorted(self.msgstr):
            lines += po_lines("msgstr" if n < 0 else f"msgstr[{n}]", self.msgstr[n])
        return "\n".join(lines)


def parse_po(text: str) -> tuple[list[Entry | str], str]:
    """The blocks of a .po file (an Entry, or a str for obsolete/comment-only blocks) and its line ending."""
    newline = "\r\n" if "\r\n" in text else "\n"
    text = text.replace("\r\n", "\n")
    blocks: list[Entry | str] = []
    for block in re.split(r"\n[ \t]*\n", text.strip("\n")):
        lines = block.split("\n")
        if not any(_KEYWORD.match(line) for line in lines):
            blocks.append(block)  # obsolete (#~) entries and stray comments stay as they are
            continue
        entry = Entry(raw=lines)
        current: tuple[str, int] | None = None
        for line in lines:
            if line.startswith("#"):
                entry.comments.append(line)
                current = None
                continue
            m = _KEYWORD.match(line)
            if m:
                keyword, index, quoted = m.group(1), m.group(2), m.group(3)
                value = po_unescape(quoted[1:-1])
                if keyword.startswith("msgstr"):
                    n = int(index) if index is not None else -1
                    entry.msgstr[n] = value
                    current = ("msgstr", n)
                else:
                    setattr(entry, keyword, value)
                    current = (keyword, 0)
                continue
            if line.strip().startswith('"') and current is not None:
                value = po_unescape(line.strip()[1:-1])
                if current[0] == "msgstr":
                    entry.msgstr[current[1]] += value
                else:
                    setattr(entry, current[0], getattr(entry, current[0]) + value)
                continue
            raise ValueError(f"cannot read this .po line: {line!r}")
        blocks.append(entry)
    return blocks, newline


def nplurals_of(blocks: list[Entry | str]) -> int:
    for b in blocks:
        if isinstance(b, Entry) and b.is_header:
            m = re.search(r"nplurals\s*=\s*(\d+)", b.msgstr.get(-1, ""))
            if m:
                return int(m.group(1))
    return 2


def placeholders(text: str, python_format: bool) -> list[str]:
    found = _PLACEHOLDER.findall(text) if python_format else _NAMED.findall(text)
    return sorted(found)


def read_tsv(paths: list[str]) -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for path in paths:
        for lineno, line in enumerate(Path(path).read_text(encoding="utf-8-sig").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            if "\t" not in line:
                print(f"{path}:{lineno}: no tab, skipped: {line!r}", file=sys.stderr)
                continue
            key, *forms = line.split("\t")
            forms = [tsv_unescape(f) for f in forms]
            if not any(forms):
                continue
            table[tsv_unescape(key)] = forms
    return table


def fix_header(entry: Entry, lang: str | None) -> None:
    """A complete catalogue has a non-fuzzy header that names its language."""
    header = entry.msgstr.get(-1, "")
    new = header
    if lang and re.search(r"^Language: *$", header, re.M):
        new = re.sub(r"^Language: *$", f"Language: {lang}", new, flags=re.M)
    if new != header:
        entry.msgstr[-1] = new
        entry.changed = True
    if "fuzzy" in entry.flags:
        entry.drop_fuzzy()


def write_tsv(rows: list[str], out: str | None) -> None:
    text = "".join(row + "\n" for row in rows)
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    po_path, *rest = argv
    identity = "--identity" in rest
    overwrite = "--overwrite" in rest
    export = "--export" in rest
    missing_only = "--missing" in rest
    files = [a for a in rest if not a.startswith("--")]
    path = Path(po_path)
    blocks, newline = parse_po(path.read_text(encoding="utf-8"))
    entries = [b for b in blocks if isinstance(b, Entry)]
    nplurals = nplurals_of(blocks)

    if export or missing_only:
        rows = []
        for e in entries:
            if e.is_header:
                continue
            if export and e.is_translated:
                forms = [e.msgstr[n] for n in sorted(e.msgstr)]
                rows.append("\t".join(tsv_escape(x) for x in [e.key, *forms]))
            elif missing_only and not e.is_translated:
                rows.append(tsv_escape(e.key) + "\t")
        write_tsv(rows, files[0] if files else None)
        return 0

    table = {} if identity else read_tsv(files)
    lang = path.parent.parent.name if path.parent.name == "LC_MESSAGES" else None
    untranslated, refused, filled = [], [], 0
    for e in entries:
        if e.is_header:
            fix_header(e, lang)
            continue
        if "fuzzy" in e.flags:
            e.drop_fuzzy()
            e.msgstr = {n: "" for n in e.msgstr}
        if e.msgid_plural is not None and set(e.msgstr) != set(range(nplurals)):
            # one msgstr[n] per plural form of the language, no more, no fewer (zh: msgstr[0] only)
            e.msgstr = {n: e.msgstr.get(n, "") for n in range(nplurals)}
            e.changed = True
        if e.is_translated and not (overwrite and e.key in table):
            continue
        if identity:
            forms = [e.msgid or ""] + [e.msgid_plural or e.msgid or ""] * (nplurals - 1)
        elif e.key in table:
            forms = table[e.key]
        else:
            if any(e.msgstr.values()):  # a half-filled plural entry: clear it so it is plainly untranslated
                e.msgstr = {n: "" for n in e.msgstr}
                e.changed = True
            untranslated.append(e.key)
            continue
        python_format = "python-format" in e.flags
        sources = [e.msgid or ""] + ([e.msgid_plural] if e.msgid_plural is not None else [])
        wanted = [placeholders(s, python_format) for s in sources]
        if e.msgid_plural is None:
            new = {-1: forms[0]}
        else:
            new = {n: forms[min(n, len(forms) - 1)] for n in range(nplurals)}
        # a plural form may carry the singular's placeholders or the plural's (zh: one form for every n)
        bad = [v for v in new.values() if not v or placeholders(v, python_format) not in wanted]
        if bad:
            refused.append((e.key, bad[0]))
            if not e.is_translated:
                untranslated.append(e.key)
            continue
        if new != e.msgstr:
            e.msgstr = new
            e.changed = True
            filled += 1

    out = "\n\n".join(b if isinstance(b, str) else b.render() for b in blocks)
    path.write_text(out.replace("\n", newline) + newline, encoding="utf-8")
    for key, value in refused:
        print(f"refused (placeholders differ): {key!r} -> {value!r}", file=sys.stderr)
    for key in untranslated:
        print("untranslated:", key.replace("\x04", " | ").replace("\n", "\\n"))
    print(f"{path}: {filled} filled, {len(untranslated)} untranslated", file=sys.stderr)
    return 1 if untranslated else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
