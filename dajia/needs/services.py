"""Writes to needs: raise, support, classify, answer step by step, merge duplicates, import paper needs.

Every write checks who may do it, refuses bad input with a clear message (ValidationError) and writes the
audit log in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dajia.accounts.permissions import can_manage_federation, chair_union_ids, is_office, require_office
from dajia.core import audit
from dajia.core.inputs import as_id, clean_text
from dajia.core.ratelimit import RateLimited
from dajia.menu.models import Category
from dajia.needs import workbench
from dajia.needs.learning import web_suggester
from dajia.needs.models import Need, NeedUpdate, Support
from dajia.needs.suggest import tokenize
from dajia.orgs.models import Federation, Park, Union

MIN_LENGTH = 5
MAX_LENGTH = 500
MESSAGE_MAX = 1000


def needs_per_hour() -> int:
    return settings.DAJIA_NEEDS_PER_HOUR


def needs_per_day() -> int:
    return settings.DAJIA_NEEDS_PER_DAY


def supports_per_hour() -> int:
    return settings.DAJIA_SUPPORTS_PER_HOUR


def _require_login(actor) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied


def _rate_limit(actor) -> None:
    now = timezone.now()
    recent = Need.objects.filter(author=actor, source=Need.Source.WEB)
    if recent.filter(created_at__gte=now - datetime.timedelta(hours=1)).count() >= needs_per_hour():
        raise RateLimited(
            _("You have raised %(n)d needs in the last hour. Please try again later.")
            % {"n": needs_per_hour()}
        )
    if recent.filter(created_at__gte=now - datetime.timedelta(days=1)).count() >= needs_per_day():
        raise RateLimited(
            _("You have raised %(n)d needs today. Please try again tomorrow.") % {"n": needs_per_day()}
        )


def _category(value) -> Category | None:
    if value in (None, ""):
        return None
    if isinstance(value, Category):
        category = value if value.active else None
    else:
        pk = as_id(value)
        category = Category.objects.active().filter(pk=pk).first() if pk else None
    if category is None:
        raise ValidationError({"category": _("Choose a service category from the list.")})
    return category


@transaction.atomic
def need_create(
    *,
    actor,
    text: str,
    union: Union | None = None,
    park: Park | None = None,
    voice: str = Need.Voice.WORKER,
    anonymous: bool = False,
    category: Category | int | str | None = None,
) -> Need:
    """A logged-in person raises a need for their union or park. Dajia suggests a category unless the
    author chose one; the author is always recorded (abuse controls), even when anonymous to the public."""
    _require_login(actor)
    errors: dict[str, str] = {}
    try:
        text = clean_text(text, field="text", min_length=MIN_LENGTH, max_length=MAX_LENGTH)
    except ValidationError as e:
        errors.update({k: v[0] for k, v in e.message_dict.items()})
    if (union is None) == (park is None):
        errors["union"] = _("Choose your grassroots union or your park (one of the two).")
    if voice not in Need.Voice.values:
        errors["voice"] = _("Say whether you speak for yourself, an enterprise or a union.")
    elif voice == Need.Voice.UNION and (union is None or union.pk not in chair_union_ids(actor)):
        errors["voice"] = _("Only the chair of this union can raise a need in the union's name.")
    try:
        chosen = _category(category)
    except ValidationError as e:
        errors.update({k: v[0] for k, v in e.message_dict.items()})
        chosen = None
    if errors:
        raise ValidationError(errors)
    _rate_limit(actor)
    suggestion = web_suggester().suggest(text)
    suggested = Category.objects.filter(code=suggestion.code).first() if suggestion else None
    federation_id = union.federation_id if union is not None else park.federation_id
    need = Need.objects.create(
        federation_id=federation_id,
        union=union,
        park=park,
        author=actor,
        voice=voice,
        text=text,
        anonymous=bool(anonymous),
        tokens=" ".join(tokenize(text)),
        suggested_category=suggested,
        category=chosen or suggested,
        category_by=(
            Need.CategoryBy.AUTHOR
            if chosen
            else Need.CategoryBy.SUGGESTED
            if suggested
            else Need.CategoryBy.NONE
        ),
    )
    NeedUpdate.objects.create(
        need=need,
        status=Need.Status.RECEIVED,
        message=_("Received. The union office will look at it and reply here."),
        public=True,
    )
    audit.log(
        actor=actor,
        action="needs.need.create",
        obj=need,
        after=audit.snapshot(need),
        federation_id=federation_id,
    )
    return need


def _root(need: Need) -> Need:
    seen = set()
    while need.merged_into_id and need.pk not in seen:
        seen.add(need.pk)
        need = Need.objects.get(pk=need.merged_into_id)
    return need


@transaction.atomic
def need_support(*, actor, need: Need) -> Support:
    """One support per account and need (a database constraint); a merged need's support goes to the need it
    was merged into. Nobody supports their own need or a declined one."""
    _require_login(actor)
    need = _root(Need.objects.select_for_update().get(pk=need.pk))
    if need.hidden:
        raise ValidationError(_("This need is not public."))
    if need.author_id == actor.pk:
        raise ValidationError(_("This is your own need; it already counts for you."), code="own")
    if need.status == Need.Status.DECLINED:
        raise ValidationError(_("This need was declined and cannot be supported."), code="declined")
    if Support.objects.filter(need=need, user=actor).exists():
        raise ValidationError(_("You already support this need."), code="duplicate")
    since = timezone.now() - datetime.timedelta(hours=1)
    if Support.objects.filter(user=actor, created_at__gte=since).count() >= supports_per_hour():
        raise RateLimited(_("Too many supports in the last hour. Please try again later."))
    try:
        with transaction.atomic():
            support = Support.objects.create(need=need, user=actor)
    except IntegrityError:
        raise ValidationError(_("You already support this need."), code="duplicate") from None
    Need.objects.filter(pk=need.pk).recount_supports()
    audit.log(actor=actor, action="needs.need.support", obj=need, federation_id=need.federation_id)
    return support


@transaction.atomic
def need_unsupport(*, actor, need: Need) -> None:
    _require_login(actor)
    need = _root(need)
    deleted, _rows = Support.objects.filter(need=need, user=actor).delete()
    if not deleted:
        raise ValidationError(_("You do not support this need."))
    Need.objects.filter(pk=need.pk).recount_supports()
    audit.log(actor=actor, action="needs.need.unsupport", obj=need, federation_id=need.federation_id)


@transaction.atomic
def need_set_category(*, actor, need: Need, category: Category | int | str) -> Need:
    """The office sets (corrects) the category; later suggestions learn from it."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    require_office(actor, need.federation_id)
    chosen = _category(category)
    if chosen is None:
        raise ValidationError({"category": _("Choose a service category from the list.")})
    before = audit.snapshot(need, ["category", "category_by"])
    need.category = chosen
    need.category_by = Need.CategoryBy.OFFICE
    need.save(update_fields=["category", "category_by", "updated_at"])
    audit.log(
        actor=actor,
        action="needs.need.categorise",
        obj=need,
        before=before,
        after=audit.snapshot(need, ["category", "category_by"]),
        federation_id=need.federation_id,
    )
    return need


@transaction.atomic
def need_update_status(
    *, actor, need: Need, status: str, message: str, public: bool = True, hidden: bool | None = None
) -> NeedUpdate:
    """A step in handling a need: being handled → answered → resolved, or declined with a reason. Every step
    carries a message to the person who raised it (public unless the office unticks it)."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    require_office(actor, need.federation_id)
    errors: dict[str, str] = {}
    if need.merged_into_id:
        raise ValidationError(_("This need was merged into another one; answer that one instead."))
    if status not in Need.Status.values:
        errors["status"] = _("Choose a status from the list.")
    elif status == Need.Status.RECEIVED and need.status != Need.Status.RECEIVED:
        errors["status"] = _("A need being handled cannot go back to “received”.")
    message = str(message or "").strip()
    if not message:
        errors["message"] = (
            _("Please give the reason for declining; the person who raised the need will read it.")
            if status == Need.Status.DECLINED
            else _("Please write a message for the person who raised the need.")
        )
    elif len(message) > MESSAGE_MAX:
        errors["message"] = _("Please keep the message within %(n)d characters.") % {"n": MESSAGE_MAX}
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(need, ["status", "hidden"])
    need.status = status
    if hidden is not None:
        need.hidden = bool(hidden)
    need.save(update_fields=["status", "hidden", "updated_at"])
    update = NeedUpdate.objects.create(
        need=need, status=status, message=message, public=bool(public), actor=actor
    )
    audit.log(
        actor=actor,
        action="needs.need.status",
        obj=need,
        before=before,
        after={**audit.snapshot(need, ["status", "hidden"]), "message": message, "public": bool(public)},
        federation_id=need.federation_id,
    )
    workbench.notify_answered(update)
    return update


@transaction.atomic
def need_merge(*, actor, source: Need, target: Need) -> Need:
    """Merge a duplicate (source) into the need it repeats (target). Every supporter of either ends up
    supporting the target exactly once; the source's author becomes a supporter of the target (unless they
    raised it too), so no voice is lost; needs already merged into the source now point at the target."""
    ids = sorted({source.pk, target.pk})
    locked = {n.pk: n for n in Need.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    if source.pk == target.pk:
        raise ValidationError(_("A need cannot be merged into itself."))
    source, target = locked[source.pk], locked[target.pk]
    require_office(actor, source.federation_id)
    require_office(actor, target.federation_id)
    if source.merged_into_id:
        raise ValidationError(_("This need has already been merged."))
    if target.merged_into_id:
        raise ValidationError(_("The chosen need has itself been merged into another; merge into that one."))
    target_supporters = set(Support.objects.filter(need=target).values_list("user_id", flat=True))
    keep_out = target_supporters | ({target.author_id} if target.author_id else set())
    moved = Support.objects.filter(need=source).exclude(user_id__in=keep_out).update(need=target)
    Support.objects.filter(need=source).delete()
    author_added = False
    if source.author_id and source.author_id not in keep_out:
        Support.objects.create(need=target, user_id=source.author_id)
        author_added = True
    Need.objects.filter(merged_into=source).update(merged_into=target)
    Need.objects.filter(pk__in=ids).recount_supports()
    source.merged_into = target
    source.merged_at = timezone.now()
    source.save(update_fields=["merged_into", "merged_at", "updated_at"])
    NeedUpdate.objects.create(
        need=source,
        status=source.status,
        message=_("Merged with the same need raised by others (No. %(n)d); follow its progress there.")
        % {"n": target.pk},
        public=True,
        actor=actor,
    )
    audit.log(
        actor=actor,
        action="needs.need.merge",
        obj=source,
        after={"merged_into": target.pk, "supports_moved": moved, "author_now_supports": author_added},
        federation_id=source.federation_id,
    )
    target.refresh_from_db(fields=["support_count"])
    return target


# ---- paper needs ------------------------------------------------------------------------------------------


@dataclass
class ImportRow:
    line: int
    text: str
    union: str = ""
    park: str = ""
    category: str = ""


@transaction.atomic
def needs_import(*, actor, federation: Federation, rows: Sequence[ImportRow]) -> list[Need]:
    """Needs collected on paper, typed into a spreadsheet. All rows or none: every problem is reported with
    its line number. Unions and parks are looked up by name within the federation (and those below it)."""
    require_office(actor, federation.pk)
    if not rows:
        raise ValidationError(_("The file holds no needs."))
    fed_ids = federation.descendant_ids()
    unions = {u.name: u for u in Union.objects.filter(federation_id__in=fed_ids)}
    parks = {p.name: p for p in Park.objects.filter(federation_id__in=fed_ids)}
    categories = {c.name_zh: c for c in Category.objects.active()}
    suggester = web_suggester()
    errors: list[str] = []
    prepared = []
    for row in rows:
        where = _("line %(n)d: ") % {"n": row.line}
        try:
            text = clean_text(row.text, field="text", min_length=MIN_LENGTH, max_length=MAX_LENGTH)
        except ValidationError as e:
            errors.append(where + e.message_dict["text"][0])
            continue
        union = park = None
        if row.union:
            union = unions.get(row.union.strip())
            if union is None:
                errors.append(where + _("no union called “%(n)s” in this federation") % {"n": row.union})
        if row.park:
            park = parks.get(row.park.strip())
            if park is None:
                errors.append(where + _("no park called “%(n)s” in this federation") % {"n": row.park})
        chosen = None
        if row.category:
            chosen = categories.get(row.category.strip())
            if chosen is None:
                errors.append(where + _("no service category called “%(n)s”") % {"n": row.category})
        prepared.append((text, union, park, chosen))
    if errors:
        raise ValidationError(errors)
    codes = {c.code: c for c in categories.values()}
    needs = []
    for text, union, park, chosen in prepared:
        suggestion = suggester.suggest(text)
        suggested = codes.get(suggestion.code) if suggestion else None
        fed_id = union.federation_id if union else park.federation_id if park else federation.pk
        needs.append(
            Need(
                federation_id=fed_id,
                union=union,
                park=park,
                author=None,
                text=text,
                anonymous=True,
                tokens=" ".join(tokenize(text)),
                suggested_category=suggested,
                category=chosen or suggested,
                category_by=(
                    Need.CategoryBy.OFFICE
                    if chosen
                    else Need.CategoryBy.SUGGESTED
                    if suggested
                    else Need.CategoryBy.NONE
                ),
                source=Need.Source.PAPER,
            )
        )
    created = Need.objects.bulk_create(needs)
    NeedUpdate.objects.bulk_create(
        NeedUpdate(
            need=n, status=Need.Status.RECEIVED, message=_("Collected on paper and entered."), actor=actor
        )
        for n in created
    )
    audit.log(
        actor=actor,
        action="needs.need.import",
        obj=federation,
        after={"count": len(created), "ids": [n.pk for n in created]},
        federation_id=federation.pk,
    )
    return created


def can_see_author(user, need: Need) -> bool:
    """The office of the need's federation knows who raised it; so does the author."""
    return bool(need.author_id and need.author_id == getattr(user, "pk", None)) or (
        is_office(user) and can_manage_federation(user, need.federation_id)
    )
