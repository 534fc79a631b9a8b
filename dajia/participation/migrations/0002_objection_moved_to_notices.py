# Objection now belongs to dajia.notices (notices.0001 takes over the same table): drop it from this app's state
# only, and hand its content type (and so its permissions and admin log entries) to the new app.

from django.db import migrations


def hand_over_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    alias = schema_editor.connection.alias
    if ContentType.objects.using(alias).filter(app_label="notices", model="objection").exists():
        return
    ContentType.objects.using(alias).filter(app_label="participation", model="objection").update(
        app_label="notices"
    )


def give_back_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    alias = schema_editor.connection.alias
    if ContentType.objects.using(alias).filter(app_label="participation", model="objection").exists():
        return
    ContentType.objects.using(alias).filter(app_label="notices", model="objection").update(
        app_label="participation"
    )


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notices", "0001_initial"),
        ("participation", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="Objection")],
        ),
        migrations.RunPython(hand_over_content_type, give_back_content_type),
    ]
