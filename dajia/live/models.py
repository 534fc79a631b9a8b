from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LiveEvent(models.Model):
    """The change log behind live pages.

    Every published event gets a row, so its primary key is a cluster-wide, increasing id: the SSE ``id:``
    a browser sends back as ``Last-Event-ID`` to resume, and the transport of last resort when there is no
    Redis (each process polls this table). Rows only need to outlive a reconnect; the bus prunes old ones.
    Events are public (counts, states, ids), never scores or names.
    """

    channel = models.CharField(_("channel"), max_length=64)
    event = models.CharField(_("event"), max_length=64)
    data = models.JSONField(_("data"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("live event")
        verbose_name_plural = _("live events")
        indexes = [models.Index(fields=["channel", "id"], name="live_event_channel_id")]

    def __str__(self) -> str:
        return f"{self.channel}#{self.pk} {self.event}"
