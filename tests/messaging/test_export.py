"""Streaming CSV export of the message log: same filters, chunks, cells safe for spreadsheets."""

from __future__ import annotations

import csv
import io
import json

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from consentry.kit.db import Database
from consentry.messaging.logs import CSV_COLUMNS, csv_cell, export_csv
from consentry.messaging.models import Direction, MessageStatus
from consentry.messaging.search import MessageFilters
from tests.support.builders import Tenant
from tests.support.messages import add_message, bulk_insert, message_values

NUM = "+13125550100"
ALICE = "+17735550111"
BOB = "+17735550122"


def parse(body: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body)))


def test_formula_cells_are_defused_and_numbers_are_not() -> None:
    assert csv_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert csv_cell("+SUM(A1)") == "'+SUM(A1)"
    assert csv_cell("-2+3") == "'-2+3"
    assert csv_cell("@cmd") == "'@cmd"
    assert csv_cell("\t=1") == "'\t=1"
    assert csv_cell("+15551234567") == "+15551234567"
    assert csv_cell("+1555 =1") == "'+1555 =1"
    assert csv_cell("Hello = world") == "Hello = world"
    assert csv_cell(None) == ""
    assert csv_cell(3) == "3"


def test_export_over_http_applies_the_filters(
    client: TestClient, session: Session, customer: Tenant, other_customer: Tenant
) -> None:
    acc = customer.account
    add_message(session, acc, number=NUM, remote=ALICE, text='=1+1 plain, "quoted"\nsecond line')
    add_message(session, acc, number=NUM, remote=BOB, status=MessageStatus.FAILED,
                error_code="30007", text="Ünïcode ✓ text")  # fmt: skip
    add_message(session, acc, number=NUM, remote=ALICE, direction=Direction.INBOUND,
                media=[{"id": "med_1", "content_type": "image/jpeg", "path": "/x"}])  # fmt: skip
    add_message(session, other_customer.account, number=NUM, remote=ALICE, text="not yours")
    session.commit()

    r = client.get("/api/v1/logs/export.csv", headers=customer.headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = parse(r.text)
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 4
    by_col = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]]
    assert [row["direction"] for row in by_col] == ["inbound", "outbound", "outbound"]
    assert json.loads(by_col[0]["media"]) == [
        {"id": "med_1", "content_type": "image/jpeg", "path": "/x"}
    ]
    assert by_col[1]["text"] == "Ünïcode ✓ text" and by_col[1]["error_code"] == "30007"
    assert by_col[2]["text"] == '\'=1+1 plain, "quoted"\nsecond line'
    assert by_col[2]["from"] == NUM and by_col[2]["to"] == ALICE
    assert "not yours" not in r.text

    r = client.get("/api/v1/logs/export.csv", params={"status": "failed"}, headers=customer.headers)
    rows = parse(r.text)
    assert len(rows) == 2 and rows[1][CSV_COLUMNS.index("to")] == BOB

    r = client.get("/api/v1/logs/export.csv", params={"q": "text"}, headers=customer.headers)
    assert len(parse(r.text)) == 2
    assert client.get("/api/v1/logs/export.csv").status_code == 401
    assert (
        client.get(
            "/api/v1/logs/export.csv", params={"direction": "x"}, headers=customer.headers
        ).status_code
        == 422
    )


def test_export_streams_in_chunks(database: Database, session: Session, customer: Tenant) -> None:
    acc = customer.account
    bulk_insert(session, [message_values(acc, number=NUM, remote=ALICE) for _ in range(2300)])
    session.commit()
    chunks = export_csv(
        database, account_ids=[acc.id], filters=MessageFilters(number=NUM), batch_size=200
    )
    header = next(chunks)
    assert header.startswith("id,created_at,")
    first = next(chunks)  # produced before the rest of the rows are read
    assert first.count("\r\n") == 500
    rest = list(chunks)
    assert [c.count("\r\n") for c in rest] == [500, 500, 500, 300]


def test_export_of_nothing_is_the_header(client: TestClient, customer: Tenant) -> None:
    r = client.get("/api/v1/logs/export.csv", headers=customer.headers)
    assert r.status_code == 200
    assert parse(r.text) == [list(CSV_COLUMNS)]
