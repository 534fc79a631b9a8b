from django import forms
from django.utils.translation import gettext_lazy as _

from dajia.core.forms import Form, ModelForm
from dajia.menu.models import Category, CategoryProposal, ServiceProject


class ProjectForm(Form):
    """Field shapes only; the rules (price, counts, uniqueness) live in the project services."""

    title = forms.CharField(label=_("Project title"), max_length=100)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.active())
    description = forms.CharField(label=_("Service content"), widget=forms.Textarea)
    format = forms.ChoiceField(label=_("Format"), choices=ServiceProject.Format.choices)
    audience = forms.CharField(label=_("Audience"), max_length=200)
    duration_minutes = forms.CharField(label=_("Duration (minutes)"), max_length=6)
    price = forms.CharField(
        label=_("Price per session (yuan)"),
        max_length=20,
        help_text=_("0 for a free public-welfare project."),
    )
    capacity = forms.CharField(label=_("Capacity per session"), max_length=6)
    sessions_per_year = forms.CharField(label=_("Sessions per year"), max_length=6)
    areas_served = forms.CharField(label=_("Areas served"), max_length=200, required=False)

    @classmethod
    def initial_from(cls, project: ServiceProject) -> dict:
        return {
            "title": project.title,
            "category": project.category_id,
            "description": project.description,
            "format": project.format,
            "audience": project.audience,
            "duration_minutes": project.duration_minutes,
            "price": project.price,
            "capacity": project.capacity,
            "sessions_per_year": project.sessions_per_year,
            "areas_served": project.areas_served,
        }


class PhotoForm(Form):
    # A plain file field: whether it is a photo, and how large it may be, is dajia.core.uploads' rule (the service).
    image = forms.FileField(
        label=_("Photo"), widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/*"})
    )
    caption = forms.CharField(label=_("Caption"), max_length=100, required=False)


class ReturnForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CategoryForm(ModelForm):
    class Meta:
        model = Category
        fields = ["code", "name_zh", "name_en", "description", "keywords", "position", "active"]


class CategoryProposalForm(ModelForm):
    class Meta:
        model = CategoryProposal
        fields = ["category", "name_zh", "name_en", "description", "reason"]


class ProposalDecisionForm(Form):
    accept = forms.TypedChoiceField(choices=[("1", "accept"), ("0", "decline")], coerce=lambda v: v == "1")
    response = forms.CharField(label=_("Response"), max_length=300, required=False)
