"""A sweep of every page that reads its query string and every form field that takes a number, an id or a date:
10^20, −1, 'abc' and '²' (and year 1 / year 99999 for dates) are a 400 or a form error with a message, never a
500 (issue 10).

The pages are discovered, not hand-picked: every URL pattern is requested while the query string records which
parameters the view reads, and each parameter read must be classified below (a number, a date or free text).
A pattern that takes path arguments is requested when ``WITH_ARGS`` gives them; one whose code reads
``request.GET`` but the sweep cannot reach is reported as missing. The forms are discovered as every form class
defined in the project's modules.
"""

from __future__ import annotations

import copy
import html
import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import dajia
from dajia.agreements.tests.fixtures import agreements, projects, published_session  # noqa: F401
from dajia.core.forms import BoundedInputs, bound_field
from dajia.needs import services_surveys
from dajia.orgs.models import Union

BAD_NUMBERS = [str(10**20), "-1", "abc", "²"]
BAD_DATES = ["0001-01-01", "99999-01-01"]

# Every query parameter some page reads, by kind. A new one must be added here, or the sweep fails.
NUMBER_PARAMS = {
    "category",
    "provider",
    "union",
    "federation",
    "page",
    "top",
    "year",
    "version",
    "project",
    "consultation",
    "park",
}
DATE_PARAMS: set[str] = {"since", "until"}
TEXT_PARAMS = {"q", "state", "status", "sort", "format", "price_min", "price_max", "action", "next", "risk"}

# Not pages of this sweep: the API's parameters are typed by its schemas (and tested in dajia/api), the live
# streams' by dajia/live, the admin is Django's.
SKIPPED_PREFIXES = ("admin/", "api/", "live/", "media/", "^media/", "i18n/")

# Path arguments of the patterns that take some and read their query string.
WITH_ARGS = {
    "needs:coverage": lambda objects: {"session_id": objects["session"].pk},
    "needs:survey_results": lambda objects: {"pk": objects["survey"].pk},
    "agreements:pdf": lambda objects: {"pk": objects["agreement"].pk},
    "ledger:certificate": lambda objects: {"pk": objects["volunteer"].pk},
}
# Pages whose code reads the query string only after a POST, with the reason they hold no number.
READ_ON_POST = {"accounts:login": "?next= is a redirect target (text), read after a successful sign-in"}
# Who requests a page (the superuser unless named here): a page may refuse everyone else before its filters.
PERSONAS = {"orders:new": "chair"}


class RecordingQueryDict(QueryDict):
    """A query string that remembers which parameters were read."""

    read: set[str] = set()

    def get(self, key, default=None):
        RecordingQueryDict.read.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        RecordingQueryDict.read.add(key)
        return super().getlist(key, default)

    def __getitem__(self, key):
        RecordingQueryDict.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        RecordingQueryDict.read.add(key)
        return super().__contains__(key)


def _patterns(resolver=None, prefix="", namespace=None):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern), entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name, entry


def _reads_query(entry: URLPattern) -> bool:
    try:
        return "request.GET" in inspect.getsource(inspect.unwrap(entry.callback))
    except (OSError, TypeError):
        return False


def _message(response) -> str:
    """The message a 400 carries: the alert of the page, or the JSON detail."""
    if response["Content-Type"].startswith("application/json"):
        return response.json().get("detail", "")
    found = re.search(r'role="alert">(.*?)</p>', response.content.decode(), re.S)
    return html.unescape(found.group(1)).strip() if found else ""


@pytest.fixture
def objects(federation, office_user, agreements):  # noqa: F811
    survey = services_surveys.survey_create(actor=office_user, federation=federation, title="职工需求问卷")
    stress = agreements["stress"]
    from dajia.desk.tests.conftest import make_volunteer
    from dajia.orgs.models import Park

    park = Park.objects.create(name="泉溪镇小微企业园", federation=federation)
    volunteer = make_volunteer("sweep-lawyer", federation=federation, parks=[park], rota=False)
    return {"session": stress.session, "survey": survey, "agreement": stress, "volunteer": volunteer}


@pytest.fixture
def personas(django_user_model, chair_user):
    return {
        "superuser": django_user_model.objects.create_superuser("sweep-admin", password="pass-word-123"),
        "chair": chair_user,
    }


def _get(client, personas, name, url, params):
    client.force_login(personas[PERSONAS.get(name, "superuser")])
    RecordingQueryDict.read = set()
    response = client.get(url, params)
    return response, set(RecordingQueryDict.read)


@pytest.mark.django_db
def test_every_page_that_reads_a_number_or_date_answers_bad_ones_with_a_400_and_a_message(
    client, monkeypatch, objects, personas
):
    monkeypatch.setattr("django.core.handlers.wsgi.QueryDict", RecordingQueryDict)
    pages: dict[str, tuple[str, set[str]]] = {}
    unreachable, unclassified = [], []
    for route, name, entry in _patterns():
        if route.startswith(SKIPPED_PREFIXES) or not name:
            continue
        if entry.pattern.converters and name not in WITH_ARGS:
            if _reads_query(entry):
                unreachable.append(name)
            continue
        url = reverse(name, kwargs=WITH_ARGS[name](objects) if name in WITH_ARGS else None)
        response, read = _get(client, personas, name, url, {})
        assert response.status_code < 500, (name, response.status_code)
        if _reads_query(entry) and not read and name not in READ_ON_POST:
            unreachable.append(name)
        unclassified += [f"{name}?{key}" for key in read - NUMBER_PARAMS - DATE_PARAMS - TEXT_PARAMS]
        if read:
            pages[name] = (url, read)
    assert not unreachable, (
        f"pages whose query string the sweep cannot reach (add WITH_ARGS/PERSONAS): {unreachable}"
    )
    assert not unclassified, f"query parameters to classify in NUMBER/DATE/TEXT_PARAMS: {unclassified}"
    # the discovery found the list pages the issue names, and more
    assert {"menu:list", "menu:export", "needs:list", "needs:office", "needs:office_export"} <= set(pages)

    swept = 0
    for name, (url, read) in pages.items():
        for key in sorted(read):
            bad_values = BAD_NUMBERS if key in NUMBER_PARAMS else BAD_DATES if key in DATE_PARAMS else []
            for value in bad_values:
                response, _read = _get(client, personas, name, url, {key: value})
                assert response.status_code == 400, (name, key, value, response.status_code)
                assert re.search(r"[\u4e00-\u9fff]", _message(response)), (
                    name,
                    key,
                    value,
                    _message(response),
                )
                swept += 1
            for value in BAD_NUMBERS + BAD_DATES if key in TEXT_PARAMS else []:
                response, _read = _get(client, personas, name, url, {key: value})
                assert response.status_code < 500, (name, key, value)
    assert swept >= 4 * len(pages)


def _project_forms() -> list[type]:
    for module in pkgutil.walk_packages(dajia.__path__, "dajia."):
        if ".tests" in module.name or module.name.endswith(("conftest", ".bench", ".demo")):
            continue
        if module.name.rsplit(".", 1)[-1].startswith(("forms", "views")):
            importlib.import_module(module.name)
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if (
            cls.__module__.startswith("dajia.")
            and ".tests" not in cls.__module__
            and "base_fields" in dir(cls)
        ):
            found.append(cls)
    return [cls for cls in found if cls.__module__ != "dajia.core.forms"]


def _kind(field: forms.Field) -> str | None:
    if isinstance(field, forms.DateField | forms.DateTimeField):
        return "date"
    if isinstance(field, forms.IntegerField | forms.ModelChoiceField | forms.TypedChoiceField):
        return "number"
    return None


@pytest.mark.django_db
def test_every_form_field_that_takes_a_number_or_a_date_refuses_bad_ones_with_a_message():
    classes = _project_forms()
    assert len(classes) >= 40  # every form of the project, discovered
    unbounded = [f"{cls.__module__}.{cls.__name__}" for cls in classes if not issubclass(cls, BoundedInputs)]
    assert not unbounded, f"forms not built on dajia.core.forms.Form/ModelForm: {unbounded}"
    swept = 0
    for cls in classes:
        for name, declared in cls.base_fields.items():
            kind = _kind(declared)
            if kind is None:
                continue
            for value in BAD_DATES if kind == "date" else BAD_NUMBERS:
                try:  # the whole form where it can be built without arguments
                    form = cls(data={name: value})
                except (TypeError, AttributeError):
                    form = None
                if form is not None:
                    assert not form.is_valid() and form.errors.get(name), (cls.__name__, name, value)
                    assert re.search(r"[\u4e00-\u9fff]", str(form.errors[name][0])), (cls.__name__, name)
                # and the field itself, as the form bounds it, for forms built with arguments (a session)
                field = copy.deepcopy(declared)
                if isinstance(field, forms.ModelChoiceField) and field.queryset is None:
                    field.queryset = Union.objects.none()  # set by the form's __init__
                bound_field(name, field)
                with pytest.raises(ValidationError) as raised:
                    field.clean(value)
                assert raised.value.messages, (cls.__name__, name, value)
                swept += 1
    assert swept >= 60
