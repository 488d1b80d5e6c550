"""How a list's total is counted and how a search's page is found: the project's one
module of planner work. docs/PERFORMANCE.md has the measurements behind each choice.

- The total is counted up to API_EXACT_COUNT_LIMIT + 1 rows, so "more than 10,000" never
  counts 300,000 rows; above the cap it is estimated from a sample of the table's pages
  (TABLESAMPLE), in the same statement: the estimate costs a few milliseconds, where
  counting a common word's 260,000 matches took 300-600 ms. A list just over the cap,
  whose matches are too few in the sample, is counted instead (up to WIDER_CAP). API.md 1.2 allows an estimate within 20 % there.
  The planner's own row estimate is no substitute: a word matched in the last name is
  also matched in the email, and the planner, taking the fields as independent, was
  70-110 % too high for common words.
- A search with at most cap matches has its page found through the search's own indexes
  and then sorted. Ordered by id or a sort index, PostgreSQL would walk that index testing
  row after row whenever it overestimates the matches, which it does for the same reason,
  and read the whole table for a rare or absent word. With more than cap matches (1 % of
  the rows or more) walking the sort index is the right plan, and is left to the planner.
"""

from django.conf import settings
from django.db import connections
from django.db.models import F, OrderBy
from django.db.models.functions import Coalesce
from django.db.models.lookups import PatternLookup

# A large total is estimated from a sample of about SAMPLE_ROWS rows when at least
# ENOUGH_MATCHES of them match (a standard error near 7 %). Fewer mean the list holds
# less than 2 % of the rows, close to the cap: it is then counted, up to WIDER_CAP.
SAMPLE_ROWS = 10_000
ENOUGH_MATCHES = 200
WIDER_CAP = 50_000


def count_statement(queryset) -> tuple[str, tuple]:
    """PostgreSQL: (sql, params) of one row: the count up to cap + 1, and when that is
    over the cap, the sample's matches, the sample's share of the table in per cent, and
    (when the sample is too thin) the count up to WIDER_CAP + 1."""
    cap = settings.API_EXACT_COUNT_LIMIT
    connection = connections[queryset.db]
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    sampled = sql.replace(
        f"FROM {table}", f"FROM {table} TABLESAMPLE SYSTEM ((SELECT pct FROM sample)) REPEATABLE (0)", 1
    )
    statement = f"""WITH sample AS (
          SELECT LEAST(100, 100.0 * {SAMPLE_ROWS} / GREATEST(reltuples, 1))::float8 AS pct
          FROM pg_class WHERE oid = '{table}'::regclass
        ),
        capped AS (SELECT COUNT(*) AS n FROM ({sql} LIMIT {cap + 1}) AS rows),
        sampled AS (SELECT COUNT(*) AS n FROM ({sampled}) AS rows)
        SELECT n,
          CASE WHEN n > {cap} THEN (SELECT n FROM sampled) END,
          (SELECT pct FROM sample),
          CASE WHEN n > {cap} AND (SELECT n FROM sampled) < {ENOUGH_MATCHES} THEN
            (SELECT COUNT(*) FROM ({sql} LIMIT {WIDER_CAP + 1}) AS rows)
          END
        FROM capped"""
    return statement, (*params, *params, *params)


def count_total(queryset) -> tuple[int, bool]:
    """(total, total_exact) of a list: one statement, exact up to the cap."""
    cap = settings.API_EXACT_COUNT_LIMIT
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        # The embedded SQLite holds few rows: past the cap it counts them all.
        counted = queryset.order_by().values("pk")
        total = counted[: cap + 1].count()
        return (total, True) if total <= cap else (counted.count(), True)
    with connection.cursor() as cursor:
        cursor.execute(*count_statement(queryset))
        counted, in_sample, pct, wider = cursor.fetchone()
    if counted <= cap:
        return counted, True
    if wider is not None and wider <= WIDER_CAP:
        return wider, True
    return max(round(in_sample * 100 / pct), wider or counted), False


def has_pattern_match(node) -> bool:
    """Whether a WHERE tree holds a LIKE (contains, startswith, ...)."""
    if isinstance(node, PatternLookup):
        return True
    return any(has_pattern_match(child) for child in getattr(node, "children", ()))


def page_queryset(queryset, total: int):
    """The queryset to read a page from, once its total is known."""
    if total > settings.API_EXACT_COUNT_LIMIT or not has_pattern_match(queryset.query.where):
        return queryset
    # COALESCE(x, x) sorts exactly like x, but no index is on it: the matches are found
    # through the search's indexes, then sorted.
    wrapped = []
    for item in queryset.query.order_by or queryset.model._meta.ordering:
        if isinstance(item, str):
            name = item.lstrip("-")
            expression = F("id" if name == "pk" else name)
            wrapped.append(OrderBy(Coalesce(expression, expression), descending=item.startswith("-")))
        else:
            wrapped.append(OrderBy(Coalesce(item.expression, item.expression), descending=item.descending))
    return queryset.order_by(*wrapped)
