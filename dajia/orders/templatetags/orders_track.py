"""``{% load orders_track %}`` then ``{% track_record_for_project project %}`` or
``{% track_record_for_provider provider %}``: the track-record card computed from the records.

On a list page, call ``dajia.orders.selectors.attach_track_records(projects)`` in the view first, so the tag
reads ``project.track_record`` instead of querying once per project."""

from django import template

from dajia.orders.selectors import TrackRecord, track_record

register = template.Library()


@register.inclusion_tag("orders/_track_record.html")
def track_record_for_project(project, heading=True):
    record = getattr(project, "track_record", None)
    if not isinstance(record, TrackRecord):
        record = track_record(project_ids=[project.pk])[project.pk]
    return {"record": record, "heading": heading}


@register.inclusion_tag("orders/_track_record.html")
def track_record_for_provider(provider, heading=True):
    record = track_record(provider_ids=[provider.pk])[provider.pk]
    return {"record": record, "heading": heading, "provider": provider}


@register.inclusion_tag("orders/_track_record_inline.html")
def track_record_summary(project):
    """One line for a table cell (e.g. a session's invited projects)."""
    record = getattr(project, "track_record", None)
    if not isinstance(record, TrackRecord):
        record = track_record(project_ids=[project.pk])[project.pk]
    return {"record": record}
