from django.db import migrations


def add_defaults(apps, schema_editor):
    from dajia.menu.defaults import DEFAULT_CATEGORIES

    Category = apps.get_model("menu", "Category")
    for position, (code, zh, en, keywords) in enumerate(DEFAULT_CATEGORIES, start=1):
        Category.objects.get_or_create(
            code=code,
            defaults={"name_zh": zh, "name_en": en, "position": position, "keywords": "\n".join(keywords.split())},
        )


def remove_defaults(apps, schema_editor):
    from dajia.menu.defaults import DEFAULT_CATEGORIES

    apps.get_model("menu", "Category").objects.filter(code__in=[c[0] for c in DEFAULT_CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("menu", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, remove_defaults)]
