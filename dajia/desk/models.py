"""The expert desk (专家服务台): volunteers, park teams and rotas, cases with their parties, consultations.

Expert volunteers (律师、税务师、会计师、金融"红管家") serve the small and micro enterprise parks; a park's team has
a lead; a station's rota says who sits at the desk when. A case is raised by an enterprise contact, by the park
office at the station, or by a visiting volunteer — or, for the union's legal aid to workers, by a worker through a
volunteer or the office — and lists its parties so the conflict check can see both sides of every dispute.
Which volunteers serve which parks is kept as role rows in ``accounts`` (the one scope the permissions read).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dajia.core.uploads import private_storage
from dajia.core.validators import validate_id_card, validate_mobile, validate_uscc


class Specialty(models.TextChoices):
    LAWYER = "lawyer", _("lawyer")
    TAX = "tax", _("tax adviser")
    ACCOUNTANT = "accountant", _("accountant")
    FINANCE = "finance", _("finance (red steward)")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("urgent")
    NORMAL = "normal", _("normal")
    LOW = "low", _("not urgent")


class Channel(models.TextChoices):
    ONLINE = "online", _("online")
    STATION = "station", _("at the park station")
    VISIT = "visit", _("on a visit")


class Volunteer(models.Model):
    """An expert volunteer's desk data; the parks served are the user's expert role rows."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="volunteer",
    )
    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("federation"), on_delete=models.PROTECT, related_name="volunteers"
    )
    specialty = models.CharField(_("specialty"), max_length=16, choices=Specialty.choices)
    firm = models.CharField(_("firm or bank"), max_length=120)
    is_party_member = models.BooleanField(_("party member"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("expert volunteer")
        verbose_name_plural = _("expert volunteers")
        ordering = ["specialty", "id"]

    def __str__(self) -> str:
        return f"{self.user.display_name}（{self.get_specialty_display()}）"


class Team(models.Model):
    """The service team of one park, with its lead (who receives the flagged and overdue cases)."""

    park = models.OneToOneField(
        "orgs.Park", verbose_name=_("park"), on_delete=models.CASCADE, related_name="team"
    )
    lead = models.ForeignKey(
        Volunteer,
        verbose_name=_("team lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teams_led",
    )

    class Meta:
        verbose_name = _("park team")
        verbose_name_plural = _("park teams")

    def __str__(self) -> str:
        return str(self.park)


WEEKDAYS = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
NTH = {
    1: _("the first %(day)s of each month"),
    2: _("the second %(day)s of each month"),
    3: _("the third %(day)s of each month"),
    4: _("the fourth %(day)s of each month"),
    5: _("the fifth %(day)s of each month"),
}


class RotaSlot(models.Model):
    """A recurring duty at a park station: every week, or the n-th weekday of each month (每月第二个周二)."""

    park = models.ForeignKey(
        "orgs.Park", verbose_name=_("park"), on_delete=models.CASCADE, related_name="rota"
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="rota"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday (0 = Monday)"))
    week_of_month = models.PositiveSmallIntegerField(
        _("week of the month"), null=True, blank=True, help_text=_("Empty: every week; 1–5: that week only.")
    )
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("duty slot")
        verbose_name_plural = _("duty slots")
        ordering = ["park", "weekday", "starts"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="rota_weekday_valid"),
            models.CheckConstraint(
                condition=Q(week_of_month__isnull=True) | Q(week_of_month__gte=1, week_of_month__lte=5),
                name="rota_week_valid",
            ),
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="rota_times_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.park} {self.label}"

    @property
    def label(self) -> str:
        """每周二 8:30–12:00, 每月第二个周二 8:30–12:00."""
        day = WEEKDAYS[self.weekday]
        when = (
            _("every %(day)s") % {"day": day}
            if self.week_of_month is None
            else NTH[self.week_of_month] % {"day": day}
        )
        return f"{when} {self.starts:%H:%M}–{self.ends:%H:%M}".replace(" 0", " ")


class Leave(models.Model):
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="leaves"
    )
    starts = models.DateField(_("first day"))
    ends = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leave")
        constraints = [
            models.CheckConstraint(condition=Q(ends__gte=models.F("starts")), name="leave_ordered")
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.starts}–{self.ends}"


class ContactRequest(models.Model):
    """An enterprise contact's registration, confirmed by the park office or the union office; the
    confirmation gives the account its enterprise role."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        REFUSED = "refused", _("refused")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="+"
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("enterprise contact registration")
        verbose_name_plural = _("enterprise contact registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "enterprise"], condition=Q(status="pending"), name="contact_request_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.enterprise}"


def case_number(pk: int | None) -> str:
    """A case's number as the desk writes it (ZJ000042)."""
    return f"ZJ{pk:06d}" if pk else "ZJ—"


class Case(models.Model):
    """A problem taken at the desk (前台受理 → 后台办理 → 反馈)."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("service to an enterprise")
        WORKER = "worker", _("legal aid to a worker (职工维权咨询)")

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ASSIGNED = "assigned", _("assigned")
        IN_PROGRESS = "in_progress", _("in progress")
        RESOLVED = "resolved", _("resolved")
        REFERRED = "referred", _("referred")
        CLOSED = "closed", _("closed")

    class Closure(models.TextChoices):
        SOLVED = "solved", _("problem solved")
        ADVISED = "advised", _("advice given")
        REFERRED = "referred", _("referred")
        WITHDRAWN = "withdrawn", _("withdrawn")
        NOT_ELIGIBLE = "not_eligible", _("not eligible")

    OPEN = (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS)
    RATEABLE = (Status.RESOLVED, Status.REFERRED)

    federation = models.ForeignKey(
        "orgs.Federation", verbose_name=_("federation"), on_delete=models.PROTECT, related_name="desk_cases"
    )
    park = models.ForeignKey(
        "orgs.Park", verbose_name=_("park"), on_delete=models.PROTECT, related_name="cases"
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="desk_cases",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ENTERPRISE)
    specialty = models.CharField(_("domain"), max_length=16, choices=Specialty.choices)
    description = models.TextField(_("description"), max_length=4000)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    channel = models.CharField(_("raised"), max_length=16, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A walk-in's number (raised by the park office for an enterprise without an account): told by SMS only.
    contact_mobile = models.CharField(
        _("contact mobile"), max_length=11, blank=True, validators=[validate_mobile]
    )
    suggested = models.ForeignKey(
        Volunteer,
        verbose_name=_("suggested volunteer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    waiting = models.BooleanField(_("waiting for the team lead"), default=False)
    created_at = models.DateTimeField(_("raised at"), db_index=True)
    responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    response_overdue = models.BooleanField(_("response overdue"), default=False)
    resolution_overdue = models.BooleanField(_("resolution overdue"), default=False)
    closure = models.CharField(_("closure code"), max_length=16, choices=Closure.choices, blank=True)
    closure_note = models.CharField(_("referred to / note"), max_length=200, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=300, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    # The volunteers' service time on the case, given when it is finished: the outcome ledger's service hours
    # and the volunteers' certificates add these up (each assigned volunteer is credited the case's time).
    minutes = models.PositiveIntegerField(_("service time (minutes)"), default=0)

    class Meta:
        verbose_name = _("desk case")
        verbose_name_plural = _("desk cases")
        ordering = ["-created_at", "-id"]
        # The desk's tallies count a month's finished cases again on each finish (dajia/desk/tally.py): the
        # trailing columns are what they group and sum, so the count of each case reads the index alone.
        indexes = [
            models.Index(
                fields=["finished_at", "federation", "park", "minutes", "closure"], name="case_finished"
            ),
            # The open cases, a few hundred among a desk's years of cases: the workbench's queues start here
            # (desk.selectors.lead_queue narrows the visibility subquery to them). Not a partial index: the ORM
            # binds the statuses as parameters, and SQLite cannot see that "status IN (?, ?, ?)" implies an
            # index's condition, so it scanned every case (measured: 20 ms a count at 100,000 cases).
            models.Index(fields=["status", "created_at", "id"], name="case_open"),
            # The lead's queue: the few open cases waiting or past a target. The condition is on booleans, which
            # the ORM writes as bare columns (no bound values), so SQLite matches it; it reads 3 of 3,000 open
            # cases rather than every open one's row for its flags (measured: 12 → 2 ms at 100,000 cases).
            models.Index(
                fields=["status", "created_at", "id", "federation", "park"],
                condition=Q(waiting=True) | Q(response_overdue=True) | Q(resolution_overdue=True),
                name="case_flagged",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                name="case_closure_matches_status",
                condition=Q(status__in=["new", "assigned", "in_progress"], closure="")
                | Q(status="resolved", closure__in=["solved", "advised"])
                | Q(status="referred", closure="referred")
                | Q(status="closed", closure__in=["withdrawn", "not_eligible"]),
            ),
            models.CheckConstraint(
                name="case_rating_range",
                condition=Q(rating__isnull=True)
                | Q(rating__gte=1, rating__lte=5, status__in=["resolved", "referred"]),
            ),
            models.CheckConstraint(
                name="case_referral_names_whom",
                condition=~Q(closure="referred") | ~Q(closure_note=""),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return case_number(self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class Party(models.Model):
    """One side of a case, identified by what the conflict check compares: a company's 统一社会信用代码, a
    worker's mobile number (and 身份证 where the union records it)."""

    class Side(models.TextChoices):
        CLIENT = "client", _("the side advised")
        COUNTER = "counter", _("counterparty")

    class Kind(models.TextChoices):
        COMPANY = "company", _("company")
        WORKER = "worker", _("worker")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(_("side"), max_length=8, choices=Side.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_uscc]
    )
    mobile = models.CharField(_("mobile number"), max_length=11, blank=True, validators=[validate_mobile])
    id_card = models.CharField(_("ID card number"), max_length=18, blank=True, validators=[validate_id_card])
    # A worker's personal data is kept for the case only: why, and until when (then masked by the retention job).
    purpose = models.CharField(_("purpose of the personal data"), max_length=200, blank=True)
    keep_until = models.DateField(_("kept until"), null=True, blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.CheckConstraint(
                name="party_identified",
                condition=Q(kind="company") & ~Q(uscc="") | Q(kind="worker") & ~Q(mobile=""),
            ),
            models.CheckConstraint(
                name="party_worker_purpose",
                condition=~Q(kind="worker") | ~Q(purpose=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def keys(self) -> frozenset[str]:
        """What identifies this party to the conflict check."""
        found = set()
        if self.uscc:
            found.add(f"uscc:{self.uscc}")
        if self.mobile:
            found.add(f"mobile:{self.mobile}")
        if self.id_card:
            found.add(f"id:{self.id_card.upper()}")
        return frozenset(found)


class Assignment(models.Model):
    """A volunteer working on a case (a joint case has several)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="assignments")
    assigned_at = models.DateTimeField(_("assigned at"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    override_reason = models.CharField(
        _("reason for overriding the conflict check"), max_length=300, blank=True
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [models.UniqueConstraint(fields=["case", "volunteer"], name="assignment_once")]

    def __str__(self) -> str:
        return f"{self.case} · {self.volunteer}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="desk/", storage=private_storage)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.file.name


class Consultation(models.Model):
    """Quick advice at the desk or online (a matter), counted apart from cases unless it became one."""

    federation = models.ForeignKey("orgs.Federation", on_delete=models.PROTECT, related_name="+")
    park = models.ForeignKey("orgs.Park", verbose_name=_("park"), on_delete=models.PROTECT, related_name="+")
    specialty = models.CharField(_("specialty"), max_length=16, choices=Specialty.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    summary = models.CharField(_("summary"), max_length=300)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("logged at"), db_index=True)
    case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="consultation"
    )
    # The time the advice took, credited to the volunteer who logged it (the ledger's service hours).
    minutes = models.PositiveIntegerField(_("service time (minutes)"), default=0)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.summary[:40]


class Tally(models.Model):
    """A month's finished cases of one park, counted for the outcome ledger: kept by ``dajia/desk/tally.py``,
    which counts them again from the cases whenever a case of that month is finished or recorded, and for a
    volunteer's every month when their firm changes. Nothing else writes these rows.

    Three kinds, because a joint case is counted once in a total, once per firm and once per volunteer:
    ``case`` rows count each case once; ``firm`` rows once per firm among its volunteers (``firm`` is that
    firm); ``volunteer`` rows once per assigned volunteer (``volunteer`` is they). ``minutes`` is each case's
    service time, credited once per case and per volunteer; a firm's time is not a ledger figure (0)."""

    class Kind(models.TextChoices):
        CASE = "case", _("each case")
        FIRM = "firm", _("per firm")
        VOLUNTEER = "volunteer", _("per volunteer")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    federation = models.ForeignKey("orgs.Federation", on_delete=models.CASCADE, related_name="+")
    park = models.ForeignKey("orgs.Park", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # its first day, in Asia/Shanghai: the month of the cases' finish
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    firm = models.CharField(max_length=120, blank=True)
    finished = models.PositiveIntegerField()  # cases finished, with any closure code
    solved = models.PositiveIntegerField()  # of which closed "problem solved"
    minutes = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("monthly desk tally")
        verbose_name_plural = _("monthly desk tallies")
        # The ledger reads a period's rows of one kind for the reader's federations (parks and volunteers have
        # their own foreign-key indexes). Every column it reads is in the index, so its queries read the index
        # alone (on SQLite the SQL of a volunteers' breakdown of a province's year: 3.0 → 1.6 ms).
        indexes = [
            models.Index(
                fields=[
                    "kind",
                    "federation",
                    "month",
                    "park",
                    "volunteer",
                    "firm",
                    "finished",
                    "solved",
                    "minutes",
                ],
                name="tally_kind_month_cover",
            )
        ]
        constraints = [
            models.CheckConstraint(
                name="tally_kind_names_whom",
                condition=Q(kind="case", volunteer__isnull=True, firm="")
                | Q(kind="firm", volunteer__isnull=True) & ~Q(firm="")
                | Q(kind="volunteer", volunteer__isnull=False, firm=""),
            ),
            models.CheckConstraint(
                name="tally_solved_finished", condition=Q(solved__lte=models.F("finished"))
            ),
            models.UniqueConstraint(
                fields=["park", "month", "volunteer"],
                condition=Q(kind="volunteer"),
                name="tally_volunteer_once",
            ),
            models.UniqueConstraint(
                fields=["kind", "park", "month", "firm"],
                condition=~Q(kind="volunteer"),
                name="tally_case_firm_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.park_id} {self.month:%Y-%m} {self.kind}"
