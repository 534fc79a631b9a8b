"""Reading needs and surveys: shared by the pages, the API and the exports, so all of them agree.

The demand ranking (需求热度) — the rule shown on the ranking page:

    热度 = 需求条数 + 附议人数 + 问卷得分

* 需求条数: needs in the category that count (not merged into another, not hidden, not declined);
* 附议人数: supports of those needs (one per person; when a duplicate is merged, its author becomes a supporter);
* 问卷得分: for every answer to a "ranking of categories" question that lets a respondent rank k categories,
  the category in place i gets (k − i + 1) / k points — so a respondent's first choice weighs as much as one
  need, and the last of the k places 1/k.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from dajia.core.inputs import normalise, query_id
from dajia.menu.models import Category
from dajia.needs.models import Answer, Need, NeedUpdate, Question, Response, Survey, SurveyInvite
from dajia.needs.suggest import similar, tokenize

DEFAULT_TOP_N = 5
TEXT_ANSWERS_SHOWN = 50


# ---- needs -------------------------------------------------------------------------------------------------


@dataclass
class NeedFilter:
    q: str = ""
    category: int | None = None
    status: str = ""
    union: int | None = None
    federation: int | None = None
    sort: str = "support"

    @classmethod
    def from_params(cls, params) -> NeedFilter:
        """A mistyped status or sort is ignored; an id that is not one is a 400 (``dajia.core.inputs.BadInput``)."""

        status = params.get("status") or ""
        sort = params.get("sort") or "support"
        return cls(
            q=normalise(params.get("q"), cell=True)[:50],
            category=query_id(params, "category"),
            status=status if status in Need.Status.values else "",
            union=query_id(params, "union"),
            federation=query_id(params, "federation"),
            sort=sort if sort in {"support", "new"} else "support",
        )


def need_list(f: NeedFilter, base: QuerySet | None = None) -> QuerySet:
    """Public needs (not merged, not hidden) matching the filter, with support counts, for list pages."""
    qs = base if base is not None else Need.objects.public()
    # The federation (named only on a card with neither union nor park) is read in a query of its own: joined,
    # it is the one INNER JOIN, and SQLite's planner then puts the small federation table outside and sorts
    # every need of it instead of reading the wall's index in order (a signed-in member's wall, 100,000
    # needs: 330 ms → see needs/tests/test_views.py's EXPLAIN check).
    qs = qs.select_related("category", "union", "park", "author").prefetch_related("federation")
    if f.q:
        qs = qs.filter(Q(text__icontains=f.q) | Q(union__name__icontains=f.q) | Q(park__name__icontains=f.q))
    if f.category:
        qs = qs.filter(category_id=f.category)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.union:
        qs = qs.filter(union_id=f.union)
    if f.federation:
        qs = qs.filter(federation_id=f.federation)
    if f.sort == "new":
        return qs.order_by("-created_at", "-id")
    return qs.order_by("-support_count", "-created_at", "-id")


def supported_ids(user, needs) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    ids = [n.pk for n in needs]
    from dajia.needs.models import Support

    return set(Support.objects.filter(user=user, need_id__in=ids).values_list("need_id", flat=True))


def public_author(need: Need) -> str:
    """What the public sees of who raised a need: never more than a masked name (张＊)."""
    if need.source == Need.Source.PAPER:
        return "paper"
    if need.voice == Need.Voice.UNION and need.union_id:
        return need.union.name
    if need.anonymous or need.author is None:
        return ""
    name = need.author.display_name
    return (name[:1] + "＊") if name else ""


def visible_updates(need: Need, user) -> list[NeedUpdate]:
    """Public messages for everyone; private ones also for the author and the office of the federation."""
    from dajia.needs.services import can_see_author

    updates = list(need.updates.select_related("actor"))
    if can_see_author(user, need):
        return updates
    return [u for u in updates if u.public]


@dataclass
class SimilarNeed:
    need: Need
    score: float


def similar_needs(
    text: str,
    *,
    federation_ids=None,
    exclude: int | None = None,
    limit: int = 5,
    threshold: float | None = None,
) -> list[SimilarNeed]:
    """Existing needs like the text (TF-IDF on jieba words, cosine): public, not merged, not declined."""
    query = tokenize(text)
    if not query:
        return []
    qs = Need.objects.public().exclude(status=Need.Status.DECLINED)
    if federation_ids is not None:
        qs = qs.filter(federation_id__in=federation_ids)
    if exclude:
        qs = qs.exclude(pk=exclude)
    docs = [(pk, tokens.split()) for pk, tokens in qs.values_list("pk", "tokens")]
    kwargs = {"limit": limit}
    if threshold is not None:
        kwargs["threshold"] = threshold
    matches = similar(query, docs, **kwargs)
    if not matches:
        return []
    needs = (
        Need.objects.filter(pk__in=[m.key for m in matches])
        .select_related("category", "union", "park", "author")
        .in_bulk()
    )
    return [SimilarNeed(needs[m.key], m.score) for m in matches if m.key in needs]


# ---- demand ranking ------------------------------------------------------------------------------------------


@dataclass
class DemandRow:
    category: Category
    needs: int = 0
    supports: int = 0
    survey: Fraction = Fraction(0)
    rank: int = 0

    @property
    def score(self) -> Fraction:
        return self.needs + self.supports + self.survey

    @property
    def score_display(self) -> str:
        return f"{float(self.score):.1f}"

    @property
    def survey_display(self) -> str:
        return f"{float(self.survey):.1f}"


def _counted_needs(federation_ids, union_id=None, park_id=None) -> QuerySet:
    qs = Need.objects.live().exclude(status=Need.Status.DECLINED).filter(federation_id__in=federation_ids)
    if union_id:
        qs = qs.filter(union_id=union_id)
    if park_id:
        qs = qs.filter(park_id=park_id)
    return qs


def survey_points(federation_ids, union_id=None) -> dict[int, Fraction]:
    """category id → points from ranking questions, (k − i + 1)/k for place i of k."""
    answers = Answer.objects.filter(
        question__kind=Question.Kind.RANKING,
        response__survey__federation_id__in=federation_ids,
    )
    if union_id:
        answers = answers.filter(response__invite__union_id=union_id)
    codes = dict(Category.objects.values_list("code", "pk"))
    points: dict[int, Fraction] = defaultdict(Fraction)
    for value, k in answers.values_list("value", "question__rank_limit"):
        for i, code in enumerate(value or [], start=1):
            if code in codes and i <= k:
                points[codes[code]] += Fraction(k - i + 1, k)
    return points


def demand_ranking(
    federation_ids, *, union_id: int | None = None, park_id: int | None = None
) -> list[DemandRow]:
    """Every active category with its demand, highest first; competition ranks (1, 2, 2, 4)."""
    needs = _counted_needs(federation_ids, union_id, park_id)
    counts, supports = {}, {}
    for category, n, s in (
        needs.exclude(category=None)
        .values("category")
        .annotate(n=Count("id"), s=Sum("support_count"))
        .values_list("category", "n", "s")
        .order_by()
    ):
        counts[category], supports[category] = n, s or 0
    points = survey_points(federation_ids, union_id) if not park_id else {}
    rows = [
        DemandRow(c, counts.get(c.pk, 0), supports.get(c.pk, 0), points.get(c.pk, Fraction(0)))
        for c in Category.objects.active()
    ]
    rows.sort(key=lambda r: (-r.score, r.category.position, r.category.pk))
    previous = None
    for i, row in enumerate(rows, start=1):
        row.rank = previous.rank if previous is not None and previous.score == row.score else i
        previous = row
    return rows


def unclassified_count(federation_ids, *, union_id=None, park_id=None) -> int:
    return _counted_needs(federation_ids, union_id, park_id).filter(category=None).count()


def top_needs_examples(federation_ids, category_ids, per_category: int = 3) -> dict[int, list[Need]]:
    """The most supported needs of each category (to show what a top need is about)."""
    qs = (
        _counted_needs(federation_ids)
        .filter(category_id__in=category_ids)
        .select_related("category")
        .order_by("-support_count", "-created_at")
    )
    out: dict[int, list[Need]] = defaultdict(list)
    for need in qs[: per_category * max(len(category_ids), 1) * 6]:
        if len(out[need.category_id]) < per_category:
            out[need.category_id].append(need)
    return out


# ---- coverage of the top needs by a session's invited projects ---------------------------------------------


@dataclass
class TopNeed:
    row: DemandRow
    examples: list[Need] = field(default_factory=list)
    covered_by: list = field(default_factory=list)  # SessionProject entries

    @property
    def category(self) -> Category:
        return self.row.category

    @property
    def covered(self) -> bool:
        return bool(self.covered_by)


@dataclass
class EntryCoverage:
    entry: object  # SessionProject
    top_need: TopNeed | None


@dataclass
class Coverage:
    session: object
    top_n: int
    top: list[TopNeed]
    entries: list[EntryCoverage]

    @property
    def uncovered(self) -> list[TopNeed]:
        return [t for t in self.top if not t.covered]

    @property
    def covered_count(self) -> int:
        return sum(1 for t in self.top if t.covered)


def coverage_for_session(session, top_n: int = DEFAULT_TOP_N) -> Coverage:
    """For the session's invited projects (SessionProject → project.category): which of the top N needs
    (categories by demand in the session's federation and those below it) each project covers, and which
    top needs no invited project covers. Categories with no demand at all are never "top"."""
    federation_ids = session.federation.descendant_ids()
    ranking = [r for r in demand_ranking(federation_ids) if r.score > 0][:top_n]
    examples = top_needs_examples(federation_ids, [r.category.pk for r in ranking])
    top = [TopNeed(r, examples.get(r.category.pk, [])) for r in ranking]
    by_category = {t.category.pk: t for t in top}
    entries = []
    for entry in session.entries.select_related("project__category", "project__provider").order_by(
        "position"
    ):
        t = by_category.get(entry.project.category_id)
        if t is not None:
            t.covered_by.append(entry)
        entries.append(EntryCoverage(entry, t))
    return Coverage(session, top_n, top, entries)


# ---- surveys -------------------------------------------------------------------------------------------------


@dataclass
class InviteRate:
    invite: SurveyInvite
    responses: int

    @property
    def denominator(self) -> int:
        return self.invite.denominator

    @property
    def rate(self) -> float | None:
        return self.responses / self.denominator if self.denominator else None

    @property
    def rate_display(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


def invite_rates(survey: Survey) -> list[InviteRate]:
    invites = survey.invites.select_related("union").annotate(n=Count("responses")).order_by("union__name")
    return [InviteRate(i, i.n) for i in invites]


@dataclass
class QuestionResult:
    question: Question
    answered: int
    labels: list[str] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    mean: float | None = None
    texts: list[tuple[str, int]] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[str, float]]:
        return list(zip(self.labels, self.values, strict=True))

    def chart(self) -> dict:
        return {
            "id": f"chart-q{self.question.pk}",
            "title": self.question.text,
            "kind": self.question.kind,
            "labels": self.labels,
            "values": self.values,
        }


def survey_results(survey: Survey, *, union_id: int | None = None) -> list[QuestionResult]:
    questions = list(survey.questions.prefetch_related("categories"))
    answers = Answer.objects.filter(response__survey=survey)
    if union_id:
        answers = answers.filter(response__invite__union_id=union_id)
    by_question: dict[int, list] = defaultdict(list)
    for qid, value in answers.values_list("question_id", "value"):
        by_question[qid].append(value)
    out = []
    for q in questions:
        values = by_question.get(q.pk, [])
        result = QuestionResult(q, len(values))
        if q.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            counts: Counter[int] = Counter()
            for v in values:
                counts.update(v if isinstance(v, list) else [v])
            result.labels = list(q.options)
            result.values = [counts.get(i, 0) for i in range(len(q.options))]
        elif q.kind == Question.Kind.RATING:
            counts = Counter(values)
            result.labels = ["1", "2", "3", "4", "5"]
            result.values = [counts.get(i, 0) for i in range(1, 6)]
            result.mean = round(sum(values) / len(values), 2) if values else None
        elif q.kind == Question.Kind.RANKING:
            k = q.rank_limit
            cats = list(q.categories.all())
            points: dict[str, Fraction] = defaultdict(Fraction)
            for v in values:
                for i, code in enumerate(v or [], start=1):
                    points[code] += Fraction(k - i + 1, k)
            cats.sort(key=lambda c: (-points.get(c.code, 0), c.position))
            result.labels = [c.name for c in cats]
            result.values = [round(float(points.get(c.code, 0)), 2) for c in cats]
        else:
            # Identical remarks are grouped, most frequent first (the export keeps every answer).
            result.texts = Counter(v for v in values if v).most_common(TEXT_ANSWERS_SHOWN)
        out.append(result)
    return out


def responses_for_export(survey: Survey) -> QuerySet:
    return (
        Response.objects.filter(survey=survey)
        .select_related("invite__union")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.only("response_id", "question_id", "value"))
        )
        .order_by("created_at", "id")
    )
