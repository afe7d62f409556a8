"""Custody: physical share certificates, their chain of custody, courier manifests, box counts.

Public entries: `certificates` (the register), `certificate_moves` (prepare, vault,
lose, replace, reissue), `manifests` and `manifest_printing`, `box_counts`. Every
status change goes through `chain.move`, which writes the chain-of-custody entry.
"""
