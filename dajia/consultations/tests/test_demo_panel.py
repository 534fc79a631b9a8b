"""The consultation demo: the seed's 2020 session, published, and the 2021 session ready to run."""

from __future__ import annotations

from django.db.models import Count

from dajia.consultations import demo, services_setup
from dajia.consultations.models import Conflict, PublishedResult, Session, Sheet
from dajia.demo import foundation


def test_demo_sessions(db):
    # One test: building the demo takes seconds.
    ctx = foundation.build()
    demo.build(ctx)
    check_2020_session_is_the_seed_and_published()
    check_2020_budget_bites_and_minimum_matters()
    check_2021_session_is_a_draft_ready_to_open()
    assert ctx["office"].pk


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


def check_2021_session_is_a_draft_ready_to_open():
    session = Session.objects.get(title="2021年下城区工会购买服务协商会")
    assert session.state == "draft"
    assert (session.entries.count(), session.evaluators.count(), session.criteria.count()) == (9, 28, 4)
    assert services_setup.open_problems(session) == []
    assert len({e.token for e in session.evaluators.all()}) == 28
