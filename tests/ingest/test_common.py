"""parse_json_bytes: orjson's speed, the json module's leniency, and the same one-line errors."""

from __future__ import annotations

import json
import math

import pytest

from pmdraft.errors import InputError
from pmdraft.ingest._common import parse_json_bytes


def test_plain_documents_parse_as_json_does() -> None:
    data = '{"a": [1, 2.5, "x", null, true], "b": {"c": "é\\u00e9\\ud83d\\ude00"}, "a2": -0.0}'.encode()
    assert parse_json_bytes(data, "f.json") == json.loads(data)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'\xef\xbb\xbf["bom"]', ["bom"]),  # orjson refuses a BOM
        (b'["\\ud800"]', ["\ud800"]),  # and lone surrogates
        (b"[1e400]", [math.inf]),  # and numbers beyond a double
    ],
)
def test_what_orjson_refuses_the_json_module_accepts(data: bytes, expected: object) -> None:
    assert parse_json_bytes(data, "f.json") == expected


def test_nan_is_accepted() -> None:
    [value] = parse_json_bytes(b"[NaN]", "f.json")
    assert math.isnan(value)


def test_huge_integers_stay_exact() -> None:
    big = 123456789012345678901234567890
    assert parse_json_bytes(b'{"id": %d, "neg": -9223372036854775809}' % big, "f.json") == {
        "id": big,
        "neg": -9223372036854775809,
    }
    assert parse_json_bytes(b"[9223372036854775807]", "f.json") == [9223372036854775807]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'[{"a": 1',
            "f.json: invalid JSON at line 1, column 9: Expecting ',' delimiter (the file looks truncated)",
        ),
        (b"[1,]", "f.json: invalid JSON at line 1, column 4: Expecting value"),
        (b'{\n"a" 1}', "f.json: invalid JSON at line 2, column 5: Expecting ':' delimiter"),
        (b'["caf\xe9"]', "f.json: not UTF-8 text (byte 0xe9 at offset 5)"),
        (b" \n\t", "f.json: empty file, expected JSON"),
    ],
)
def test_errors_are_the_json_module_s_one_liners(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as info:
        parse_json_bytes(data, "f.json")
    assert str(info.value) == message
