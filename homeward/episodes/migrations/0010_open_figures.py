"""The episodes open now, indexed with what the board counts and filters them by (issue 11): a
partial index of the few thousand open among a million."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('children', '0003_external_id_optional'),
        ('episodes', '0009_vacuum_after_places'),
        ('reference', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='episode',
            index=models.Index(condition=models.Q(('status', 'open')), fields=['risk_level', 'missing_since'], include=('id', 'missing_from', 'rhi_out_of_area'), name='episode_open_figures'),
        ),
    ]
