# The model Objection moves here from dajia.participation: the table (participation_objection) and its rows stay
# where they are; only Django's idea of which app owns the model changes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('consultations', '0001_initial'),
        ('participation', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Objection',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=50, verbose_name='real name')),
                        ('mobile', models.CharField(max_length=11, verbose_name='mobile number')),
                        ('mobile_verified', models.BooleanField(default=False, verbose_name='number verified by code')),
                        ('reasons', models.TextField(verbose_name='facts and reasons')),
                        ('status', models.CharField(choices=[('pending', 'awaiting a response'), ('upheld', 'upheld'), ('rejected', 'rejected')], default='pending', max_length=16, verbose_name='status')),
                        ('response', models.TextField(blank=True, verbose_name='response')),
                        ('responded_at', models.DateTimeField(blank=True, null=True, verbose_name='responded at')),
                        ('filed_at', models.DateTimeField(verbose_name='filed at')),
                        ('ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='client address')),
                        ('entry', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='objections', to='consultations.sessionproject', verbose_name='project objected to')),
                        ('responded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='objections', to='consultations.session', verbose_name='session')),
                    ],
                    options={
                        'db_table': 'participation_objection',
                        'verbose_name': 'objection',
                        'verbose_name_plural': 'objections',
                        'ordering': ['filed_at', 'id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'upheld', 'rejected'])), name='objection_status_valid'), models.CheckConstraint(condition=models.Q(('status', 'pending'), models.Q(('response', ''), _negated=True), _connector='OR'), name='objection_decision_has_response')],
                    },
                ),
            ],
        ),
    ]
