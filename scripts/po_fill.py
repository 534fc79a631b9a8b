"""Fill empty msgstr entries of a .po file from a TSV of `msgid<TAB>msgstr` lines (a translator's aid).

    python scripts/po_fill.py dajia/locale/zh_Hans/LC_MESSAGES/django.po translations.tsv

Entries already translated are left alone; fuzzy flags on filled entries are removed. Prints what is still empty.
"""

from __future__ import annotations

import re
import sys


def _unquote(block: str) -> str:
    return (
        "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))
        .encode()
        .decode("unicode_escape")
        .encode("latin-1")
        .decode("utf-8")
    )


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main(po_path: str, tsv_path: str) -> int:
    """With ``--identity`` instead of a TSV, every msgid is its own translation (the English catalogue)."""
    table: dict[str, str] = {}
    identity = tsv_path == "--identity"
    with open(po_path if identity else tsv_path, encoding="utf-8") as tsv:
        for line in tsv:
            if "\t" in line:
                k, v = line.rstrip("\n").split("\t", 1)
                table[k] = v
    with open(po_path, encoding="utf-8") as po:
        text = po.read()
    entries = text.split("\n\n")
    missing = []
    for i, entry in enumerate(entries):
        m = re.search(r'^msgid ((?:".*"\n?)+)', entry, re.M)
        if not m:
            continue
        msgid = _unquote(m.group(1))
        if not msgid:
            continue
        plural = "msgid_plural" in entry
        fuzzy = "#, fuzzy" in entry
        if fuzzy:
            # msgmerge's guesses ("fuzzy") are often wrong for short labels: translate them afresh.
            entry = re.sub(r"^#\| .*\n", "", entry, flags=re.M)
            entry = re.sub(r'^(msgstr(?:\[0\])?) ((?:".*"\n?)+)', r'\1 ""', entry, flags=re.M)
        if plural:
            empty = re.search(r'^msgstr\[0\] ""\s*$', entry, re.M)
        else:
            empty = re.search(r'^msgstr ""\s*\Z', entry, re.M)
        if fuzzy:
            entries[i] = entry.replace("#, fuzzy\n", "").replace("#, fuzzy, ", "#, ")
            entry = entries[i]
        if not empty:
            continue
        if identity:
            table[msgid] = msgid
        if msgid not in table:
            missing.append(msgid)
            continue
        if plural:
            entry = re.sub(r'^msgstr\[0\] ""', "msgstr[0] " + _quote(table[msgid]), entry, flags=re.M)
        else:
            entry = re.sub(r'^msgstr ""\s*\Z', "msgstr " + _quote(table[msgid]), entry, flags=re.M)
        entry = entry.replace("#, fuzzy\n", "").replace("#, fuzzy, ", "#, ")
        entries[i] = entry
    with open(po_path, "w", encoding="utf-8") as po:
        po.write("\n\n".join(entries))
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
