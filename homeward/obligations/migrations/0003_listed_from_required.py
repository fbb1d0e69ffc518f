from django.db import migrations, models


class Migration(migrations.Migration):
    # Apart from 0002's data step: PostgreSQL refuses to alter a table with pending trigger events.
    dependencies = [("obligations", "0002_casework_history")]

    operations = [
        migrations.AlterField(model_name="storedobligation", name="listed_from", field=models.DateTimeField()),
    ]
