"""Each episode keeps its places normalised (`Episode.last_seen_place`, `Episode.found_place`,
issue 11), filled here for the episodes already recorded; the patterns report's covering index
holds them instead of the texts, and a place's episodes by start are indexed with the text as
written."""

from typing import Any

from django.db import migrations, models

from homeward.episodes.places import normalise_place


def _backfill(apps: Any, schema_editor: Any) -> None:
    """Every episode's places from its texts. The distinct texts (a few thousand among a national
    service's million episodes) are normalised here, by the function the model uses, then on
    PostgreSQL written by one UPDATE that looks each episode's texts up in a JSON object of them
    (one pass over the table, each row written once); elsewhere (SQLite) one UPDATE a text."""
    connection = schema_editor.connection
    table = schema_editor.quote_name(apps.get_model("episodes", "Episode")._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT location_last_seen FROM {table} UNION SELECT found_location FROM {table}")  # noqa: S608
        places = {text: place for (text,) in cursor.fetchall() if text and (place := normalise_place(text))}
        if not places:
            return
        if connection.vendor == "postgresql":
            import json

            cursor.execute(
                f"UPDATE {table} SET last_seen_place = COALESCE(%s::jsonb ->> location_last_seen, ''), "  # noqa: S608
                "found_place = COALESCE(%s::jsonb ->> found_location, '') "
                "WHERE location_last_seen <> '' OR found_location <> ''", [json.dumps(places)] * 2)
            return
        for column, place_column in (("location_last_seen", "last_seen_place"), ("found_location", "found_place")):
            cursor.executemany(f"UPDATE {table} SET {place_column} = %s WHERE {column} = %s",  # noqa: S608
                               [(place, text) for text, place in places.items()])


class Migration(migrations.Migration):

    dependencies = [
        ('children', '0003_external_id_optional'),
        ('episodes', '0007_patterns_covering'),
        ('reference', '0001_initial'),
    ]

    operations = [
        # Dropped before the episodes are written, so that the UPDATE does not keep it.
        migrations.RemoveIndex(
            model_name='episode',
            name='episode_period_covering',
        ),
        migrations.AddField(
            model_name='episode',
            name='found_place',
            field=models.CharField(blank=True, editable=False, max_length=300),
        ),
        migrations.AddField(
            model_name='episode',
            name='last_seen_place',
            field=models.CharField(blank=True, editable=False, max_length=300),
        ),
        migrations.RunPython(_backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='episode',
            index=models.Index(condition=models.Q(('status', 'cancelled'), _negated=True), fields=['missing_since'], include=('id', 'child', 'found_at', 'last_seen_place', 'found_place'), name='episode_period_covering'),
        ),
        migrations.AddIndex(
            model_name='episode',
            index=models.Index(condition=models.Q(('status', 'cancelled'), _negated=True), fields=['last_seen_place', 'missing_since'], include=('id', 'location_last_seen'), name='episode_last_seen_place'),
        ),
        migrations.AddIndex(
            model_name='episode',
            index=models.Index(condition=models.Q(('status', 'cancelled'), _negated=True), fields=['found_place', 'missing_since'], include=('id', 'found_location'), name='episode_found_place'),
        ),
    ]
