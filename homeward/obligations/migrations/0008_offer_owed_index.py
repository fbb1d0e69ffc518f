"""The performance report's return interviews owed read from a partial index of the offers
alone (issue 11): one row an episode, covering what the figures need."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("obligations", "0007_closed_episode_rows_end"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="storedobligation",
            index=models.Index(condition=models.Q(code="rhi_offered", instance=1), fields=["episode"],
                               include=("arises_at", "due_at", "done_at"), name="obligation_offer_owed"),
        ),
    ]
