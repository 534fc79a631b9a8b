"""Writes to the service menu: projects move draft → submitted → approved / returned (with a reason); their
photos go through the one upload rule (``dajia.core.uploads``); the global categories are kept by the top
federation's office, which decides the other offices' proposals."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from dajia.accounts.permissions import is_top_office, provider_ids, require_office
from dajia.core import audit, uploads
from dajia.core.inputs import as_id, clean_money, clean_text
from dajia.menu.models import Category, CategoryProposal, ProjectPhoto, ServiceProject
from dajia.orgs.models import Provider

PROJECT_FIELDS = (
    "category",
    "title",
    "description",
    "format",
    "audience",
    "duration_minutes",
    "price",
    "capacity",
    "sessions_per_year",
    "areas_served",
)

PRICE_MAX = Decimal("99999999.99")  # ServiceProject.price: DecimalField(max_digits=10, decimal_places=2)


def title_search_keys(title: str) -> tuple[str, str]:
    """Pinyin initials and full pinyin of a title, lower case, for 'aqjn' → 安全技能 searches."""
    parts = lazy_pinyin(title, style=Style.NORMAL, errors=lambda chars: list(chars))
    initials = "".join(p[0] for p in parts if p and p[0].isalnum()).lower()
    full = "".join(p for p in parts if p.strip()).lower()
    return initials[:100], full[:400]


def _clean(data: dict) -> dict:
    errors: dict[str, str] = {}
    out = dict(data)
    if "price" in out:
        try:
            out["price"] = clean_money(out["price"], field="price", label=_("The price"), maximum=PRICE_MAX)
        except ValidationError as e:
            errors["price"] = e.messages[0]
    for field, label in (
        ("capacity", _("capacity per session")),
        ("sessions_per_year", _("sessions per year")),
        ("duration_minutes", _("duration (minutes)")),
    ):
        if field in out:
            try:
                n = int(out[field])
            except (TypeError, ValueError):
                errors[field] = _("%(label)s must be a whole number.") % {"label": label}
                continue
            if n < 1:
                errors[field] = _("%(label)s must be at least 1.") % {"label": label}
            out[field] = n
    if "title" in out:
        out["title"] = str(out["title"]).strip()
        if not out["title"]:
            errors["title"] = _("Please enter a title.")
    if "description" in out and not str(out["description"]).strip():
        errors["description"] = _("Please describe the service.")
    if "format" in out and out["format"] not in ServiceProject.Format.values:
        errors["format"] = _("Choose online, offline, or both.")
    if "category" in out and not isinstance(out["category"], Category):
        pk = as_id(out["category"])
        cat = Category.objects.active().filter(pk=pk).first() if pk else None
        if cat is None:
            errors["category"] = _("Choose a service category.")
        out["category"] = cat
    if errors:
        raise ValidationError(errors)
    return out


def _require_own(actor, provider: Provider) -> None:
    if provider.pk not in provider_ids(actor) and not getattr(actor, "is_superuser", False):
        raise PermissionDenied


@transaction.atomic
def project_create(*, actor, provider: Provider, **fields) -> ServiceProject:
    _require_own(actor, provider)
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    data = _clean(fields)
    missing = [
        f
        for f in ("category", "title", "description", "audience", "price", "capacity", "sessions_per_year")
        if data.get(f) in (None, "")
    ]
    if missing:
        raise ValidationError({f: _("This field is required.") for f in missing})
    if ServiceProject.objects.filter(provider=provider, title=data["title"]).exists():
        raise ValidationError({"title": _("Your organisation already has a project with this title.")})
    project = ServiceProject(provider=provider, **data)
    project.title_initials, project.title_pinyin = title_search_keys(project.title)
    project.save()
    audit.log(
        actor=actor,
        action="menu.project.create",
        obj=project,
        after=audit.snapshot(project),
        federation_id=provider.federation_id,
    )
    return project


@transaction.atomic
def project_update(*, actor, project: ServiceProject, **fields) -> ServiceProject:
    """A provider edits its own project while it is a draft or returned; an approved project must be
    returned by the office first, so what the menu shows is always what was reviewed."""
    project = ServiceProject.objects.select_for_update().get(pk=project.pk)
    _require_own(actor, project.provider)
    if not project.is_editable:
        raise ValidationError(_("Only drafts and returned projects can be edited."))
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    data = _clean(fields)
    if (
        "title" in data
        and ServiceProject.objects.filter(provider_id=project.provider_id, title=data["title"])
        .exclude(pk=project.pk)
        .exists()
    ):
        raise ValidationError({"title": _("Your organisation already has a project with this title.")})
    before = audit.snapshot(project)
    for key, value in data.items():
        setattr(project, key, value)
    project.title_initials, project.title_pinyin = title_search_keys(project.title)
    project.save()
    audit.log(
        actor=actor,
        action="menu.project.update",
        obj=project,
        before=before,
        after=audit.snapshot(project),
        federation_id=project.provider.federation_id,
    )
    return project


@transaction.atomic
def project_submit(*, actor, project: ServiceProject) -> ServiceProject:
    project = ServiceProject.objects.select_for_update().select_related("provider").get(pk=project.pk)
    _require_own(actor, project.provider)
    if project.provider.status != Provider.Status.APPROVED:
        raise ValidationError(
            _(
                "Your organisation has not been approved by the union office yet; projects can be submitted after "
                "approval."
            )
        )
    if not project.is_editable:
        raise ValidationError(_("This project has already been submitted."))
    before = audit.snapshot(project)
    project.status = ServiceProject.Status.SUBMITTED
    project.submitted_at = timezone.now()
    project.return_reason = ""
    project.save(update_fields=["status", "submitted_at", "return_reason", "updated_at"])
    audit.log(
        actor=actor,
        action="menu.project.submit",
        obj=project,
        before=before,
        after=audit.snapshot(project),
        federation_id=project.provider.federation_id,
    )
    return project


@transaction.atomic
def project_review(*, actor, project: ServiceProject, approve: bool, reason: str = "") -> ServiceProject:
    """The office approves a submitted project onto the menu, or returns it with a reason. An approved
    project may also be returned (taken off the menu) with a reason."""
    project = ServiceProject.objects.select_for_update().select_related("provider").get(pk=project.pk)
    require_office(actor, project.provider.federation_id)
    allowed = {ServiceProject.Status.SUBMITTED} | ({ServiceProject.Status.APPROVED} if not approve else set())
    if project.status not in allowed:
        raise ValidationError(_("Only submitted projects can be reviewed."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Please give a reason for returning the project.")})
    before = audit.snapshot(project)
    project.status = ServiceProject.Status.APPROVED if approve else ServiceProject.Status.RETURNED
    project.return_reason = "" if approve else reason.strip()
    project.reviewed_at = timezone.now()
    project.reviewed_by = actor
    project.save(update_fields=["status", "return_reason", "reviewed_at", "reviewed_by", "updated_at"])
    audit.log(
        actor=actor,
        action="menu.project.approve" if approve else "menu.project.return",
        obj=project,
        before=before,
        after=audit.snapshot(project),
        federation_id=project.provider.federation_id,
    )
    return project


@transaction.atomic
def project_delete(*, actor, project: ServiceProject) -> None:
    project = ServiceProject.objects.select_for_update().select_related("provider").get(pk=project.pk)
    _require_own(actor, project.provider)
    if project.status != ServiceProject.Status.DRAFT:
        raise ValidationError(_("Only drafts can be deleted."))
    audit.log(
        actor=actor,
        action="menu.project.delete",
        obj=project,
        before=audit.snapshot(project),
        federation_id=project.provider.federation_id,
    )
    project.delete()


@transaction.atomic
def project_photo_add(*, actor, project: ServiceProject, image, caption: str = "") -> ProjectPhoto:
    """The provider adds a photo to its project while the project can be edited (an approved project changes
    only through review). The file is checked, re-encoded without metadata and renamed before it is stored."""
    _require_own(actor, project.provider)
    if not project.is_editable:
        raise ValidationError(_("Photos can be added only while the project is a draft or returned."))
    caption = clean_text(caption, field="caption", label=_("the caption"), max_length=100, required=False)
    photo = ProjectPhoto.objects.create(
        project=project, image=uploads.clean_image(image, field="image"), caption=caption
    )
    audit.log(
        actor=actor,
        action="menu.photo.add",
        obj=photo,
        after=audit.snapshot(photo, ["project", "image", "caption"]),
        federation_id=project.provider.federation_id,
    )
    return photo


# ---- categories: global, kept by the top federation's office --------------------------------------------------


def _require_top_office(actor) -> None:
    if not is_top_office(actor):
        raise PermissionDenied(
            _(
                "Only the office of the top federation edits the service categories; please propose the change."
            )
        )


@transaction.atomic
def category_save(*, actor, category: Category | None = None, **fields) -> Category:
    """The top federation's office edits the category list (names are data; every federation's menu uses it)."""
    _require_top_office(actor)
    before = audit.snapshot(category) if category else None
    category = category or Category()
    for key, value in fields.items():
        setattr(category, key, value)
    category.full_clean()
    category.save()
    audit.log(
        actor=actor, action="menu.category.save", obj=category, before=before, after=audit.snapshot(category)
    )
    return category


def _office_federation(actor):
    """The federation an office member proposes for: the one of their office role nearest the top."""
    roles = [r for r in actor.roles.select_related("federation") if r.role == "office" and r.federation_id]
    if not roles:
        raise PermissionDenied
    return min((r.federation for r in roles), key=lambda f: (f.parent_id is not None, f.pk))


@transaction.atomic
def category_propose(
    *,
    actor,
    name_zh: str,
    reason: str,
    category: Category | None = None,
    name_en: str = "",
    description: str = "",
) -> CategoryProposal:
    """An office below the top federation proposes a new category (``category`` empty) or a change to one."""
    federation = _office_federation(actor)
    proposal = CategoryProposal(
        federation=federation,
        proposed_by=actor,
        category=category,
        name_zh=name_zh.strip(),
        name_en=name_en.strip(),
        description=description.strip(),
        reason=reason.strip(),
    )
    proposal.full_clean()
    proposal.save()
    audit.log(
        actor=actor,
        action="menu.category.propose",
        obj=proposal,
        after=audit.snapshot(proposal),
        federation_id=federation.pk,
    )
    return proposal


def _new_code(name_zh: str) -> str:
    base = slugify("-".join(lazy_pinyin(name_zh, style=Style.NORMAL)))[:36] or "category"
    code, n = base, 1
    while Category.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


@transaction.atomic
def category_proposal_decide(
    *, actor, proposal: CategoryProposal, accept: bool, response: str = ""
) -> CategoryProposal:
    """The top federation's office accepts (the category is written, audited as any edit) or declines (with a
    reason for the proposing office)."""
    _require_top_office(actor)
    proposal = CategoryProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != CategoryProposal.Status.PENDING:
        raise ValidationError(_("This proposal has already been decided."))
    if not accept and not response.strip():
        raise ValidationError({"response": _("Please say why the proposal is declined.")})
    before = audit.snapshot(proposal)
    if accept:
        fields = {
            "name_zh": proposal.name_zh,
            "name_en": proposal.name_en,
            "description": proposal.description,
        }
        if proposal.category is None:
            fields["code"] = _new_code(proposal.name_zh)
        proposal.category = category_save(actor=actor, category=proposal.category, **fields)
    proposal.status = CategoryProposal.Status.ACCEPTED if accept else CategoryProposal.Status.DECLINED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.response = response.strip()
    proposal.save()
    audit.log(
        actor=actor,
        action="menu.category.proposal.accept" if accept else "menu.category.proposal.decline",
        obj=proposal,
        before=before,
        after=audit.snapshot(proposal),
        federation_id=proposal.federation_id,
    )
    return proposal
