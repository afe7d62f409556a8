"""Which certificates may ship and which manifests are still open: custody's rules.

Beside the state machines of `desk_app.domain.states` (`CERTIFICATE`, `MANIFEST`),
so that the custody services read each rule from one place.
"""

from __future__ import annotations

from desk_app.domain.states import CertificateStatus, ManifestStatus

CS, MS = CertificateStatus, ManifestStatus

#: A manifest not yet received, returned or cancelled (its certificates are on it).
OPEN_MANIFEST = (MS.DRAFT, MS.VERIFIED, MS.PRINTED, MS.IN_TRANSIT)

#: What may go on a manifest: a certificate in the vault or prepared for delivery.
SHIPPABLE = frozenset({CS.IN_VAULT, CS.PREPARED})

#: What is already on its way: on an open manifest, or with the courier.
SHIPPING = frozenset({CS.ON_MANIFEST, CS.IN_TRANSIT})

#: Statuses in which the firm holds the certificate itself (what a box count counts).
IN_POSSESSION = (CS.IN_VAULT, CS.PREPARED, CS.ON_MANIFEST, CS.RETURNED)
