from django.db import migrations


def add_defaults(apps, schema_editor):
    from dajia.menu.defaults import install_default_categories

    install_default_categories(apps.get_model("menu", "Category"))


def remove_defaults(apps, schema_editor):
    from dajia.menu.defaults import DEFAULT_CATEGORIES

    apps.get_model("menu", "Category").objects.filter(code__in=[c[0] for c in DEFAULT_CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("menu", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, remove_defaults)]
