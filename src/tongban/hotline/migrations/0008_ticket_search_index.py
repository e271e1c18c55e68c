# Word search of ticket titles on PostgreSQL (a no-op on SQLite): a GIN index of each title's
# characters and character bigrams, upper-cased as Django's icontains compares
# (UPPER(title) LIKE UPPER('%word%')). `selectors.title_search` asks the index for the titles
# holding every bigram of the word (its one character when it has one) and keeps the icontains
# test, so the result is exactly that of the scan. pg_trgm is not used: a LIKE pattern of two
# characters (路灯) yields no trigram to look up. See docs/performance.md, "Data scale".
from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION hotline_title_grams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT string_to_array(v, NULL) || ARRAY(
        SELECT substr(v, i, 2) FROM generate_series(1, char_length(v) - 1) AS i
    )
    FROM (SELECT upper(value) AS v) AS cased
$$;
CREATE OR REPLACE FUNCTION hotline_word_grams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN char_length(v) < 2 THEN ARRAY[v] ELSE ARRAY(
        SELECT DISTINCT substr(v, i, 2) FROM generate_series(1, char_length(v) - 1) AS i
    ) END
    FROM (SELECT upper(value) AS v) AS cased
$$;
"""
# CONCURRENTLY: a large table keeps taking tickets while the index is built (hence atomic=False)
INDEX = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS ticket_title_grams ON hotline_ticket "
    "USING gin (hotline_title_grams(title))"
)
# Statistics of UPPER(title) let the planner estimate the icontains test from the titles
# themselves (not a fixed guess): with them it reads a frequent word's newest tickets from the
# created_at index and a rare word's through the gram index (run ANALYZE hotline_ticket after).
STATISTICS = (
    "CREATE STATISTICS IF NOT EXISTS ticket_title_upper ON (upper(title::text)) FROM hotline_ticket"
)
DROP = """
DROP STATISTICS IF EXISTS ticket_title_upper;
DROP INDEX CONCURRENTLY IF EXISTS ticket_title_grams;
DROP FUNCTION IF EXISTS hotline_word_grams(text);
DROP FUNCTION IF EXISTS hotline_title_grams(text);
"""


def forwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FUNCTIONS)
        cursor.execute(INDEX)
        cursor.execute(STATISTICS)


def backwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in DROP.split(";"):
            if statement.strip():
                cursor.execute(statement)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("hotline", "0007_partitioning")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
