"""`= ANY(array)`: the bulk paths' lookups of up to a thousand values in one parameter."""

from django.db.models import Lookup
from django.db.models.lookups import In


class AnyOf(Lookup):
    """`lhs = ANY(%s)` with the values as one array on PostgreSQL; `IN (...)` elsewhere.

    `__in` writes one placeholder per value: for a batch's thousand emails or client ids
    Django builds and psycopg parses a statement of a thousand parameters (too many for
    psycopg's statement cache), about 10 ms a lookup (docs/PERFORMANCE.md, Import). Used
    as an expression: `queryset.filter(AnyOf(Lower("email"), emails))`.
    """

    prepare_rhs = False

    def as_sql(self, compiler, connection):
        return In(self.lhs, list(self.rhs)).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        lhs, params = compiler.compile(self.lhs)
        array_type = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(CAST(%s AS {array_type}[]))", [*params, list(self.rhs)]
