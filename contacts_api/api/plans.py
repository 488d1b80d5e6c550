"""How a list's total is counted and how a search's page is found: the project's one
module of planner work. docs/PERFORMANCE.md has the measurements behind each choice.

- The total is counted up to API_EXACT_COUNT_LIMIT + 1 rows, so "more than 10,000" never
  counts 300,000 rows. Above the cap it is estimated from a sample of the table's pages
  (TABLESAMPLE), in the same statement, as API.md 1.2 allows: far cheaper than counting
  a common word's hundreds of thousands of matches. The planner's own row estimate is
  no substitute: it takes the fields a word is matched in for independent (a last name
  is also in the email) and is far too high for common words.
- A search with at most cap matches has its page found through the search's own indexes
  and then sorted. Ordered by id or a sort index, PostgreSQL would walk that index testing
  row after row whenever it overestimates the matches, and read the whole table for a
  rare or absent word. With more than cap matches (1 % of the rows or more) walking the
  sort index is the right plan, and is left to the planner.
"""

from django.conf import settings
from django.db import connections
from django.db.models import F, OrderBy, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import PatternLookup

# A large total is estimated from a sample of about SAMPLE_ROWS rows when at least
# ENOUGH_MATCHES of them match (a standard error near 5 %), else from one five times
# larger (a list over the cap matches at least 1 % of the rows: 500 or more of them).
SAMPLE_ROWS = 10_000
ENOUGH_MATCHES = 400


def count_statement(queryset) -> tuple[str, tuple]:
    """PostgreSQL: (sql, params) of one row: the count up to cap + 1 and, when that is
    over the cap, the estimated total."""
    cap = settings.API_EXACT_COUNT_LIMIT
    connection = connections[queryset.db]
    # SELECT 1: an index holding only the filtered columns can answer (index-only scan).
    sql, params = queryset.order_by().values(one=Value(1)).query.sql_with_params()
    table = connection.ops.quote_name(queryset.model._meta.db_table)

    def sampled(pct: str) -> str:
        return sql.replace(f"FROM {table}", f"FROM {table} TABLESAMPLE SYSTEM (({pct})) REPEATABLE (0)", 1)

    statement = f"""WITH sample AS (
          SELECT LEAST(100, 100.0 * {SAMPLE_ROWS} / GREATEST(reltuples, 1))::float8 AS pct,
                 LEAST(100, 500.0 * {SAMPLE_ROWS} / GREATEST(reltuples, 1))::float8 AS larger
          FROM pg_class WHERE oid = '{table}'::regclass
        ),
        capped AS (SELECT COUNT(*) AS n FROM ({sql} LIMIT {cap + 1}) AS rows),
        small AS (SELECT COUNT(*) AS n FROM ({sampled("SELECT pct FROM sample")}) AS rows)
        SELECT n, CASE
          WHEN n <= {cap} THEN NULL
          WHEN (SELECT n FROM small) >= {ENOUGH_MATCHES} THEN (SELECT n FROM small) * 100 / (SELECT pct FROM sample)
          ELSE (SELECT COUNT(*) FROM ({sampled("SELECT larger FROM sample")}) AS rows) * 100
               / (SELECT larger FROM sample)
        END FROM capped"""
    return statement, (*params, *params, *params)


def count_total(queryset) -> tuple[int, bool]:
    """(total, total_exact) of a list: one statement, exact up to the cap."""
    cap = settings.API_EXACT_COUNT_LIMIT
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        # The embedded SQLite holds few rows and has no sampling: it counts them all.
        return queryset.order_by().count(), True
    with connection.cursor() as cursor:
        cursor.execute(*count_statement(queryset))
        counted, estimate = cursor.fetchone()
    if counted <= cap:
        return counted, True
    return max(round(estimate), counted), False


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
