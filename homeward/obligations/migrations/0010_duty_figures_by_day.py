"""Closed episodes' duty figures rolled up by the London day they began (issue 11), rolled for
every day at once from the rows already stored (at national scale, a minute)."""

from django.db import migrations, models


def roll_every_day(apps, schema_editor):
    from homeward.obligations.duty_days import duty_days_roll_all

    duty_days_roll_all(apps.get_model("obligations", "StoredObligation"), apps.get_model("obligations", "DutyDay"),
                       apps.get_model("obligations", "DutyFigures"))


class Migration(migrations.Migration):

    dependencies = [
        ('obligations', '0009_ordered_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='DutyDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(unique=True)),
                ('rolled_at', models.DateTimeField(blank=True, null=True)),
                ('roll_after', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'indexes': [models.Index(condition=models.Q(('rolled_at__isnull', True)), fields=['roll_after'], name='duty_day_to_roll')],
            },
        ),
        migrations.CreateModel(
            name='DutyFigures',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('code', models.SlugField(db_index=False, max_length=60)),
                ('title', models.CharField(max_length=200)),
                ('owed', models.PositiveIntegerField()),
                ('done_in_time', models.PositiveIntegerField()),
                ('done_late', models.PositiveIntegerField()),
                ('missed', models.PositiveIntegerField()),
                ('not_done', models.PositiveIntegerField()),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('day', 'code'), name='duty_figures_one_per_day')],
            },
        ),
        migrations.RunPython(roll_every_day, migrations.RunPython.noop, elidable=True),
    ]
