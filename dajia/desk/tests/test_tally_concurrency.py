"""Two volunteers finishing cases of one month at the same moment: the federation's lock makes the second
recount wait for the first and count its case, so both finishes succeed and the month's tallies count both
(real threads, real connections; on PostgreSQL without the lock, the second's rows would clash with the first's
and its finish fail)."""

from __future__ import annotations

import pytest

from dajia.core.months import month_of
from dajia.desk import services, tally
from dajia.desk.tests.test_tally import moment, oracle, stored
from dajia.orders.tests.test_concurrency import _race

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_two_cases_finished_at_once_in_one_month_are_both_counted(
    federation, lawyer, other_lawyer, enterprise, office_user, monkeypatch
):
    at = moment(0, "middle")
    cases = []
    for volunteer in (lawyer, other_lawyer):
        case = services.case_raise(
            actor=office_user, enterprise=enterprise, specialty="lawyer", description="欠薪", now=at
        )
        services.case_assign(actor=office_user, case=case, volunteer=volunteer, now=at)
        cases.append((volunteer, case))

    def finish(volunteer, case):
        return lambda: (
            services.case_finish(actor=volunteer.user, case=case, closure="solved", minutes=30, now=at).pk
        )

    results = _race([finish(v, c) for v, c in cases], monkeypatch, slow_down=(tally, "count"))
    assert [r[0] for r in results] == ["ok", "ok"], results
    assert stored(federation.pk) == oracle(federation.pk)
    assert stored(federation.pk)[("case", enterprise.park_id, month_of(at), None, "", "solved")] == 2
