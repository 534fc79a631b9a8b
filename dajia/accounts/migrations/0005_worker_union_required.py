"""Every worker role names its union (filled by 0002)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_worker_union"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="roleassignment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("federation__isnull", False),
                        ("provider__isnull", True),
                        ("role", "office"),
                        ("union__isnull", True),
                    ),
                    models.Q(
                        ("federation__isnull", True),
                        ("provider__isnull", True),
                        ("role", "chair"),
                        ("union__isnull", False),
                    ),
                    models.Q(
                        ("federation__isnull", True),
                        ("provider__isnull", False),
                        ("role", "provider"),
                        ("union__isnull", True),
                    ),
                    models.Q(
                        ("federation__isnull", True),
                        ("provider__isnull", True),
                        ("role", "worker"),
                        ("union__isnull", False),
                    ),
                    models.Q(("provider__isnull", True), ("role", "expert")),
                    _connector="OR",
                ),
                name="role_scope_matches",
            ),
        ),
    ]
