"""Custody's rules agree with the certificate and manifest state machines."""

from __future__ import annotations

from desk_app.domain.custody_rules import OPEN_MANIFEST, SHIPPABLE, SHIPPING
from desk_app.domain.states import CERTIFICATE, MANIFEST, CertificateStatus, ManifestStatus


def test_an_open_manifest_is_one_not_in_a_final_state() -> None:
    assert set(OPEN_MANIFEST) == {s for s in ManifestStatus if not MANIFEST.is_final(s)}


def test_what_ships_may_go_on_a_manifest_and_what_ships_already_may_not() -> None:
    prepared, on_manifest = CertificateStatus.PREPARED, CertificateStatus.ON_MANIFEST
    for status in SHIPPABLE:  # from the vault, by way of preparing it for delivery
        assert status is prepared or CERTIFICATE.can(status, prepared)
    assert CERTIFICATE.can(prepared, on_manifest)
    assert not SHIPPABLE & SHIPPING
    assert CertificateStatus.ON_MANIFEST in SHIPPING and CertificateStatus.IN_TRANSIT in SHIPPING
