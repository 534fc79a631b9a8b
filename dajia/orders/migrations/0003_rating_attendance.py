# Attendees' ratings belong to their sign-in (linked here by the old device id; the constraints follow in 0004,
# a separate transaction, because PostgreSQL cannot alter a table with pending foreign-key checks).

import django.db.models.deletion
from django.db import migrations, models


def link_ratings(apps, schema_editor):
    Attendance = apps.get_model("orders", "Attendance")
    Rating = apps.get_model("orders", "Rating")
    signins = {(o, d): pk for pk, o, d in Attendance.objects.values_list("pk", "order_id", "device")}
    changed = []
    for r in Rating.objects.filter(role="attendee").only("id", "order_id", "device"):
        r.attendance_id = signins.get((r.order_id, r.device))
        changed.append(r)
    Rating.objects.bulk_update(changed, ["attendance"], batch_size=500)
    # The old service refused a rating from a phone that had not signed in, so none should be left without a
    # sign-in; one that is (its sign-in deleted in the admin) cannot be attributed to anyone and does not count.
    Rating.objects.filter(role="attendee", attendance__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_attendance_seat"),
    ]

    operations = [
        migrations.AddField(
            model_name="rating",
            name="attendance",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="rating",
                to="orders.attendance",
            ),
        ),
        migrations.RunPython(link_ratings, migrations.RunPython.noop),
    ]
