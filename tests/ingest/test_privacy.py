"""Keyed pseudonyms (data contract section 3)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from zwt_analysis.errors import FatalInputError
from zwt_analysis.ingest import privacy

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def test_rfc4231_test_vector():
    # RFC 4231, test case 2: HMAC-SHA256 with key "Jefe".
    key = privacy.PseudonymKey(b"Jefe", "test")
    assert privacy.pseudonym("what do ya want for nothing?", key) == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")


def test_same_key_same_pseudonym_other_key_other_pseudonym():
    a = privacy.PseudonymKey(b"k1", "test")
    b = privacy.PseudonymKey(b"k2", "test")
    assert privacy.pseudonym("123456782", a) == privacy.pseudonym("123456782", a)
    assert privacy.pseudonym("123456782", a) != privacy.pseudonym("123456782", b)
    assert HEX64.match(privacy.pseudonym("123456782", a))


def test_pseudonymise_series_keeps_missing_and_order():
    key = privacy.PseudonymKey(b"k", "test")
    s = pd.Series(["B", None, "A", "B"], dtype="string")
    out = privacy.pseudonymise(s, key)
    assert out.dtype == "string"
    assert out.isna().tolist() == [False, True, False, False]
    assert out[0] == out[3] == privacy.pseudonym("B", key)
    assert out[2] == privacy.pseudonym("A", key)


def test_key_from_environment():
    key = privacy.load_key(None, environ={privacy.KEY_ENV: " secret \n"})
    assert key.secret == b"secret" and key.source == privacy.KEY_ENV and not key.is_random


def test_key_file_wins_and_trailing_newline_ignored(tmp_path):
    path = tmp_path / "zwt.key"
    path.write_text("secret\n", encoding="utf-8")
    key = privacy.load_key(path, environ={privacy.KEY_ENV: "other"})
    assert key.secret == b"secret" and key.source == "key file"
    same = privacy.load_key(None, environ={privacy.KEY_ENV: "secret"})
    assert privacy.pseudonym("x", key) == privacy.pseudonym("x", same)


def test_binary_key_file_used_byte_for_byte(tmp_path):
    path = tmp_path / "zwt.key"
    path.write_bytes(b"\xff\xfe\x00\x81 \n")
    key = privacy.load_key(path, environ={})
    assert key.secret == b"\xff\xfe\x00\x81 \n"


def test_no_key_gives_random_key_per_run():
    a = privacy.load_key(None, environ={})
    b = privacy.load_key(None, environ={})
    assert a.is_random and b.is_random
    assert a.secret != b.secret and len(a.secret) == 32


@pytest.mark.parametrize("content", [None, "", "  \n"])
def test_bad_key_file_is_fatal(tmp_path, content):
    path = tmp_path / "zwt.key"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(FatalInputError, match=r"zwt\.key: "):
        privacy.load_key(path, environ={})


def test_key_never_shown_in_repr():
    key = privacy.PseudonymKey(b"very-secret", "test")
    assert "very-secret" not in repr(key) and "very-secret" not in str(key)
