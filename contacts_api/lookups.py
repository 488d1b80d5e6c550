"""Lookups the project's queries share."""

from django.db.models.lookups import In


class InArray(In):
    """`IN` with the values as one array parameter on PostgreSQL: `col = ANY(%s::type[])`.

    The statement's text is then the same for any number of values, so psycopg parses it
    once and prepares it once, and binds one parameter instead of a hundred. Elsewhere it
    is Django's `IN`. Use it as an expression: `queryset.filter(InArray(F("pk"), ids))`.
    """

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        db_type = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{db_type}[])", (*lhs_params, list(self.rhs))
