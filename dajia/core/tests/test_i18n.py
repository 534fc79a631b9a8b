"""Both catalogues complete for what exists: every string in the code has a Chinese translation, the compiled
catalogue matches the source, and every page offers the English switch."""

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

PACKAGE = Path(__file__).resolve().parents[2]
LOCALE = PACKAGE / "locale"


def parse_po(path: Path) -> dict[str, str]:
    """msgid → msgstr (msgstr[0] for plurals); a context is written before the msgid with gettext's
    ``\\x04`` separator; fuzzy entries are returned with a '#fuzzy' marker."""
    entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        m = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if not m:
            continue
        msgid = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))
        if not msgid or block.lstrip().startswith("#~"):
            continue
        c = re.search(r'^msgctxt ((?:".*"\n?)+)', block, re.M)
        if c:
            msgid = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', c.group(1))) + "\x04" + msgid
        s = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
        msgstr = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', s.group(1))) if s else ""
        if "#, fuzzy" in block:
            msgstr = "#fuzzy"
        entries[msgid] = msgstr
    return entries


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_every_entry_is_translated_and_none_is_fuzzy(lang):
    entries = parse_po(LOCALE / lang / "LC_MESSAGES" / "django.po")
    untranslated = [k for k, v in entries.items() if not v or v == "#fuzzy"]
    assert untranslated == []


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_the_compiled_catalogue_matches_the_source(lang):
    entries = parse_po(LOCALE / lang / "LC_MESSAGES" / "django.po")
    with open(LOCALE / lang / "LC_MESSAGES" / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)

    def lookup(key: str) -> str:
        if "\x04" in key:
            context, msgid = key.split("\x04", 1)
            return compiled.pgettext(context, msgid)
        return compiled.gettext(key)

    stale = [k for k, v in entries.items() if "%" not in k and "\\" not in k and lookup(k) != v]
    assert stale == []


def test_the_catalogue_holds_every_string_in_the_code(tmp_path):
    if not shutil.which("xgettext"):
        pytest.skip(
            "未安装 gettext（xgettext），无法核对翻译目录 / gettext (xgettext) is not installed: "
            "apt-get install -y gettext"
        )
    copy = tmp_path / "dajia"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "*.mo"))
    subprocess.run(
        [
            sys.executable,
            str(PACKAGE.parent / "manage.py"),
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--no-obsolete",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    extracted = set(parse_po(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    committed = set(parse_po(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    assert sorted(extracted - committed) == []


@pytest.mark.django_db
def test_every_page_offers_the_other_language(client):
    html = client.get(reverse("menu:list")).content.decode()
    assert 'value="en"' in html and "服务菜单" in html
    client.post(reverse("set_language"), {"language": "en", "next": "/menu/"})
    html = client.get(reverse("menu:list")).content.decode()
    assert "Service menu" in html and 'value="zh-hans"' in html
