# RateCounter now belongs to dajia.core (core.0003 takes over the same table): drop it from this app's state only.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_ratecounter"),
        ("participation", "0002_objection_moved_to_notices"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="RateCounter")],
        ),
    ]
