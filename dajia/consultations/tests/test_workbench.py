"""Consultation sessions on the workbench: the office's coming sessions (its federation's only) and the
sessions a person is on the panel of, linking to their own scoring page — nobody else's."""

import datetime

from django.utils import timezone

from dajia.accounts.models import Person
from dajia.consultations import workbench
from dajia.consultations.models import Evaluator, Session


def _session(federation, title, days, state="draft"):
    return Session.objects.create(
        federation=federation,
        title=title,
        starts_at=timezone.now() + datetime.timedelta(days=days),
        state=state,
    )


def test_the_office_sees_its_coming_sessions_only(
    office_user, other_office_user, federation, other_federation
):
    _session(federation, "2026年下城区协商会", 3)
    _session(federation, "已结束的协商会", -30, state="published")
    _session(other_federation, "武义县协商会", 3)
    group = workbench.office(office_user)[0]
    assert [i.title for i in group.items] == ["2026年下城区协商会"]
    assert [i.title for i in workbench.office(other_office_user)[0].items] == ["武义县协商会"]


def test_a_chair_on_a_panel_sees_the_session_and_their_own_scoring_link(chair_user, federation, other_union):
    from dajia.conftest import make_user

    other_chair = make_user("otherchair", role="chair", union=other_union)
    session = _session(federation, "2026年下城区协商会", 2, state="open")
    mine = Evaluator.objects.create(
        session=session,
        name="主席甲",
        token="tok-mine",
        person=Person.objects.create(name="主席甲", kind="chair", federation=federation, user=chair_user),
    )
    Evaluator.objects.create(
        session=session,
        name="主席乙",
        token="tok-theirs",
        person=Person.objects.create(name="主席乙", kind="chair", federation=federation, user=other_chair),
    )
    group = workbench.chair(chair_user)[0]
    assert [(i.title, i.url) for i in group.items] == [("2026年下城区协商会", f"/sessions/e/{mine.token}/")]
    assert [i.url for i in workbench.chair(other_chair)[0].items] == ["/sessions/e/tok-theirs/"]
