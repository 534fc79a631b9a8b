"""Every ``DAJIA_*`` setting the code reads is defined in dajia/settings.py, where an operator looks for it, and
not only as a default at the place that reads it."""

from __future__ import annotations

import pathlib
import re

from django.conf import settings

DAJIA = pathlib.Path(__file__).resolve().parents[2]
READ = re.compile(r"""(?:getattr\(settings,\s*["'](DAJIA_\w+)["']|\bsettings\.(DAJIA_\w+))""")


def test_every_dajia_setting_read_is_in_settings_py():
    read = {
        name
        for path in DAJIA.rglob("*.py")
        if "tests" not in path.parts and path.name != "conftest.py" and "bench" not in path.parts
        for match in READ.finditer(path.read_text(encoding="utf-8"))
        for name in match.groups()
        if name
    }
    assert len(read) > 30
    assert sorted(name for name in read if not hasattr(settings, name)) == []
