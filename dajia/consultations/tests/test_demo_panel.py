"""The consultation demo: the seed's 2020 session and last year's, published; this year's ready to run."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from dajia.consultations import demo, services_setup
from dajia.consultations.models import Conflict, PublishedResult, Session, Sheet
from dajia.demo import foundation


def test_demo_sessions(db):
    # One test: building the demo takes seconds.
    ctx = foundation.build()
    demo.build(ctx)
    check_2020_session_is_the_seed_and_published()
    check_2020_budget_bites_and_minimum_matters()
    check_last_years_session_is_published_last_year(ctx["sessions"]["last"])
    check_this_years_session_is_a_draft_ready_to_open(ctx["sessions"]["current"])
    assert ctx["sessions"]["history"].title == "2020年下城区工会购买服务协商会"


def check_2020_session_is_the_seed_and_published():
    session = Session.objects.get(title="2020年下城区工会购买服务协商会")
    assert session.state == "published"
    assert session.group_weights == {"政协委员": "0.4", "基层工会主席": "0.6"}
    assert [c.name for c in session.criteria.all()] == [
        "内容实用有效",
        "方式方法新颖",
        "成熟度吸引力",
        "受众接纳参与",
    ]
    assert session.entries.count() == 9
    assert len({e.project.provider_id for e in session.entries.select_related("project")}) == 9
    groups = dict(session.evaluators.values_list("group").annotate(n=Count("id")))
    assert groups == {"政协委员": 8, "基层工会主席": 20}
    assert all(e.window == "closed" for e in session.entries.all())
    assert Conflict.objects.filter(entry__session=session).count() == 1
    assert Sheet.objects.filter(entry__session=session, complete=True).count() == 28 * 9 - 1
    scores = set(Sheet.objects.filter(entry__session=session).values_list("scores__value", flat=True))
    assert any(v != v.to_integral_value() for v in scores)  # some evaluators use half points


def check_2020_budget_bites_and_minimum_matters():
    payload = PublishedResult.objects.get(session__title="2020年下城区工会购买服务协商会").payload
    reasons = [p["selection_reason"] for p in payload["projects"]]
    assert "over_budget" in reasons and reasons.count("selected") >= 5
    assert any(float(p["score"]) < 60 for p in payload["projects"])
    assert not any(p["tied"] for p in payload["projects"])
    assert sum(float(p["amount"]) for p in payload["projects"] if p["selected"]) <= 200000


def check_last_years_session_is_published_last_year(session):
    year = timezone.localdate().year - 1
    assert session.title == f"{year}年下城区工会购买服务协商会"
    assert session.state == "published"
    assert timezone.localtime(session.starts_at).year == year
    assert timezone.localtime(session.published_at).date() == timezone.localtime(session.starts_at).date()
    submitted = Sheet.objects.filter(entry__session=session).values_list("submitted_at", flat=True)
    assert {timezone.localtime(t).year for t in submitted} == {year}


def check_this_years_session_is_a_draft_ready_to_open(session):
    assert session.title == f"{timezone.localtime(session.starts_at).year}年下城区工会购买服务协商会"
    assert session.starts_at > timezone.now()
    assert session.state == "draft"
    assert (session.entries.count(), session.evaluators.count(), session.criteria.count()) == (9, 28, 4)
    assert services_setup.open_problems(session) == []
    assert len({e.token for e in session.evaluators.all()}) == 28
