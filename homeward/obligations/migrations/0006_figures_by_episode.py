from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('obligations', '0005_state_horizon_index'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='storedobligation',
            index=models.Index(fields=['episode', 'code'], include=('instance', 'for_information', 'listed_from', 'arises_at', 'due_at', 'done_at', 'late', 'lapses_at', 'ended_at', 'title'), name='obligation_figures_by_episode'),
        ),
    ]
