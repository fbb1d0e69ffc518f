"""The worklists' order (due, code, instance, id) in two partial indexes (issue 11): the live
rows', covering what the live filter asks of a row, in place of the one on their due time alone,
so that a page of overdue duties and its count are read from the index without a sort; and every
listed row's, so that the worklist API asked without a status no longer sorts the whole table
for each page."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("obligations", "0008_offer_owed_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="storedobligation",
            name="obligation_live_by_due",
        ),
        migrations.AddIndex(
            model_name="storedobligation",
            index=models.Index(condition=models.Q(done_at__isnull=True, ended_at__isnull=True, for_information=False),
                               fields=["due_at", "code", "instance", "id"],
                               include=("listed_from", "arises_at", "lapses_at"), name="obligation_live_in_order"),
        ),
        migrations.AddIndex(
            model_name="storedobligation",
            index=models.Index(condition=models.Q(for_information=False), fields=["due_at", "code", "instance", "id"],
                               include=("listed_from",), name="obligation_listed_in_order"),
        ),
    ]
