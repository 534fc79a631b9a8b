# RateCounter moves from dajia.participation to core, beside the one rate limiter (dajia/core/ratelimit.py) that
# every app's limits use: the state changes, the table (participation_ratecounter) and its rows stay.

from django.db import migrations, models


def hand_over_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    alias = schema_editor.connection.alias
    if ContentType.objects.using(alias).filter(app_label="core", model="ratecounter").exists():
        return
    ContentType.objects.using(alias).filter(app_label="participation", model="ratecounter").update(
        app_label="core"
    )


def give_back_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    alias = schema_editor.connection.alias
    if ContentType.objects.using(alias).filter(app_label="participation", model="ratecounter").exists():
        return
    ContentType.objects.using(alias).filter(app_label="core", model="ratecounter").update(
        app_label="participation"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0002_workday_calendar"),
        ("participation", "0002_objection_moved_to_notices"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="RateCounter",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=120)),
                        ("window_start", models.DateTimeField(db_index=True)),
                        ("hits", models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        "verbose_name": "rate-limit counter",
                        "verbose_name_plural": "rate-limit counters",
                        "db_table": "participation_ratecounter",
                        "constraints": [
                            models.UniqueConstraint(fields=("key", "window_start"), name="rate_counter_unique")
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(hand_over_content_type, give_back_content_type),
    ]
