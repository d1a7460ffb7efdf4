"""Request bodies and query strings read into pydantic models: the model, or one 400 naming each field and why.

Handlers declare what they accept as a `RequestModel` and call `parse_body` / `parse_query`; the checks
that need no database (types, ranges, choices, lengths, id syntax) live in the model, and every refusal
has the same shape: `BadInput(sentence, field, fields)`, answered as
`{"error": sentence, "status": 400, "field": "limit", "fields": [{"field": "limit", "reason": ...}]}`.

Pydantic's own messages are never shown: they are written for programmers and some repeat the input
(which may be a password). `reason()` below turns each error type into a sentence a person understands;
a model can give one field its own sentence in `field_messages` when the generic one would say less.
Bodies still come through hub/web.py `read_body` (bounded JSON depth, no lone surrogates), and the
syntax rules for numbers, dates and ids are hub/params.py's, so the API reads them one way everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any, ClassVar, TypeVar

import annotated_types
from aiohttp import web
from bson import ObjectId
from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainValidator, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from channels.base import without_surrogates
from hub.errors import BadInput
from hub.http.params import parse_datetime, parse_int
from hub.http.web import read_body
from hub.store.db import oid

Model = TypeVar("Model", bound="RequestModel")


class RequestModel(BaseModel):
    """What one endpoint accepts. Unknown fields are ignored (forms carry `_csrf`, clients send extras)."""

    model_config = ConfigDict(extra="ignore", frozen=True, arbitrary_types_allowed=True, populate_by_name=True)

    # A field's own sentence for any problem with it, where the generic one would say less.
    field_messages: ClassVar[Mapping[str, str]] = {}


async def parse_body(request: web.Request, model: type[Model]) -> Model:
    """The JSON object or form the client sent, as `model`; BadInput naming every field that is wrong."""
    return parse_mapping(await read_body(request), model)


def parse_query(request: web.Request, model: type[Model]) -> Model:
    """The query string as `model` (the first value of a repeated parameter); BadInput naming the fields."""
    return parse_mapping(request.query, model)


def parse_mapping(data: Mapping[str, Any], model: type[Model]) -> Model:
    """`data` (a body, a query, a form) as `model`; strings arrive without lone surrogates."""
    values: dict[str, Any] = {}
    for key, value in data.items():  # a query's repeated parameter: the first, as `query.get` reads it
        values.setdefault(key, without_surrogates(value) if isinstance(value, str) else value)
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise invalid(model, exc.errors(include_input=False)) from None


def invalid(model: type[RequestModel], errors: list[ErrorDetails]) -> BadInput:
    """One BadInput for all the problems: the sentence joins their reasons, `fields` lists them."""
    problems: list[dict[str, str]] = []
    for error in errors:
        field = str(error["loc"][0]) if error["loc"] else ""
        problem = {"field": field, "reason": reason(model, error)}
        if problem not in problems:
            problems.append(problem)
    if not problems:  # pydantic always reports at least one; kept so the 400 can never be empty
        problems.append({"field": "", "reason": "the request is not valid"})
    return BadInput("; ".join(p["reason"] for p in problems), field=problems[0]["field"], fields=problems)


def _field_name(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


_QUOTED = re.compile(r"'([^']*)'")


def reason(model: type[RequestModel], error: ErrorDetails) -> str:
    """The sentence for one pydantic error: custom validators' own words, else one per error type."""
    loc = error["loc"]
    top = str(loc[0]) if loc else ""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])  # our validators raise ValueError with a full sentence
    if top in model.field_messages:
        return model.field_messages[top]
    if kind.startswith("hub_"):
        return str(error["msg"]).format(name=_subject(loc))
    name = _subject(loc)
    if kind == "missing":
        return f"{name} is required"
    if kind in ("string_type", "string_unicode"):
        return f"{name} must be text"
    if kind == "string_too_short":
        return f"{name} is required" if ctx.get("min_length") == 1 else \
            f"{name} needs at least {ctx.get('min_length')} characters"
    if kind == "string_too_long":
        return f"{name} may have at most {ctx.get('max_length')} characters"
    if kind in ("bool_type", "bool_parsing"):
        return f"{name} must be true or false"
    if kind == "literal_error" or kind == "enum":
        return f"{name} must be one of {', '.join(_QUOTED.findall(str(ctx.get('expected', ''))))}"
    if kind in ("list_type", "tuple_type", "set_type", "iterable_type"):
        return f"{name} must be a list"
    if kind == "too_long":
        return f"{name} may hold at most {ctx.get('max_length')} items"
    if kind == "too_short":
        return f"{name} needs at least {ctx.get('min_length')} item{'s' if ctx.get('min_length') != 1 else ''}"
    if kind.startswith(("int_", "greater_than", "less_than", "float_", "multiple_of")):
        lo, hi = _bounds(model, top)
        if lo is not None and hi is not None:
            return f"{name} must be a whole number from {lo} to {hi}"
        return f"{name} must be a whole number"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{name} must be an object"
    return f"{name} is not valid"  # never the input: it may be a secret


def _subject(loc: tuple[int | str, ...]) -> str:
    """How a sentence names the field: 'ids', or "item 3 of 'ids'" inside a list."""
    if not loc:
        return "the request"
    if len(loc) > 1 and isinstance(loc[-1], int):
        return f"item {loc[-1] + 1} of '{_field_name(loc[:-1])}'"
    return f"'{_field_name(loc)}'"


def _bounds(model: type[RequestModel], field: str) -> tuple[int | None, int | None]:
    info = model.model_fields.get(field)
    lo = hi = None
    for rule in info.metadata if info else []:
        if isinstance(rule, annotated_types.Ge):
            lo = rule.ge
        elif isinstance(rule, annotated_types.Le):
            hi = rule.le
    return (lo if isinstance(lo, int) else None), (hi if isinstance(hi, int) else None)


# --- field types the models share ---------------------------------------------------------------------


def _whole_number(value: object) -> object:
    """ASCII digits only (hub/params.py's rule): "²", "1_000" and 30-digit strings are refused, not read."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "not a whole number")
    if isinstance(value, str):
        parsed = parse_int(value)
        if parsed is None:
            raise PydanticCustomError("int_parsing", "not a whole number")
        return parsed
    return value


def _object_id(value: object) -> ObjectId:
    parsed = oid(value) if isinstance(value, (str, ObjectId)) else None
    if parsed is None:
        raise PydanticCustomError("hub_object_id", "{name} must be an id (24 hexadecimal characters)")
    return parsed


def _moment(value: object) -> datetime:
    moment = parse_datetime(value) if isinstance(value, str) else value if isinstance(value, datetime) else None
    if moment is None:
        raise PydanticCustomError(
            "hub_datetime", "{name} must be a date such as 2026-01-31 or a date and time such as 2026-01-31T09:00")
    return moment


def _flag(value: object) -> bool:
    # A checkbox sends "on", JSON sends true; anything else (absent, "false", "0", junk) is off.
    return value in (True, "true", "on", "1", 1) and not isinstance(value, float)


def comma_list(value: object) -> object:
    """A form field "a, b" or a JSON list: both become a list (blank items dropped from text)."""
    if isinstance(value, str):
        return [part for part in value.split(",") if part.strip()]
    return value


def _optional_object_id(value: object) -> ObjectId | None:
    return None if value is None or value == "" else _object_id(value)


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
Id = Annotated[ObjectId, PlainValidator(_object_id)]
OptionalId = Annotated[ObjectId | None, PlainValidator(_optional_object_id)]  # absent or "" is None
Moment = Annotated[datetime, PlainValidator(_moment)]
Flag = Annotated[bool, PlainValidator(_flag)]
TextList = Annotated[list[str], BeforeValidator(comma_list)]


def distinct_names(items: Sequence[str], *, most: int, longest: int, what: str, per: str) -> list[str]:
    """Labels or tags as people type them: inner white space folded, blanks dropped, the first spelling
    of a name kept when it comes again in another case; at most `most` names of `longest` characters."""
    names: list[str] = []
    seen: set[str] = set()
    for item in (" ".join(i.split()) for i in items):
        if len(item) > longest:
            raise ValueError(f"a {what} may have at most {longest} characters: {item[:20]!r}…")
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            names.append(item)
    if len(names) > most:
        raise ValueError(f"at most {most} {what}s {per}")
    return names


def one_of(choices: Sequence[str]) -> PlainValidator:
    """A validator for a text field that must be one of `choices` (kept where the domain defines them)."""
    allowed = tuple(choices)
    sentence = "{name} must be one of " + ", ".join(allowed)

    def check(value: object) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise PydanticCustomError("hub_choice", sentence)
        return value

    return PlainValidator(check)
