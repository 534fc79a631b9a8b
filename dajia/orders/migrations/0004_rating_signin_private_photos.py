# A rating is the chair's or a sign-in's; delivery photos move out of the public media folder into private storage.

from django.db import migrations, models

import dajia.core.uploads


def move_photos(apps, schema_editor):
    from django.core.files.storage import default_storage

    DeliveryPhoto = apps.get_model("orders", "DeliveryPhoto")
    private = dajia.core.uploads.private_storage()
    for photo in DeliveryPhoto.objects.only("id", "image"):
        name = photo.image.name
        if not name or not default_storage.exists(name) or private.exists(name):
            continue
        with default_storage.open(name, "rb") as f:
            saved = private.save(name, f)
        if saved != name:
            DeliveryPhoto.objects.filter(pk=photo.pk).update(image=saved)
        default_storage.delete(name)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_rating_attendance"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="rating", name="rating_one_per_device"),
        migrations.RemoveConstraint(model_name="rating", name="rating_attendee_has_device"),
        migrations.RemoveField(model_name="rating", name="device"),
        migrations.AddConstraint(
            model_name="rating",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("attendance__isnull", True), ("role", "chair")),
                    models.Q(("attendance__isnull", False), ("role", "attendee")),
                    _connector="OR",
                ),
                name="rating_attendee_has_signin",
            ),
        ),
        migrations.AlterField(
            model_name="deliveryphoto",
            name="image",
            field=models.ImageField(
                storage=dajia.core.uploads.private_storage, upload_to="deliveries/%Y/%m/", verbose_name="photo"
            ),
        ),
        migrations.RunPython(move_photos, migrations.RunPython.noop),
    ]
