"""The text search of every list, in SQL on both engines, over one small demo book.

Each search takes a value from the book, searches a part of it in another case, and
checks that the record is found and that every row found contains the word (in a
field the list shows) or is linked to a record that does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from desk_app.db import models as m
from desk_app.db.text_search import every_word
from desk_app.demo import generate_demo_data
from desk_app.demo.catalogue_people import DEMO_PASSWORD
from desk_app.domain import labels
from desk_app.domain.listing import PageSource, Row, iter_rows
from desk_app.domain.text_search import search_words
from desk_app.services.reference.lists import account_matches
from desk_app.services.workspace import Workspace, open_workspace
from tests.conftest import ENGINES, pg_schema, settle_workers, url_as

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module", params=ENGINES)
def book(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Workspace]:
    """A 400-trade demo book on each engine, opened by its first admin; read only."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('search') / 'desk.db'}"
        yield from _opened(url)
    else:
        with pg_schema() as url:
            yield from _opened(url)


def _opened(url: str) -> Iterator[Workspace]:
    ws = open_workspace(url, "tester")
    try:
        generate_demo_data(ws.sessions, seed=5, trades=400, today=TODAY)
        yield ws
    finally:
        settle_workers()
        ws.close()


def rows(source: PageSource) -> list[Row]:
    return list(iter_rows(source))


def column(source: PageSource, rows_: Sequence[Row], key: str) -> list[Any]:
    index = [c.key for c in source.columns].index(key)
    return [r[index] for r in rows_]


def part(value: str) -> str:
    """A piece from the middle of ``value``, in the other case: what a clerk half-remembers."""
    word = max(value.split(), key=len)
    piece = word[1:-1] if len(word) > 4 else word
    return piece.swapcase()


def first(ws: Workspace, stmt: Any) -> Any:
    with ws.sessions() as session:
        return session.execute(stmt).first()


# -- accounts ---------------------------------------------------------------------------
@pytest.mark.parametrize("field", ["account_number", "name", "registered_rep"])
def test_accounts_by_number_name_or_rep(book: Workspace, field: str) -> None:
    value = first(book, select(getattr(m.Account, field)).order_by(m.Account.id))[0]
    word = part(value)
    source = book.reference.accounts(word)
    found = rows(source)
    assert found
    shown = ("account_number", "name", "registered_rep", "registration_type")
    for row in found:
        cells = [str(c).lower() for c in (column(source, [row], k)[0] for k in shown)]
        assert any(word.lower() in c for c in cells), row
    assert value in column(source, found, field)


def test_accounts_by_registration_label_and_several_words(book: Workspace) -> None:
    name = first(book, select(m.Account.name).where(m.Account.name.like("% %")))[0]
    first_name, last_name = name.split()[0], name.split()[-1]
    both = rows(book.reference.accounts(f"{last_name.upper()}   {first_name.lower()}"))
    assert both and all(first_name in r[1] and last_name in r[1] for r in both)
    iras = rows(book.reference.accounts("ira"))
    assert iras
    assert {r[2] for r in iras} >= {"ira"} or all("ira" in r[1].lower() for r in iras)
    assert rows(book.reference.accounts("no-such-client-zzq")) == []


def test_wildcards_are_taken_literally(book: Workspace) -> None:
    every = len(rows(book.reference.accounts()))
    assert every > 0
    assert rows(book.reference.accounts("%")) == []
    assert rows(book.reference.accounts("_")) == []
    assert len(rows(book.reference.accounts("  "))) == every


# -- obligations and fails --------------------------------------------------------------
def _an_obligation(ws: Workspace) -> Any:
    o, a, i, c, t = m.SettlementObligation, m.Account, m.Instrument, m.Counterparty, m.Trade
    return first(
        ws,
        select(o.id, a.account_number, a.name, i.isin, i.description, c.code, c.name,
               t.external_id)
        .join(a, a.id == o.account_id).join(i, i.id == o.instrument_id)
        .join(c, c.id == o.counterparty_id).join(t, t.id == o.trade_id)
        .where(t.external_id.is_not(None)).order_by(o.id),
    )  # fmt: skip


@pytest.mark.parametrize(
    "field",
    ["account_number", "account_name", "isin", "description", "cp_code", "cp_name", "ext_id"],
)
def test_obligations_by_each_field(book: Workspace, field: str) -> None:
    ob = _an_obligation(book)
    values = dict(zip(
        ("id", "account_number", "account_name", "isin", "description", "cp_code", "cp_name",
         "ext_id"), ob, strict=True,
    ))  # fmt: skip
    word = {"cp_code": values["cp_code"].lower(), "ext_id": values["ext_id"][:9].lower()}.get(
        field, part(values[field])
    )  # a trade's reference from its start, in another case; the rest any part
    source = book.settlements.obligations(search=word)
    found = rows(source)
    assert ob.id in column(source, found, "id")
    everything = rows(book.settlements.obligations())
    assert len(found) < len(everything) or field in ("isin",)
    if field == "ext_id":  # from its start only
        assert rows(book.settlements.obligations(search=values["ext_id"][1:])) == []


def test_obligations_by_number_and_all_words(book: Workspace) -> None:
    ob = _an_obligation(book)
    source = book.settlements.obligations(search=str(ob.id))
    assert ob.id in column(source, rows(source), "id")
    words = f"{part(ob.account_number)} {ob.isin[:6].lower()}"
    source = book.settlements.obligations(search=words)
    found = rows(source)
    assert ob.id in column(source, found, "id")
    for row in found:  # both words, each in one of the shown codes
        account, isin = column(source, [row], "account")[0], column(source, [row], "isin")[0]
        assert part(ob.account_number).lower() in account.lower()
        assert ob.isin[:6] in isin
    open_only = book.settlements.obligations(open_only=True, search=words)
    assert len(rows(open_only)) <= len(found)


def test_fails_by_account_and_counterparty(book: Workspace) -> None:
    fails = book.fails.fails(TODAY)
    assert fails, "the demo book has fails"
    target = fails[0]
    by_account = book.fails.fails(TODAY, part(target.account))
    assert target.id in [f.id for f in by_account]
    assert all(part(target.account).lower() in f.account.lower() for f in by_account)
    by_both = book.fails.fails(TODAY, f"{target.counterparty.lower()} {target.isin}")
    assert target.id in [f.id for f in by_both]
    assert all(f.counterparty == target.counterparty for f in by_both)
    assert book.fails.fails(TODAY, "no-such-thing-zzq") == []
    listed = rows(book.fails.source(TODAY, target.isin))
    assert target.id in [r[-1] for r in listed]


# -- certificates, manifests, approvals -------------------------------------------------
@pytest.mark.parametrize("field", ["certificate_number", "cusip", "issuer", "registered_holder"])
def test_certificates_by_each_field(book: Workspace, field: str) -> None:
    value = first(book, select(getattr(m.Certificate, field)).order_by(m.Certificate.id))[0]
    word = part(value)
    source = book.certificates.certificates(search=word)
    found = rows(source)
    assert value in column(source, found, field)
    for row in found:
        cells = [str(c).lower() for c in row[:-1]]
        assert any(word.lower() in c for c in cells), row


def test_certificates_by_isin_and_movements(book: Workspace) -> None:
    i, c = m.Instrument, m.Certificate
    isin, cusip = first(book, select(i.isin, i.cusip).join(c, c.cusip == i.cusip))
    source = book.certificates.certificates(search=isin.lower())
    found = rows(source)
    assert found and set(column(source, found, "cusip")) == {cusip}
    number = first(book, select(c.certificate_number).order_by(c.id))[0]
    moves = book.certificates.movements(search=number)
    assert set(column(moves, rows(moves), "certificate_number")) <= {number}


@pytest.mark.parametrize("field", ["manifest_number", "courier", "recipient", "airbill"])
def test_manifests_by_each_field(book: Workspace, field: str) -> None:
    mf = m.CourierManifest
    value = first(
        book, select(getattr(mf, field)).where(getattr(mf, field).is_not(None)).order_by(mf.id)
    )[0]
    source = book.manifests.manifests(search=part(value))
    assert value in column(source, rows(source), field)


def test_manifests_by_a_certificate_on_them(book: Workspace) -> None:
    line, cert, mf = m.ManifestLine, m.Certificate, m.CourierManifest
    number, manifest = first(
        book,
        select(cert.certificate_number, mf.manifest_number)
        .join(line, line.certificate_id == cert.id).join(mf, mf.id == line.manifest_id),
    )  # fmt: skip
    source = book.manifests.manifests(search=number.lower())
    assert manifest in column(source, rows(source), "manifest_number")


def test_approvals_by_number_kind_maker_and_record(book: Workspace) -> None:
    r = m.ApprovalRequest
    req = first(book, select(r.id, r.action, r.maker, r.target_key, r.summary).order_by(r.id))
    # A supervisor of the demo sees everyone's requests.
    with open_workspace(url_as(book.url, "sgoldberg"), "sgoldberg", password=DEMO_PASSWORD) as ws:
        for word in (str(req.id), part(req.maker), part(req.target_key), part(req.summary)):
            source = ws.approvals.requests(search=word)
            assert req.id in column(source, rows(source), "id"), word
        label = labels.ACTIONS[req.action]  # the kind as the list shows it
        kind = ws.approvals.requests(search=label.upper())
        found = rows(kind)
        assert req.id in column(kind, found, "id")
        assert set(column(kind, found, "action")) == {req.action}
        assert rows(ws.approvals.requests(search=f"{req.id} no-such-zzq")) == []
        settle_workers()


def test_words_are_lowered_deduplicated_and_bounded() -> None:
    assert search_words("  Smith  SMITH  nyc ") == ("smith", "nyc")
    assert search_words(None) == ()
    assert len(search_words(" ".join(f"w{n}" for n in range(20)))) == 8


def test_postgresql_answers_a_contained_word_from_a_trigram_index(book: Workspace) -> None:
    """Migration 0017's indexes exist and serve ``ILIKE '%word%' ESCAPE``, as searched."""
    if book.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no substring index")
    from sqlalchemy import text

    with book.engine.connect() as conn:
        names = set(
            conn.scalars(
                text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
            )
        )
        assert {"ix_accounts_search", "ix_certificates_search"} <= names
        conn.execute(text("SET enable_seqscan = off"))  # a 300-row table would be read
        stmt = select(m.Account.id).where(*every_word("smith", account_matches))
        compiled = stmt.compile(conn, compile_kwargs={"literal_binds": True})
        plan = "\n".join(conn.scalars(text(f"EXPLAIN {compiled}")))
        assert "ix_accounts_search" in plan, plan
