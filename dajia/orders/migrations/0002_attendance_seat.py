# Sign-ins get seat numbers 1…n per session (unique), given in the order they signed in.

from django.db import migrations, models


def number_seats(apps, schema_editor):
    Attendance = apps.get_model("orders", "Attendance")
    seat, order_id, changed = 0, None, []
    for a in Attendance.objects.order_by("order_id", "signed_at", "id").only("id", "order_id"):
        seat = seat + 1 if a.order_id == order_id else 1
        order_id = a.order_id
        a.seat = seat
        changed.append(a)
    Attendance.objects.bulk_update(changed, ["seat"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendance",
            name="seat",
            field=models.PositiveIntegerField(null=True, verbose_name="sign-in number"),
        ),
        migrations.RunPython(number_seats, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="attendance",
            name="seat",
            field=models.PositiveIntegerField(verbose_name="sign-in number"),
        ),
        migrations.AddConstraint(
            model_name="attendance",
            constraint=models.UniqueConstraint(fields=("order", "seat"), name="attendance_one_per_seat"),
        ),
        migrations.AddConstraint(
            model_name="attendance",
            constraint=models.CheckConstraint(condition=models.Q(("seat__gte", 1)), name="attendance_seat_positive"),
        ),
    ]
