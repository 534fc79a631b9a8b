"""A worker belongs to a grassroots union (and through it to a federation): the union link, optional until now,
is filled here and required for every worker role by the next migration (0003: PostgreSQL will not alter a
table in the transaction that just changed its rows).

Filling: the union the account chairs, else the union named on the account's latest need. A worker role with
neither cannot be placed in any federation; it is removed (the account itself stays, and the role granted
nothing the plain account lacks) rather than guessed.
"""

from django.db import migrations, models


def fill_worker_unions(apps, schema_editor):
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    Need = apps.get_model("needs", "Need")
    for role in RoleAssignment.objects.filter(role="worker", union__isnull=True):
        union_id = (
            RoleAssignment.objects.filter(user_id=role.user_id, role="chair")
            .values_list("union_id", flat=True)
            .first()
        ) or (
            Need.objects.filter(author_id=role.user_id, union__isnull=False)
            .order_by("-created_at")
            .values_list("union_id", flat=True)
            .first()
        )
        if union_id:
            RoleAssignment.objects.filter(pk=role.pk).update(union_id=union_id, federation_id=None)
        else:
            role.delete()
    # A worker acts for their union only: a federation or provider on the role never applied.
    RoleAssignment.objects.filter(role="worker").exclude(federation__isnull=True).update(federation=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_registration_code"),
        ("orgs", "0001_initial"),
        ("needs", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="roleassignment",
            name="role_scope_matches",
        ),
        migrations.RunPython(fill_worker_unions, migrations.RunPython.noop),
    ]
