# A 公示 of 0 working days is refused from now on. A session saved with 0 had a one-day window on its notice page
# (the page counted at least one day), so it keeps that day here before the constraint is added.

import django.core.validators
from django.conf import settings
from django.db import migrations, models


def zero_days_become_one(apps, schema_editor):
    Session = apps.get_model("consultations", "Session")
    Session.objects.using(schema_editor.connection.alias).filter(objection_days__lt=1).update(objection_days=1)


class Migration(migrations.Migration):

    dependencies = [
        ('consultations', '0001_initial'),
        ('orgs', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(zero_days_become_one, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='session',
            name='objection_days',
            field=models.PositiveSmallIntegerField(default=5, validators=[django.core.validators.MinValueValidator(1, 'The public notice lasts at least one working day (usually 5 to 7).')], verbose_name='objection window (working days)'),
        ),
        migrations.AddConstraint(
            model_name='session',
            constraint=models.CheckConstraint(condition=models.Q(('objection_days__gte', 1)), name='session_objection_days_at_least_1', violation_error_message='The public notice lasts at least one working day (usually 5 to 7).'),
        ),
    ]
