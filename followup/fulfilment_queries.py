"""The fulfilment pages' queries of fixed shape with their SQL compiled once per process.

Each follow-up page reads the goal periods and the goal levels, and a few more lists of
the same shape whatever the request; through the ORM, building and compiling each such
query cost more Python than the query takes in the database, and a list of ids in an
``__in`` condition cost a dozen calls an id (the halvtidsuppföljning passes hundreds).
Here the queryset is compiled once per process and database (as ``styrning.request_rows``
does for the rows every request reads) and then run on a plain cursor: the same
statement, the same parameters, the rows as the ORM gives them. Only Python is saved.

The parameters are ids and numbers, and dates and datetimes (a period's end): each is
found in the compiled statement by a placeholder of its type, wherever and however often
the statement uses it. A query whose parameters do not all come back as built (on SQLite
a date comes back as text), whose columns the ORM would convert, or whose rows are not
plain instances or ``values_list`` tuples, is run through the ORM every time.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import EmptyResultSet
from django.utils import timezone

from styrning.request_rows import fetch, run_values

# The values a query is compiled with for its open parameters, by the type of the value
# passed (each must come back, as often as the query uses it); the query's other
# parameters (its constants) are kept as compiled.
_PLACEHOLDERS = (32_001, 32_002, 32_003, 32_004)
_DATE_PLACEHOLDERS = tuple(dt.date(1901, 2, 3 + i) for i in range(4))
_DATETIME_PLACEHOLDERS = tuple(
    dt.datetime(1901, 3, 4, 5, 6, 7, 8 + i, tzinfo=dt.UTC) for i in range(4)
)


def _placeholder(value, index):
    """The placeholder of the argument at ``index`` for a value of ``value``'s type."""
    if isinstance(value, dt.datetime):
        return _DATETIME_PLACEHOLDERS[index]
    if isinstance(value, dt.date):
        return _DATE_PLACEHOLDERS[index]
    return _PLACEHOLDERS[index]


def _kind(value):
    """``value`` told apart from a value of another type that compares equal (a date and
    an int never do, but an int and e.g. psycopg's Int2 of it should)."""
    if isinstance(value, dt.datetime):
        return ("datetime", value)
    if isinstance(value, dt.date):
        return ("date", value)
    return ("other", value)


# The ids a list argument is compiled with (one, then two to see where the list goes).
_LIST = (32_101, 32_102)


class CompiledQuery:
    """``build(*params)`` — a queryset of model instances (no ``select_related``) or of
    ``values_list`` rows — compiled once per process and database.

    ``build`` takes plain integers (ids, years), dates and aware datetimes, each argument
    always of one type, and gives the same SQL whatever they are; with ``in_list``, the
    argument at that position is a list of ids for one ``__in`` condition, written as the
    ORM writes it (duplicates and None dropped; an empty list gives no rows and no query
    where the ORM makes none, else goes through the ORM). Calling it gives
    ``list(build(*params))``: instances, or tuples for a values_list."""

    def __init__(self, build, in_list: int | None = None):
        self.build = build
        # Its positional parameters (keyword defaults bind constants of the query).
        self.arity = build.__code__.co_argcount - len(build.__defaults__ or ())
        self.in_list = in_list
        self.compiled: dict[tuple[str, str], tuple | None] = {}
        self.no_rows_without_ids: dict[str, bool] = {}

    def _args(self, placeholders, ids) -> list:
        args = list(placeholders)
        if self.in_list is not None:
            args[self.in_list] = list(ids)
        return args

    def _compile(self, using: str, given):
        # Each argument's placeholder is of the type of the first call's value.
        placeholders = [_placeholder(value, i) for i, value in enumerate(given[: self.arity])]
        queryset = self.build(*self._args(placeholders, _LIST[:1]))
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        if self.in_list is not None:
            # Where the list goes: the one "IN (%s)" that becomes "IN (%s, %s)" with two.
            two, two_params = (
                self.build(*self._args(placeholders, _LIST)).query.get_compiler(using).as_sql()
            )
            one_slot = "IN (%s)"
            if sql.count(one_slot) != 1 or two != sql.replace(one_slot, "IN (%s, %s)"):
                return None
            head, tail = sql.split(one_slot)
            params = list(params)
            if _LIST[0] not in params:
                return None
            at = params.index(_LIST[0]) + 1
            if list(two_params) != [*params[:at], _LIST[1], *params[at:]]:
                return None
            sql = (head + "IN (", ")" + tail)
            # An empty list: where the ORM then makes no query (the list is a condition of
            # the WHERE's AND) and so gives no rows, no rows without building the queryset
            # (a halvtid with no goals below its tops); else the ORM's query.
            try:
                self.build(*self._args(placeholders, [])).query.get_compiler(using).as_sql()
            except EmptyResultSet:
                self.no_rows_without_ids[using] = True
        # Per parameter: the index of the argument it takes and the type the ORM gives
        # it (an int, or e.g. psycopg's Int2 for a small integer field; None for a date
        # or datetime, passed as given), or its constant.
        where = {_kind(p): i for i, p in enumerate(placeholders) if i != self.in_list}
        slots = []
        for param in params:
            index = where.get(_kind(param))
            if isinstance(param, int) and param == _LIST[0] and self.in_list is not None:
                slots.append((self.in_list, type(param), "list"))
            elif index is not None:
                slots.append((index, type(param) if isinstance(param, int) else None, None))
            else:
                slots.append((None, None, param))
        if {slot[0] for slot in slots if slot[0] is not None} != set(range(self.arity)):
            return None  # an argument the SQL does not use as given (a date as text)
        if self.in_list is not None and sum(slot[2] == "list" for slot in slots) != 1:
            return None
        query = queryset.query
        kind = queryset._iterable_class.__name__
        if kind == "ValuesListIterable":
            # The converters the ORM applies to the columns (a count's int()), applied alike.
            columns = [column for column, _sql, _alias in compiler.select]
            converters = list(compiler.get_converters(columns).items())
            return sql, slots, converters
        if (
            kind != "ModelIterable"
            or query.select_related
            or query.annotation_select
            or query.deferred_loading[0]
            or compiler.klass_info is None
            or compiler.klass_info.get("related_klass_infos")
        ):
            return None
        fields = list(queryset.model._meta.concrete_fields)
        if [column.target for column, _sql, _alias in compiler.select] != fields:
            return None
        return sql, slots, fields

    def __call__(self, *params, using: str = "default") -> list:
        # Per database and time zone: a date of a datetime is compiled with the zone's name.
        key = (using, timezone.get_current_timezone_name())
        if key not in self.compiled:
            self.compiled[key] = self._compile(using, params)
        compiled = self.compiled[key]
        ids = None
        if self.in_list is not None:
            # As the ORM's In lookup: duplicates dropped (first kept), None dropped.
            ids = [i for i in dict.fromkeys(params[self.in_list]) if i is not None]
        if compiled is None:
            return list(self.build(*params))
        if ids is not None and not ids:
            # As the ORM, which makes no query (see ``_compile``), else the ORM's.
            return [] if self.no_rows_without_ids.get(using) else list(self.build(*params))
        sql, slots, fields = compiled
        values = []
        for index, to_type, constant in slots:
            if index is None:
                values.append(constant)
            elif constant == "list":
                values.extend(map(to_type, ids))
            elif to_type is None:
                values.append(params[index])
            else:
                values.append(to_type(params[index]))
        if ids is not None:
            sql = sql[0] + ", ".join(["%s"] * len(ids)) + sql[1]
        if not fields or not hasattr(fields[0], "model"):  # values_list: the converters
            converters = [(position, *found) for position, found in fields]
            return run_values(sql, values, converters, using)
        model = fields[0].model
        names = [f.attname for f in fields]
        return [model.from_db(using, names, row) for row in fetch(using, sql, values, fields)]
