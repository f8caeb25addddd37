"""The rows every logged-in request reads: its session, its user, the user's memberships,
and the municipality the deployment serves.

Each is one small query, the same on every request with only a key changing. Through
the ORM, compiling such a query and building its instances cost three to four times
the query itself (the membership query with its two joins: 2.4 ms, of which 0.6 ms
SQL); here the SQL is written once per process from the models' own fields and run on
a plain cursor, the values pass through the converters the ORM would apply (``fetch``:
on SQLite, datetimes, decimals and booleans come back raw), and the instances are built
with ``Model.from_db`` as the ORM builds them. The queries are the same ones (same
tables, same conditions); only Python is saved.
"""

from __future__ import annotations

from functools import cache

from django.db import connections


def _columns(model, alias: str) -> tuple[str, list]:
    """``alias."col", …`` for every concrete field of ``model``, and the fields."""
    fields = model._meta.concrete_fields
    return ", ".join(f'{alias}."{f.column}"' for f in fields), list(fields)


def _converters(connection, fields) -> list[tuple[int, list, object]]:
    """(position, converters, column) for the ``fields`` read at those positions whose
    values the ORM converts on this database (as ``SQLCompiler.get_converters``); kept
    on the connection, per list of fields."""
    kept = connection.__dict__.setdefault("_styrning_converters", {})
    # The fields' identities: a tuple of the fields would hash each through the Python of
    # Field.__hash__ (two calls a field, some 150 on every request). Model fields live as
    # long as the process, so an id names one field.
    key = tuple(map(id, fields))
    if key not in kept:
        kept[key] = _find_converters(connection, fields)
    return kept[key]


def _find_converters(connection, fields) -> list[tuple[int, list, object]]:
    found = []
    for position, field in enumerate(fields):
        column = field.get_col(field.model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if converters:
            found.append((position, converters, column))
    return found


def fetch(using: str, sql: str, params, fields) -> list[list]:
    """Run ``sql`` on a plain cursor; each row's values, read into ``fields`` in order,
    converted as the ORM converts them (none on PostgreSQL for the usual types)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = _converters(connection, fields)
    if not converters:
        return [list(row) for row in rows]
    return convert_rows(rows, converters, connection)


def convert_rows(rows, converters, connection) -> list[list]:
    """Each row as a list, its values converted as the ORM's compiler converts them
    (``SQLCompiler.apply_converters``): ``converters`` are (position, functions,
    expression). The one place a raw cursor's rows are converted (here, the follow-up
    lists' and the overview pages' compiled queries)."""
    result = []
    for row in map(list, rows):
        for position, functions, expression in converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        result.append(row)
    return result


def _instance(model, using: str, fields, values):
    return model.from_db(using, [f.attname for f in fields], values)


@cache
def _session_sql(model) -> tuple[str, list]:
    fields = [model._meta.get_field(name) for name in ("session_key", "session_data")]
    fields.append(model._meta.get_field("expire_date"))
    sql = (
        f'SELECT "session_key", "session_data", "expire_date" FROM "{model._meta.db_table}" '
        f'WHERE "expire_date" > %s AND "session_key" = %s'
    )
    return sql, fields


def session_row(model, using: str, session_key: str, now):
    """The unexpired session ``session_key`` (an instance of ``model``), or None."""
    sql, fields = _session_sql(model)
    # The datetime as the ORM passes it (SQLite stores it as naive UTC text).
    when = connections[using].ops.adapt_datetimefield_value(now)
    rows = fetch(using, sql, [when, session_key], fields)
    return _instance(model, using, fields, rows[0]) if rows else None


@cache
def _user_sql(model) -> tuple[str, list]:
    columns, fields = _columns(model, "u")
    pk = model._meta.pk.column
    return f'SELECT {columns} FROM "{model._meta.db_table}" u WHERE u."{pk}" = %s', fields


def user_row(model, using: str, pk):
    """The user with primary key ``pk`` (an instance of ``model``), or None."""
    sql, fields = _user_sql(model)
    rows = fetch(using, sql, [pk], fields)
    return _instance(model, using, fields, rows[0]) if rows else None


@cache
def _membership_sql() -> tuple[str, list, list]:
    from styrning.models import Membership, OrgUnit

    units, unit_fields = _columns(OrgUnit, "u")
    parents, _ = _columns(OrgUnit, "p")
    membership, membership_fields = _columns(Membership, "m")
    sql = (
        f"SELECT {membership}, {units}, {parents} "
        f'FROM "{Membership._meta.db_table}" m '
        f'INNER JOIN "{OrgUnit._meta.db_table}" u ON u."id" = m."unit_id" '
        f'LEFT OUTER JOIN "{OrgUnit._meta.db_table}" p ON p."id" = u."parent_id" '
        f'WHERE m."user_id" = %s'
    )
    return sql, membership_fields, unit_fields


def memberships(user, using: str = "default") -> list:
    """The user's memberships, each with its unit and the unit's parent loaded (as
    ``select_related("unit__parent")`` gives them), in no particular order."""
    from styrning.models import Membership, OrgUnit

    sql, membership_fields, unit_fields = _membership_sql()
    first_unit = len(membership_fields)
    first_parent = first_unit + len(unit_fields)
    fields = membership_fields + unit_fields + unit_fields
    result = []
    for row in fetch(using, sql, [user.pk], fields):
        membership = _instance(Membership, using, membership_fields, row[:first_unit])
        unit = _instance(OrgUnit, using, unit_fields, row[first_unit:first_parent])
        parent_values = row[first_parent:]
        parent = None
        if parent_values[0] is not None:
            parent = _instance(OrgUnit, using, unit_fields, parent_values)
        unit._state.fields_cache["parent"] = parent
        membership._state.fields_cache["unit"] = unit
        membership._state.fields_cache["user"] = user
        result.append(membership)
    return result


@cache
def _municipality_sql() -> tuple[str, list]:
    from styrning.models import Municipality

    table = Municipality._meta.db_table
    sql = f'SELECT "name" FROM "{table}" ORDER BY "id" ASC LIMIT 1'
    return sql, [Municipality._meta.get_field("name")]


def municipality_name(using: str = "default") -> str:
    """The first municipality's name ("" without one): the layout names it on every page."""
    sql, fields = _municipality_sql()
    rows = fetch(using, sql, [], fields)
    return rows[0][0] if rows else ""


@cache
def _first_sql(model) -> tuple[str, list]:
    columns, fields = _columns(model, "t")
    pk = model._meta.pk.column
    sql = f'SELECT {columns} FROM "{model._meta.db_table}" t ORDER BY t."{pk}" ASC LIMIT 1'
    return sql, fields


def first_row(model, using: str = "default"):
    """``model.objects.order_by("pk").first()``: the municipality most views start from."""
    sql, fields = _first_sql(model)
    rows = fetch(using, sql, [], fields)
    return _instance(model, using, fields, rows[0]) if rows else None


# Placeholders a queryset is compiled with by ``select_related_rows``: each must come
# back as one or more of the compiled query's parameters. Valid in any integer field
# (a small one's range checked by the lookup), and told apart from each other.
_PLACEHOLDERS = (32_001, 32_002, 32_003, 32_004)

# ``select_related_rows``' and ``values_rows``' statements, per key and database (None:
# the query cannot be compiled, the ORM runs it). A key may name a reader's units, so the
# number of keys grows with the readers a process serves: past MAX_COMPILED it starts over.
_compiled: dict = {}
MAX_COMPILED = 2_000


class Uncompilable(Exception):
    """A query whose parameters cannot all be told apart from the placeholders (e.g. a
    constant that happens to equal one), or that follows relations more than one level."""


def _kept_statement(kept, compile_):
    if kept not in _compiled:
        if len(_compiled) >= MAX_COMPILED:
            _compiled.clear()
        try:
            _compiled[kept] = compile_()
        except Uncompilable:
            _compiled[kept] = None
    return _compiled[kept]


def _array(value) -> list:
    return [int(value)]


def _slots(params, arity: int) -> list[tuple]:
    """Per compiled parameter: (the index of the argument it takes, the type the ORM gives
    it), or (None, the constant it is). Every argument must be used."""
    slots = [
        (_PLACEHOLDERS.index(p), type(p))
        if isinstance(p, int) and not isinstance(p, bool) and p in _PLACEHOLDERS[:arity]
        # An array of the one id (``goals.tree.chain_up_sql`` on PostgreSQL).
        else (_PLACEHOLDERS.index(p[0]), _array)
        if isinstance(p, list) and len(p) == 1 and p[0] in _PLACEHOLDERS[:arity]
        else (None, p)
        for p in params
    ]
    used = [index for index, _kind in slots if index is not None]
    if sorted(set(used)) != list(range(arity)) or any(
        p in _PLACEHOLDERS for index, p in slots if index is None and isinstance(p, int)
    ):
        raise Uncompilable(params)
    return slots


# A second set, to tell a constant that happens to equal a placeholder (a unit's place in
# a large tree) from the placeholder: compiled with these, the constants stay as they were.
_OTHER_PLACEHOLDERS = (32_051, 32_052, 32_053, 32_054)


def _check_constants(build, arity: int, using: str, slots) -> None:
    """Compile ``build`` again with other placeholders: each slot taken for an argument
    must move with it and every constant must stay; else the query is not compiled."""
    _sql, params = build(*_OTHER_PLACEHOLDERS[:arity]).query.get_compiler(using).as_sql()
    if len(params) != len(slots):
        raise Uncompilable(params)
    for (index, kind), param in zip(slots, params, strict=True):
        if index is None:
            if param != kind:
                raise Uncompilable(params)
        elif (param[0] if isinstance(param, list) else param) != _OTHER_PLACEHOLDERS[index]:
            raise Uncompilable(params)


def _select_related_sql(build, using: str) -> tuple[str, list, list, list]:
    """``build(*placeholders)``'s SQL as the ORM compiles it; per parameter, the index of
    the argument it takes and the type the ORM gives it (an int, or e.g. psycopg's Int2
    for a small integer field), or (None, the constant it is); the fields its columns
    read, its own and then per forward relation of ``select_related`` (in the model's
    field order, as the ORM selects them) the relation's name and fields."""
    arity = build.__code__.co_argcount
    queryset = build(*_PLACEHOLDERS[:arity])
    sql, params = queryset.query.get_compiler(using).as_sql()
    slots = _slots(params, arity)
    _check_constants(build, arity, using, slots)
    model = queryset.model
    names = set(queryset.query.select_related or ())
    relations = [
        (f.name, list(f.related_model._meta.concrete_fields))
        for f in model._meta.concrete_fields
        if f.name in names
    ]
    if any(queryset.query.select_related[name] for name in names):
        raise Uncompilable("select_related follows more than one level")
    deferred, defer = queryset.query.deferred_loading
    if deferred and not defer:
        raise Uncompilable("only() names the fields to read")
    # Its own fields but those deferred (``defer``), in the order the ORM selects them.
    fields = [f for f in model._meta.concrete_fields if f.name not in deferred]
    return sql, slots, fields + [f for _name, related in relations for f in related], relations


def select_related_rows(build, *params, using: str = "default", key=None) -> list:
    """``list(build(*params))``: the instances of a queryset that follows forward keys with
    ``select_related`` (one level), its SQL compiled once per process and run on a plain
    cursor, each instance built with its related ones as select_related builds them.

    ``build`` takes the query's parameters (plain values: ids, years) and gives the same
    SQL whatever they are; its other values are kept as compiled. The SQL is kept per
    ``key`` (``build`` itself by default): a ``build`` made per request (a closure) needs
    a key that names everything its SQL depends on. One query."""
    kept = (build if key is None else key, using)
    statement = _kept_statement(kept, lambda: _select_related_sql(build, using))
    if statement is None:
        return list(build(*params))
    sql, slots, fields, relations = statement
    own = len(fields) - sum(len(related) for _name, related in relations)
    model = fields[0].model
    result = []
    values = [kind if index is None else kind(params[index]) for index, kind in slots]
    for row in fetch(using, sql, values, fields):
        instance = _instance(model, using, fields[:own], row[:own])
        start = own
        for name, related in relations:
            values = row[start : start + len(related)]
            start += len(related)
            instance._state.fields_cache[name] = (
                None if values[0] is None else _instance(related[0].model, using, related, values)
            )
        result.append(instance)
    return result


def _values_sql(build, using: str) -> tuple[str, list, list]:
    arity = build.__code__.co_argcount
    compiler = build(*_PLACEHOLDERS[:arity]).query.get_compiler(using)
    sql, params = compiler.as_sql()
    found = compiler.get_converters([column for column, _sql, _alias in compiler.select])
    converters = [(position, *functions) for position, functions in found.items()]
    slots = _slots(params, arity)
    _check_constants(build, arity, using, slots)
    return sql, slots, converters


def values_rows(build, *params, using: str = "default", key=None) -> list[tuple]:
    """``list(build(*params))`` of a ``values_list`` queryset (not flat), its SQL compiled
    once per process and ``key`` as ``select_related_rows`` compiles it, its values
    converted as the ORM converts them. One query."""
    kept = (build if key is None else key, using)
    statement = _kept_statement(kept, lambda: _values_sql(build, using))
    if statement is None:
        return [tuple(row) for row in build(*params)]
    sql, slots, converters = statement
    values = [kind if index is None else kind(params[index]) for index, kind in slots]
    return run_values(sql, values, converters, using)


def run_values(sql: str, values, converters, using: str = "default") -> list[tuple]:
    """The rows of a compiled ``values_list`` statement, converted as the ORM converts
    them (``converters``: (position, *functions), none for plain columns)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        rows = cursor.fetchall()
    if not converters:
        return rows
    return [tuple(row) for row in convert_rows(rows, converters, connection)]
