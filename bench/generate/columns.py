"""COPY columns, from the models' `_meta`: every concrete field but a database-assigned key.

A built row is a dict keyed by the fields' attribute names; COPY writes it in the order of the
model's concrete fields under their `db_column` names. A model field added later is then either
given a value by its builder or reported missing (a KeyError, and tests/test_generate_data.py)."""

from __future__ import annotations

from functools import cache
from operator import itemgetter
from typing import Any

from django.db import models
from django.db.models.fields import AutoFieldMixin

from bench.generate.common import Row
from bench.generate.tables import AUDIT_MODEL, AUDIT_SET_BY_DATABASE, MODELS, STAGE


def copy_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The fields a COPY into the model's table writes: all but an auto-increment key."""
    return [f for f in model._meta.concrete_fields if not isinstance(f, AutoFieldMixin)]


def audit_fields() -> list[models.Field[Any, Any]]:
    """The audit event fields the generator writes (the chain columns are the database's)."""
    return [f for f in copy_fields(AUDIT_MODEL) if f.attname not in AUDIT_SET_BY_DATABASE]


# The staging table's own columns, ahead of the audit event's.
STAGE_KEYS = ("clinic", "rn")


@cache
def row_keys(table: str) -> tuple[str, ...]:
    """The keys a built row of this table has (attribute names, in column order)."""
    if table == STAGE:
        return (*STAGE_KEYS, *(f.attname for f in audit_fields()))
    return tuple(f.attname for f in copy_fields(MODELS[table]))


@cache
def copy_columns(table: str) -> tuple[str, ...]:
    """The table's column names (`db_column`), in the order of row_keys."""
    if table == STAGE:
        return (*STAGE_KEYS, *(f.column for f in audit_fields()))
    return tuple(f.column for f in copy_fields(MODELS[table]))


@cache
def row_getter(table: str) -> itemgetter[Any]:
    """A built row's values in column order (operator.itemgetter: one C call per row)."""
    return itemgetter(*row_keys(table))


def instance_row(obj: models.Model) -> Row:
    """A model instance as a built row (interviews and substance rows are built as instances,
    for the signature hash the services compute from them)."""
    return {name: getattr(obj, name) for name in row_keys(obj._meta.db_table)}
