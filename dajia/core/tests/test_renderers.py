"""No select shows Django's "---------": the empty choice is a real prompt, for every field class."""

import pytest
from django import forms
from django.utils import translation

from dajia.consultations.forms import EntryAddForm
from dajia.menu.models import ServiceProject
from dajia.orgs.models import Federation


class _Mixed(forms.Form):
    federation = forms.ModelChoiceField(queryset=Federation.objects.all())
    colour = forms.ChoiceField(choices=[("", "---------"), ("red", "红")])
    # A labelled empty choice of the form's own is left as written.
    scope = forms.ChoiceField(choices=[("", "全部"), ("mine", "我的")], required=False)


@pytest.mark.django_db
def test_the_empty_choice_reads_please_choose(federation):
    with translation.override("zh-hans"):
        html = str(_Mixed())
    assert "---------" not in html
    assert html.count('<option value="" selected>请选择…</option>') == 2
    assert '<option value="" selected>全部</option>' in html


@pytest.mark.django_db
def test_the_office_adding_a_project_to_a_session_is_asked_to_choose(provider, make_project):
    make_project(provider, "职工心理减压")
    with translation.override("en"):
        html = str(EntryAddForm(projects=ServiceProject.objects.all()))
    assert "---------" not in html and '<option value="" selected>Please choose…</option>' in html


def test_star_rating_is_real_radios_each_with_a_spoken_label():
    from dajia.orders.forms import RatingForm

    with translation.override("zh-hans"):
        html = str(RatingForm(initial={"stars": "4"})["stars"])
    assert html.count('type="radio" class="star-input" name="stars"') == 5
    assert '<span class="visually-hidden">4 星（满分 5 星）</span>' in html
    assert 'value="4" id="id_stars_3" checked' in html
