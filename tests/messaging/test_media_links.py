"""MMS media reaches the carrier: signed, expiring links served without an API key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from consentry.carriers.base import OutboundMessage
from consentry.carriers.loopback import LoopbackCarrier
from consentry.carriers.loopback.models import LoopbackSubmission
from consentry.kit.clock import FrozenClock
from consentry.kit.db import Database
from consentry.kit.settings import Settings
from consentry.messaging.dispatch import Dispatcher
from consentry.messaging.media import signed_url
from consentry.messaging.models import Media
from consentry.messaging.ratelimit import DatabaseRateLimiter
from consentry.registration.models import Application as ApplicationRow
from tests.api.test_provider_api import creds
from tests.carriers.smsc import Smsc
from tests.carriers.test_smpp import Inbox
from tests.carriers.test_smpp import _carrier as smpp_carrier
from tests.messaging.builders import loopback_dispatcher, queue_message
from tests.support.builders import EXAMPLE_NUMBER, Tenant
from tests.support.messaging import RECIPIENT, approved, consent

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64
VCARD = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Northside PT\r\nEND:VCARD\r\n"
TEXT = "Northside PT: your exercise sheet is attached. Reply STOP to opt out."
PUBLIC = "https://texts.northside.example/app"


@pytest.fixture(autouse=True)
def _public_url(settings: Settings) -> None:
    settings.public_url = PUBLIC


@pytest.fixture
def app_row(
    session: Session, customer: Tenant, reviewer: Tenant, clock: FrozenClock, settings: Settings
) -> ApplicationRow:
    row = approved(session, customer, reviewer, clock, settings)
    consent(session, row, now=clock.now())
    return row


@pytest.fixture
def dispatcher(database: Database, settings: Settings, clock: FrozenClock) -> Iterator[Dispatcher]:
    dispatcher, carrier, _ = loopback_dispatcher(database, settings, clock)
    yield dispatcher
    carrier.close()


def _upload(client: TestClient, tenant: Tenant, data: bytes, kind: str) -> str:
    r = client.post("/api/v1/media", files={"file": ("f", data, kind)}, headers=tenant.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _recorded(client: TestClient, tenant: Tenant, message_id: str) -> dict[str, Any]:
    """The loopback carrier's record of one message, read through the API."""
    r = client.get(f"/api/v1/carriers/loopback/submissions/{message_id}", headers=tenant.headers)
    assert r.status_code == 200, r.text
    (item,) = r.json()["items"]
    return dict(item)


def _local(url: str) -> str:
    """The link as a path on the test client (the public base is this server)."""
    assert url.startswith(PUBLIC + "/"), url
    return url[len(PUBLIC) :]


def _send_mms(
    client: TestClient, tenant: Tenant, dispatcher: Dispatcher, media: list[str]
) -> dict[str, Any]:
    sent = client.post(
        "/api/v1/messages",
        json={"from": EXAMPLE_NUMBER, "to": RECIPIENT, "text": TEXT, "media": media},
        headers=tenant.headers,
    )
    assert sent.status_code == 202, sent.text
    message_id = sent.json()["id"]
    assert dispatcher.dispatch([message_id]).sent == [message_id]
    return _recorded(client, tenant, message_id)


def test_uploaded_media_reaches_the_carrier_as_signed_links(
    client: TestClient, customer: Tenant, app_row: ApplicationRow, dispatcher: Dispatcher
) -> None:
    png = _upload(client, customer, PNG, "image/png")
    card = _upload(client, customer, VCARD, "text/x-vcard")
    record = _send_mms(client, customer, dispatcher, [png, card])

    assert record["text"] == TEXT
    links = record["media_urls"]
    assert [urlsplit(u).path for u in links] == [
        f"/app/api/v1/media/{png}/content",
        f"/app/api/v1/media/{card}/content",
    ]
    for link, data, kind in zip(links, (PNG, VCARD), ("image/png", "text/vcard"), strict=True):
        got = client.get(_local(link))  # no API key: the carrier has none
        assert got.status_code == 200, got.text
        assert got.content == data
        assert got.headers["content-type"].split(";")[0] == kind
        assert got.headers["x-content-type-options"] == "nosniff"
        head = client.head(_local(link))
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(len(data))


def test_an_altered_link_is_refused_with_403(
    client: TestClient, customer: Tenant, app_row: ApplicationRow, dispatcher: Dispatcher
) -> None:
    png = _upload(client, customer, PNG, "image/png")
    card = _upload(client, customer, VCARD, "text/vcard")
    link = _local(_send_mms(client, customer, dispatcher, [png])["media_urls"][0])
    path, query = link.split("?")
    params = {k: v[0] for k, v in parse_qs(query).items()}
    sig, expires = params["signature"], params["expires"]
    flipped = ("1" if sig[0] == "0" else "0") + sig[1:]
    altered = [
        (path, {"expires": expires, "signature": flipped}),  # another signature
        (path, {"expires": str(int(expires) + 86400), "signature": sig}),  # a later expiry
        (path.replace(png, card), params),  # another file
        (path, {"expires": expires}),  # no signature
        (path, {"signature": sig}),  # no expiry
        (path, {"expires": "soon", "signature": sig}),
        (path, {"expires": expires, "signature": "é" * 64}),
        (path.replace(png, "med_nope"), params),  # an unknown id reads the same
    ]
    for target, query_params in altered:
        r = client.get(target, params=query_params)
        assert r.status_code == 403, (target, query_params, r.text)
        error = r.json()["error"]
        assert error["code"] == "MEDIA_SIGNATURE_INVALID"
        assert error["message"] == "This media link is not valid: its signature does not match."
    assert client.get(path, params=params).content == PNG


def test_an_expired_link_is_refused_with_403(
    client: TestClient,
    customer: Tenant,
    app_row: ApplicationRow,
    dispatcher: Dispatcher,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    png = _upload(client, customer, PNG, "image/png")
    link = _local(_send_mms(client, customer, dispatcher, [png])["media_urls"][0])
    clock.advance(seconds=settings.media_url_ttl_seconds - 1)
    assert client.get(link).status_code == 200
    clock.advance(seconds=2)
    r = client.get(link)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "MEDIA_LINK_EXPIRED"
    assert r.json()["error"]["message"] == "This media link has expired."


def test_a_signed_link_to_missing_media_is_404(
    client: TestClient,
    session: Session,
    customer: Tenant,
    clock: FrozenClock,
    settings: Settings,
) -> None:
    unknown = client.get(_local(signed_url(settings, "med_nope", now=clock.now())))
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "MEDIA_NOT_FOUND"
    png = _upload(client, customer, PNG, "image/png")
    row = session.get(Media, png)
    assert row is not None
    (Path(settings.media_dir) / row.storage_key).unlink()
    gone = client.get(_local(signed_url(settings, png, now=clock.now())))
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "MEDIA_NOT_FOUND"


def test_a_link_signed_under_another_secret_is_refused(
    client: TestClient, customer: Tenant, clock: FrozenClock, settings: Settings
) -> None:
    png = _upload(client, customer, PNG, "image/png")
    other = settings.model_copy(update={"secret_key": "another-installation-secret"})
    r = client.get(_local(signed_url(other, png, now=clock.now())))
    assert r.status_code == 403 and r.json()["error"]["code"] == "MEDIA_SIGNATURE_INVALID"


def test_external_media_urls_are_handed_over_as_given(
    client: TestClient,
    session: Session,
    customer: Tenant,
    dispatcher: Dispatcher,
    clock: FrozenClock,
) -> None:
    png = _upload(client, customer, PNG, "image/png")
    msg = queue_message(
        session, account_id=customer.account.id, to=RECIPIENT, now=clock.now(), commit=False
    )
    external = "https://cdn.example.net/menu.jpg?v=2"
    msg.media = [{"id": "med_ext", "url": external}, {"id": png, "content_type": "image/png"}]
    session.commit()
    dispatcher.dispatch([msg.id])
    links = _recorded(client, customer, msg.id)["media_urls"]
    assert links[0] == external
    assert client.get(_local(links[1])).content == PNG


def test_an_sms_hands_the_carrier_no_links(
    client: TestClient, customer: Tenant, app_row: ApplicationRow, dispatcher: Dispatcher
) -> None:
    record = _send_mms(client, customer, dispatcher, [])
    assert record["media_urls"] == []


def test_smpp_still_refuses_media(
    client: TestClient,
    customer: Tenant,
    app_row: ApplicationRow,
    database: Database,
    settings: Settings,
    clock: FrozenClock,
) -> None:
    png = _upload(client, customer, PNG, "image/png")
    sent = client.post(
        "/api/v1/messages",
        json={"from": EXAMPLE_NUMBER, "to": RECIPIENT, "text": TEXT, "media": [png]},
        headers=customer.headers,
    )
    message_id = sent.json()["id"]
    with Smsc() as smsc:
        carrier = smpp_carrier(smsc, Inbox())
        try:
            assert carrier.wait_bound(5)
            dispatcher = Dispatcher(
                db=database,
                carrier=carrier,
                limiter=DatabaseRateLimiter(),
                settings=settings,
                clock=clock,
            )
            assert dispatcher.dispatch([message_id]).failed == [message_id]
        finally:
            carrier.close()
        assert smsc.submits == []  # not sent as a text without its picture
    got = client.get(f"/api/v1/messages/{message_id}", headers=customer.headers).json()
    assert (got["status"], got["error_code"]) == ("failed", "SMPP_MMS_UNSUPPORTED")


def test_the_carrier_record_is_the_callers_own(
    client: TestClient,
    customer: Tenant,
    other_customer: Tenant,
    app_row: ApplicationRow,
    dispatcher: Dispatcher,
) -> None:
    record = _send_mms(client, customer, dispatcher, [])
    r = client.get(
        f"/api/v1/carriers/loopback/submissions/{record['message_id']}",
        headers=other_customer.headers,
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "MESSAGE_NOT_FOUND"


def test_mms_through_the_provider_api_reaches_the_carrier(
    client: TestClient, customer: Tenant, app_row: ApplicationRow, dispatcher: Dispatcher
) -> None:
    png = _upload(client, customer, PNG, "image/png")
    sent = client.post(
        "/api/messaging/v1/send",
        params=creds(customer),
        json={"from": EXAMPLE_NUMBER, "to": RECIPIENT, "text": TEXT, "media": [png]},
    )
    assert sent.status_code == 202, sent.text
    message_id = sent.json()["id"]
    dispatcher.dispatch([message_id])
    (link,) = _recorded(client, customer, message_id)["media_urls"]
    assert client.get(_local(link)).content == PNG
    own = client.get(f"/api/messaging/v1/media/{png}", params=creds(customer))
    assert (own.status_code, own.headers["content-type"], own.content) == (200, "image/png", PNG)


def test_loopback_carrier_keeps_links_in_order(database: Database) -> None:
    """The carrier's own record, as a test or a person reading the table sees it."""
    carrier = LoopbackCarrier(database=database, receipt_delay=0.0)
    links = ("https://a.example/1.png", "https://a.example/2.png")
    (result,) = carrier.submit_many(
        [OutboundMessage("msg_x", EXAMPLE_NUMBER, RECIPIENT, "", links)]
    )
    assert result.ok
    with database.transaction() as s:
        row = s.scalars(
            select(LoopbackSubmission).where(LoopbackSubmission.message_id == "msg_x")
        ).one()
        assert row.media_urls == list(links)
