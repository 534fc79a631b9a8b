"""The one parser for numbers, ids and dates from the outside (dajia.core.inputs) and how a refusal is answered."""

import datetime
import json

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.test import RequestFactory

from dajia.core import inputs
from dajia.core.forms import Form, bound_field
from dajia.menu.models import Category


@pytest.mark.parametrize("raw, expected", [("42", 42), (" 7 ", 7), ("１２", 12), (42, 42), ("0042", 42)])
def test_whole_numbers_in_ascii_or_full_width_digits_are_read(raw, expected):
    assert inputs.parse_whole(raw, label="数量") == expected


@pytest.mark.parametrize("raw", ["²", "١٢", "1.5", "1e3", "abc", "", None, True, str(10**20), "1" * 40])
def test_anything_else_is_refused_with_the_label(raw):
    with pytest.raises(ValidationError) as raised:
        inputs.parse_whole(raw, label="数量")
    assert "数量" in raised.value.messages[0]


def test_the_range_never_exceeds_the_database():
    assert inputs.parse_whole(str(inputs.DB_INT_MAX), label="x") == inputs.DB_INT_MAX
    with pytest.raises(ValidationError):
        inputs.parse_whole(str(inputs.DB_INT_MAX + 1), label="x", maximum=10**30)
    with pytest.raises(ValidationError):
        inputs.parse_id("0", label="x")
    with pytest.raises(ValidationError):
        inputs.parse_id("-1", label="x")


def test_clean_whole_refuses_a_superscript_two_it_used_to_read_as_two():
    assert inputs.clean_whole("２", field="n", label="份数") == 2
    with pytest.raises(ValidationError) as raised:
        inputs.clean_whole("²", field="n", label="份数")
    assert "份数" in raised.value.message_dict["n"][0]


@pytest.mark.parametrize(
    "raw", ["0001-01-01", "99999-01-01", "1899-12-31", "2200-01-01", "2026-02-30", "明天"]
)
def test_dates_outside_the_supported_years_or_not_dates_are_refused(raw):
    with pytest.raises(ValidationError) as raised:
        inputs.clean_date(raw, field="d", label="开始日期")
    assert "开始日期" in raised.value.message_dict["d"][0]


def test_a_date_in_range_is_read_and_a_datetime_is_checked_by_its_day():
    assert inputs.parse_date("２０２６-０６-０１", label="x") == datetime.date(2026, 6, 1)
    with pytest.raises(ValidationError):
        inputs.check_date(datetime.datetime(1, 1, 1, 8, 0), label="x")


def test_query_parsers_leave_a_blank_value_absent_and_refuse_a_bad_one():
    params = QueryDict("category=&union=12&page=abc&ids=3&ids=&ids=4")
    assert inputs.query_id(params, "category") is None
    assert inputs.query_id(params, "union") == 12
    assert inputs.query_ids(params, "ids") == [3, 4]
    assert inputs.query_page(QueryDict("")) == 1
    with pytest.raises(inputs.BadInput) as raised:
        inputs.query_page(params)
    assert "页码" in raised.value.message
    with pytest.raises(inputs.BadInput):
        inputs.query_ids(QueryDict("ids=3&ids=" + "9" * 30), "ids")
    with pytest.raises(inputs.BadInput):
        inputs.query_date(QueryDict("day=0001-01-01"), "day")


def test_bad_input_is_a_400_page_with_the_message_or_json_for_the_api(db):
    factory = RequestFactory()
    middleware = inputs.BadInputMiddleware(lambda request: None)
    request = factory.get("/menu/")
    request.user = AnonymousUser()
    page = middleware.process_exception(request, inputs.BadInput("类别必须是编号"))
    assert page.status_code == 400 and "类别必须是编号" in page.content.decode()
    api = middleware.process_exception(factory.get("/api/menu/projects"), inputs.BadInput("类别必须是编号"))
    assert api.status_code == 400 and json.loads(api.content) == {"detail": "类别必须是编号"}
    assert middleware.process_exception(factory.get("/menu/"), ValueError("x")) is None


class _Sample(Form):
    count = forms.IntegerField(label="数量", max_value=10)
    category = forms.ModelChoiceField(label="类别", queryset=Category.objects.all())
    day = forms.DateField(label="日期")
    added = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["later"] = forms.IntegerField(label="后加的", required=False)


@pytest.mark.django_db
def test_a_project_form_bounds_declared_and_added_fields(category):
    form = _Sample(data={"count": "²", "category": str(10**20), "day": "0001-01-01", "later": "-1"})
    assert not form.is_valid()
    assert set(form.errors) == {"count", "category", "day", "later"}
    assert "数量" in form.errors["count"][0] and "类别" in form.errors["category"][0]
    good = _Sample(data={"count": "３", "category": str(category.pk), "day": "2026-06-01"})
    assert good.is_valid(), good.errors
    assert good.cleaned_data["count"] == 3 and good.cleaned_data["category"] == category


def test_bounding_a_field_is_done_once():
    field = forms.IntegerField()
    bound_field("n", field)
    first = field.to_python
    bound_field("n", field)
    assert field.to_python is first
