from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('interviews', '0003_patterns_covering'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='returninterview',
            index=models.Index(fields=['episode'], include=('outcome',), name='rhi_outcome_covering'),
        ),
    ]
