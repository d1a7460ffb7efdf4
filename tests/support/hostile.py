"""Hypothesis strategies for what a stranger can send: any JSON, lone surrogates, numbers past 64 bits,
nesting far past any limit, bytes that are no text, and real payloads with random parts replaced."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Examples per property: enough to find the next odd input class, few enough to keep the suite fast.
# Function-scoped fixtures (one real server per test) are shared by the examples on purpose.
FUZZ = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

LONE_SURROGATES = st.sampled_from(["\ud800", "\udfff", "\udbff", "\udc00"])
ODD_TEXT = st.lists(st.one_of(st.text(max_size=20), LONE_SURROGATES,
                              st.sampled_from(["\x00", "\u202e", "\ufeff", "𝔘", "سلام", "\r\n", "%", "\\"])),
                    max_size=6).map("".join)
NUMBERS = st.one_of(st.integers(), st.integers(min_value=2**63 - 2, max_value=2**70),
                    st.integers(max_value=-(2**63) + 2, min_value=-(2**70)),
                    st.floats(allow_nan=False, allow_infinity=False))
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, ODD_TEXT)
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(ODD_TEXT, inner, max_size=4)), max_leaves=12)


def dumps(value: Any) -> bytes:
    """JSON as a client would send it; ensure_ascii writes lone surrogates as \\ud800 escapes."""
    return json.dumps(value, ensure_ascii=True).encode()


@st.composite
def deep_nesting(draw: st.DrawFn) -> bytes:
    depth = draw(st.one_of(st.integers(20, 60), st.integers(900, 1100), st.integers(50_000, 100_000)))
    opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}"), ('{"text":[', "]}")]))
    middle = draw(st.sampled_from(["", "1", '"x"', "[]"]))
    complete = draw(st.booleans())
    return (opener * depth + middle + (closer * depth if complete else "")).encode()


def objects_with(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """JSON objects whose keys are the fields an endpoint reads (so checks of unknown keys do not stop
    every example early) or, sometimes, anything, with any values."""
    if not fields:
        return st.dictionaries(ODD_TEXT, JSON_VALUES, max_size=3)
    return st.one_of(st.dictionaries(st.sampled_from(fields), JSON_VALUES, min_size=1, max_size=len(fields)),
                     st.dictionaries(st.one_of(st.sampled_from(fields), ODD_TEXT), JSON_VALUES,
                                     max_size=len(fields) + 1))


def bodies(fields: list[str]) -> st.SearchStrategy[bytes]:
    """What may arrive as an application/json body: valid JSON of any shape, deep nesting, junk bytes."""
    special = st.sampled_from([b"", b"NaN", b'{"a": Infinity}', b'{"a": 1e999}', b'{"a": ' + b"9" * 5000 + b"}",
                               b'"\\ud800"', b'{"text": "\\udfff"}', b'{"\\u0000": 1}'])
    objects = objects_with(fields).map(dumps)
    return st.one_of(objects, objects, JSON_VALUES.map(dumps), deep_nesting(), st.binary(max_size=64), special)


@st.composite
def mutated(draw: st.DrawFn, document: Any) -> Any:
    """`document` with up to three values somewhere inside replaced by anything JSON can hold."""
    result = json.loads(json.dumps(document))
    for _ in range(draw(st.integers(1, 3))):
        path: list[Any] = []
        node = result
        while isinstance(node, dict | list) and node and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
            path.append(key)
            node = node[key]
        if not path:
            continue
        parent = result
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.integers(0, 5)) == 0 and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON_VALUES)
    return result


# Query strings travel percent-encoded UTF-8, which cannot carry a lone surrogate.
ODD_NUMBERS = st.sampled_from(["99999999999999999999999", "9" * 5000, "-1", "0", "²", "٣", "1e9", "NaN", "-0",
                               "9999-12-31T23:59:59-23:59", "0001-01-01T00:00+14:00", "000000000000000000000000",
                               "99999999999999999999999_000000000000000000000000", "_", "me", "none", "１２"])
QUERY_VALUES = st.one_of(ODD_NUMBERS, st.integers().map(str), st.integers(min_value=10**18).map(str),
                         st.text(max_size=30))
