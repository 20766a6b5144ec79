"""The OpenAPI schema says what the API answers (issue 11), in one place.

drf-spectacular documents each operation's success response only. Every operation here can also
answer with the errors of docs/api.md#errors, made by one exception handler
(intake/api/errors.py) and the 503 of intake/db_trouble.py; `ClinicAutoSchema` adds them to every
operation, with their bodies, where they can happen:

- 400 invalid input (every operation: a NUL byte in any query string is refused before the
  view). Body: DRF's `{"field": ["message"]}`, nested for nested input, or `{"detail": reason}`
  for a body or query string that is not acceptable.
- 401 not signed in (every operation; sign-in itself answers 401 for wrong credentials).
- 403 the role or a rule forbids it (every operation): `{"detail": reason}`.
- 404 unknown or outside the care team (operations with an id in the path, paginated lists for a
  page past the end): `{"detail": "Not found."}`.
- 409 stale version or a signed record: PATCH, and POSTs that act on an existing record
  (`/{id}/sign/`, `/submit/`, `/revoke/`...): `{"detail": reason}`, with `current` when stale.
- 415 a body in a media type the API does not read (operations with a request body).
- 503 the database is unavailable (every operation): `{"detail", "code"}` and `Retry-After`.
- 414 a request line too long for the web server (every operation; its own page, no body
  documented).

A response serializer may name, as `schema_always_present`, the fields every answer carries when
some roles get fewer (a clinic administrator gets a patient's header only).

It also fixes two guesses drf-spectacular makes for plain `GenericAPIView`s: a GET on a path
that ends in a collection (`/patients/{id}/episodes/`) is a (paginated) list, and a read-only
model field that may be blank in the database says so (DRF drops `allow_blank` from read-only
fields, so the schema would otherwise promise a choice where the record holds "").
"""

from __future__ import annotations

import re

from django.core.exceptions import FieldDoesNotExist
from django.urls.converters import get_converters
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.generics import GenericAPIView

ERROR_COMPONENTS = {
    "ErrorDetail": {
        "type": "object",
        "description": "Why the request was refused, in words for the person using the client.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationErrors": {
        "type": "object",
        "description": (
            'Nothing was stored. Each bad field is named: {"field": ["message", ...]}; nested '
            "input nests the same way (a list of objects gives a list of per-item objects, "
            "{} for an item without errors). Errors not about one field are under "
            '"non_field_errors"; a body that is not acceptable JSON is {"detail": reason}. '
            "Some rules add their own keys (unacknowledged_warnings, rule)."
        ),
        "properties": {
            "detail": {"type": "string"},
            "non_field_errors": {"type": "array", "items": {"type": "string"}},
        },
        "additionalProperties": {},
    },
    "Conflict": {
        "type": "object",
        "description": (
            "Someone else saved the record since it was read (stale version or revision; "
            "`current` may carry the record as it is now), or the record is signed or "
            "otherwise closed."
        ),
        "properties": {
            "detail": {"type": "string"},
            "current": {"type": "object", "additionalProperties": {}},
        },
        "required": ["detail"],
    },
    "Unavailable": {
        "type": "object",
        "description": "The database is unavailable; nothing was saved. Retry after the "
        "Retry-After header's seconds.",
        "properties": {
            "detail": {"type": "string"},
            "code": {"type": "string", "enum": ["temporarily-unavailable"]},
        },
        "required": ["detail", "code"],
    },
}

ERROR_RESPONSES = {
    "400": ("ValidationErrors", "Invalid input; nothing was stored."),
    "401": ("ErrorDetail", "Not signed in, or the token expired."),
    "403": ("ErrorDetail", "Signed in, but the role or a rule forbids this."),
    "404": ("ErrorDetail", "Unknown, or outside your care team."),
    "409": ("Conflict", "Stale version, or a signed or closed record."),
    "415": ("ErrorDetail", "A body in a media type the API does not read (send JSON)."),
    "503": ("Unavailable", "The database is temporarily unavailable."),
}


class ClinicAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        self._path_patterns(operation, path_regex)
        responses = operation["responses"]
        for code in self._error_codes(operation):
            if code in responses:
                continue
            name, description = ERROR_RESPONSES[code]
            response = {
                "description": description,
                "content": {"application/json": {"schema": self._error_ref(name)}},
            }
            if code == "503":
                response["headers"] = {
                    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds"}
                }
            responses[code] = response
        # A request line longer than the server in front allows (gunicorn: 4094 bytes, mostly
        # a long query string) is refused there, in its own HTML, before the API sees it.
        responses.setdefault(
            "414", {"description": "URI too long: refused by the web server, not the API."}
        )
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _path_patterns(self, operation, path_regex: str) -> None:
        """A path parameter without a format (`<slug:code>`) gets its converter's pattern: a
        value outside it matches no route (the API's 404), which the schema should say."""
        for param in operation.get("parameters", []):
            schema = param.get("schema", {})
            if param.get("in") != "path" or schema.get("type") != "string":
                continue
            if "format" in schema or "pattern" in schema or "enum" in schema:
                continue
            match = re.search(rf"<(\w+):{re.escape(param['name'])}>", path_regex)
            converter = get_converters().get(match.group(1)) if match else None
            if converter is not None:
                schema["pattern"] = f"^{converter.regex}$"

    def _error_codes(self, operation) -> list[str]:
        params = operation.get("parameters", [])
        in_path = [p for p in params if p.get("in") == "path"]
        paginated = any(p.get("in") == "query" and p.get("name") == "page" for p in params)
        # 400 everywhere: besides invalid input, a NUL byte anywhere in the query string is
        # refused before any view (intake/request_hygiene.py).
        codes = ["400", "401", "403", "503"]
        if in_path or paginated:
            codes.append("404")
        if "requestBody" in operation:
            codes.append("415")
        acts_on_record = self.method == "POST" and any(p["name"] != "patient_id" for p in in_path)
        if self.method in ("PATCH", "PUT") or acts_on_record:
            codes.append("409")
        return codes

    def _error_ref(self, name: str) -> dict:
        component = ResolvedComponent(
            name=name,
            type=ResolvedComponent.SCHEMA,
            object=f"intake.api.schema.{name}",
            schema=ERROR_COMPONENTS[name],
        )
        self.registry.register_on_missing(component)
        return component.ref

    # Lists --------------------------------------------------------------------------------

    def _is_list_view(self, serializer=None) -> bool:
        if getattr(self, "_naming_operation", False):
            # Operation ids stay what they were: clients generated from the schema use them.
            return super()._is_list_view(serializer)
        if (
            self.method == "GET"
            and isinstance(self.view, GenericAPIView)
            and not self.path.rstrip("/").endswith("}")
            and not isinstance(serializer, dict)
        ):
            return True
        return super()._is_list_view(serializer)

    def get_operation_id(self) -> str:
        self._naming_operation = True
        try:
            return super().get_operation_id()
        finally:
            self._naming_operation = False

    # Fields -------------------------------------------------------------------------------

    def _map_basic_serializer(self, serializer, direction):
        result = super()._map_basic_serializer(serializer, direction)
        # A serializer whose answer drops fields for some roles (a patient for a clinic
        # administrator: the header only) names the fields every answer carries.
        always = getattr(serializer, "schema_always_present", None)
        if direction == "response" and always is not None and "required" in result:
            result["required"] = [name for name in result["required"] if name in always]
        return result

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if (
            isinstance(field, serializers.ChoiceField)
            and field.read_only
            and not field.allow_blank
            and _model_field_is_blank(field)
        ):
            field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)


def _model_field_is_blank(field) -> bool:
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    try:
        return bool(model._meta.get_field(field.source).blank)
    except FieldDoesNotExist:
        return False
