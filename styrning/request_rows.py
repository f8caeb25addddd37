"""The rows every logged-in request reads: its session, its user, the user's memberships,
and the municipality the deployment serves.

Each is one small query, the same on every request with only a key changing. Through
the ORM, compiling such a query and building its instances cost three to four times
the query itself (the membership query with its two joins: 2.4 ms, of which 0.6 ms
SQL); here the SQL is written once per process from the models' own fields and run on
a plain cursor, and the instances are built with ``Model.from_db`` as the ORM would.
The queries are the same ones (same tables, same conditions); only Python is saved.
"""

from __future__ import annotations

from functools import cache

from django.db import connections


def _columns(model, alias: str) -> tuple[str, list[str]]:
    """``alias."col", …`` for every concrete field of ``model``, and their attnames."""
    fields = model._meta.concrete_fields
    columns = ", ".join(f'{alias}."{f.column}"' for f in fields)
    return columns, [f.attname for f in fields]


@cache
def _session_sql(model) -> str:
    table = model._meta.db_table
    return (
        f'SELECT "session_key", "session_data", "expire_date" FROM "{table}" '
        f'WHERE "expire_date" > %s AND "session_key" = %s'
    )


def session_row(model, using: str, session_key: str, now):
    """The unexpired session ``session_key`` (an instance of ``model``), or None."""
    connection = connections[using]
    with connection.cursor() as cursor:
        # As the ORM passes a datetime (SQLite stores it as naive UTC text).
        cursor.execute(
            _session_sql(model), [connection.ops.adapt_datetimefield_value(now), session_key]
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return model.from_db(using, ["session_key", "session_data", "expire_date"], row)


@cache
def _user_sql(model) -> tuple[str, list[str]]:
    columns, names = _columns(model, "u")
    pk = model._meta.pk.column
    return f'SELECT {columns} FROM "{model._meta.db_table}" u WHERE u."{pk}" = %s', names


def user_row(model, using: str, pk):
    """The user with primary key ``pk`` (an instance of ``model``), or None."""
    sql, names = _user_sql(model)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    return None if row is None else model.from_db(using, names, row)


@cache
def _membership_sql() -> tuple[str, list[str], list[str]]:
    from styrning.models import Membership, OrgUnit

    units, unit_names = _columns(OrgUnit, "u")
    parents, _ = _columns(OrgUnit, "p")
    membership, membership_names = _columns(Membership, "m")
    sql = (
        f"SELECT {membership}, {units}, {parents} "
        f'FROM "{Membership._meta.db_table}" m '
        f'INNER JOIN "{OrgUnit._meta.db_table}" u ON u."id" = m."unit_id" '
        f'LEFT OUTER JOIN "{OrgUnit._meta.db_table}" p ON p."id" = u."parent_id" '
        f'WHERE m."user_id" = %s'
    )
    return sql, membership_names, unit_names


def memberships(user, using: str = "default") -> list:
    """The user's memberships, each with its unit and the unit's parent loaded (as
    ``select_related("unit__parent")`` gives them), in no particular order."""
    from styrning.models import Membership, OrgUnit

    sql, membership_names, unit_names = _membership_sql()
    first_unit = len(membership_names)
    first_parent = first_unit + len(unit_names)
    result = []
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [user.pk])
        rows = cursor.fetchall()
    for row in rows:
        membership = Membership.from_db(using, membership_names, row[:first_unit])
        unit = OrgUnit.from_db(using, unit_names, row[first_unit:first_parent])
        parent_values = row[first_parent:]
        parent = None
        if parent_values[0] is not None:
            parent = OrgUnit.from_db(using, unit_names, parent_values)
        unit._state.fields_cache["parent"] = parent
        membership._state.fields_cache["unit"] = unit
        membership._state.fields_cache["user"] = user
        result.append(membership)
    return result


@cache
def _municipality_sql() -> str:
    from styrning.models import Municipality

    return f'SELECT "name" FROM "{Municipality._meta.db_table}" ORDER BY "id" ASC LIMIT 1'


def municipality_name(using: str = "default") -> str:
    """The first municipality's name ("" without one): the layout names it on every page."""
    with connections[using].cursor() as cursor:
        cursor.execute(_municipality_sql())
        row = cursor.fetchone()
    return row[0] if row else ""


@cache
def _first_sql(model) -> tuple[str, list[str]]:
    columns, names = _columns(model, "t")
    pk = model._meta.pk.column
    return f'SELECT {columns} FROM "{model._meta.db_table}" t ORDER BY t."{pk}" ASC LIMIT 1', names


def first_row(model, using: str = "default"):
    """``model.objects.order_by("pk").first()``: the municipality most views start from."""
    sql, names = _first_sql(model)
    with connections[using].cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return None if row is None else model.from_db(using, names, row)
