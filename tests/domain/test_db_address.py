"""One database address: parsed once, described, redacted, and never leaking a password."""

from __future__ import annotations

from pathlib import PurePath

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

from desk_app.domain.db_address import DatabaseAddress, InvalidAddress, redact


def test_postgresql_parts() -> None:
    address = DatabaseAddress.parse("postgresql+psycopg://ops:s3cret@db1:5433/desk?sslmode=require")
    assert (address.username, address.password, address.host, address.port) == (
        "ops", "s3cret", "db1", 5433,
    )  # fmt: skip
    assert address.database == "desk" and address.query == (("sslmode", "require"),)
    assert address.is_shared and not address.is_local and address.path is None
    assert address.describe() == "PostgreSQL db1:5433/desk"
    assert address.keyring_entry() == "ops@db1:5433/desk"


def test_plain_postgresql_scheme_is_psycopg() -> None:
    address = DatabaseAddress.parse("postgresql://ops@db1/desk")
    assert address.is_shared and address.driver == "postgresql"
    assert address.describe() == "PostgreSQL db1/desk"
    assert address.keyring_entry() == "ops@db1:5432/desk"


@pytest.mark.parametrize("password", ["p@ss", "100%", "a:b@c", "pa ss+w", "%41", "x/y"])
def test_passwords_with_url_characters_round_trip(password: str) -> None:
    base = DatabaseAddress.parse("postgresql+psycopg://ops@db1:5432/desk")
    with_pw = base.with_password(password)
    again = DatabaseAddress.parse(with_pw.url)
    assert again.password == password
    assert (again.username, again.host, again.port, again.database) == ("ops", "db1", 5432, "desk")
    assert make_url(with_pw.url).password == password  # the engine reads it the same way
    assert with_pw.shown() == base.url


def test_a_raw_at_sign_in_a_typed_password_still_parses() -> None:
    address = DatabaseAddress.parse("postgresql+psycopg://ops:p@ss@db1/desk")
    assert (address.password, address.host) == ("p@ss", "db1")
    assert address.shown() == "postgresql+psycopg://ops@db1/desk"


def test_percent_escapes_are_read() -> None:
    address = DatabaseAddress.parse("postgresql+psycopg://ops:50%25%40x@db1/desk")
    assert address.password == "50%@x"


@pytest.mark.parametrize(
    ("url", "host", "port", "described"),
    [
        ("postgresql+psycopg://ops@[::1]:5432/desk", "::1", 5432, "PostgreSQL [::1]:5432/desk"),
        ("postgresql+psycopg://ops:pw@[fe80::1%25eth0]/d", "fe80::1%25eth0", None,
         "PostgreSQL [fe80::1%25eth0]/d"),
    ],
)  # fmt: skip
def test_ipv6_hosts(url: str, host: str, port: int | None, described: str) -> None:
    address = DatabaseAddress.parse(url)
    assert (address.host, address.port) == (host, port)
    assert address.describe() == described
    assert DatabaseAddress.parse(address.url) == address
    assert "[" in address.shown()


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:////home/ops/desk.db", "/home/ops/desk.db"),
        ("sqlite:///desk.db", "desk.db"),
        ("sqlite:///data/desk.db", "data/desk.db"),
        ("sqlite:////home/a@b/Ops%20100%25%20%3F/desk.db", "/home/a@b/Ops 100% ?/desk.db"),
        ("sqlite:///C:/Users/ops/desk.db", "C:/Users/ops/desk.db"),
    ],
)
def test_sqlite_paths(url: str, path: str) -> None:
    address = DatabaseAddress.parse(url)
    assert address.is_local and not address.is_shared
    assert address.path == PurePath(path)
    assert address.describe() == f"Local file {path}"
    assert address.describe(short=True) == f"Local file {PurePath(path).name}"
    assert DatabaseAddress.parse(address.url) == address


def test_a_file_address_keeps_url_characters_in_folder_names() -> None:
    address = DatabaseAddress.sqlite_file(PurePath("/srv/Ops 100% ? review/desk.db"))
    assert DatabaseAddress.parse(address.url).database == "/srv/Ops 100% ? review/desk.db"
    assert make_url(address.url).database == "/srv/Ops 100% ? review/desk.db"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("sqlite://", "must name a file"),
        ("sqlite:///:memory:", "must name a file"),
        ("mysql://x@y/z", "unsupported database 'mysql'"),
        ("postgresql+asyncpg://x@y/z", "psycopg 3"),
        ("desk.db", "not a database URL"),
        ("postgresql://ops@db1:port/desk", "bad port"),
    ],
)
def test_bad_addresses_say_why(url: str, reason: str) -> None:
    with pytest.raises(InvalidAddress, match=reason):
        DatabaseAddress.parse(url)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://ops:s3cret@db1:5432/desk", "postgresql+psycopg://ops@db1:5432/desk"),
        ("postgresql+psycopg://ops@db1/desk?password=s3cret&sslmode=require",
         "postgresql+psycopg://ops@db1/desk?sslmode=require"),
        ("mysql://ops:s3cret@db1/desk", "mysql://ops@db1/desk"),  # refused, still redacted
        ("ops:s3cret@db1/desk", "db1/desk"),
        ("sqlite:////home/ops/desk.db", "sqlite:////home/ops/desk.db"),
    ],
)  # fmt: skip
def test_redaction(url: str, shown: str) -> None:
    assert redact(url) == shown


@given(st.text(min_size=1, max_size=20))
def test_redaction_never_leaks_a_password(password: str) -> None:
    plain = DatabaseAddress.parse("postgresql+psycopg://ops@db.example:5432/desk?sslmode=require")
    url = plain.with_password(password).url
    assert DatabaseAddress.parse(url).password == password
    assert redact(url) == plain.url  # exactly the address without it: nothing left over
    assert not DatabaseAddress.parse(redact(url)).has_password


def test_str_and_repr_hide_the_password() -> None:
    address = DatabaseAddress.parse("postgresql+psycopg://ops:s3cret@db1/desk?password=s3cret")
    assert "s3cret" not in str(address) and "s3cret" not in repr(address)
    assert address.has_password and not address.redacted().has_password


@pytest.mark.parametrize(
    ("url", "password", "host", "database"),
    [
        ("postgresql+psycopg://app:2024?Spring@db.example/desk", "2024?Spring", "db.example",
         "desk"),
        ("postgresql+psycopg://app:s3cr?t@db/desk", "s3cr?t", "db", "desk"),
        ("postgresql+psycopg://u:p@ss/w@rd@[::1]:5433/db", "p@ss/w@rd", "::1", "db"),
    ],
)  # fmt: skip
def test_a_raw_question_mark_or_slash_in_a_typed_password_stays_in_it(
    url: str, password: str, host: str, database: str
) -> None:
    address = DatabaseAddress.parse(url)
    assert (address.password, address.host, address.database) == (password, host, database)
    assert password not in redact(url) and password not in address.describe()


def test_an_at_sign_in_the_query_or_a_folder_is_not_a_user_part() -> None:
    query = DatabaseAddress.parse("postgresql+psycopg://ops@db1/desk?application_name=me@desk")
    assert (query.username, query.host, query.password) == ("ops", "db1", None)
    assert query.query == (("application_name", "me@desk"),)
    local = DatabaseAddress.parse("sqlite:////home/a@b/desk.db")
    assert local.is_local and str(local.path) == "/home/a@b/desk.db"


@pytest.mark.parametrize(
    "url",
    ["postgresql://ops:s3cret@db1:port/desk", "ops:s3cret@db1/desk", "mysql://ops:s3cret@y/z"],
)
def test_a_refusal_never_repeats_the_password(url: str) -> None:
    with pytest.raises(InvalidAddress) as refused:
        DatabaseAddress.parse(url)
    assert "s3cret" not in refused.value.message
