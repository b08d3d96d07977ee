"""The register of the 151 councils with adult social services responsibilities (May 2020).

Source: `data/local_authorities.csv`, copied unchanged from the project's reference data
(ONS lookups cross-checked with mySociety; domains from GOV.UK Local Links Manager and the
Planning Inspectorate; see `data/SOURCES.md`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

REGIONS = (
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)


@dataclass(frozen=True)
class LocalAuthority:
    code: str
    name: str
    type: str
    region: str
    nhs_region: str
    official_name: str
    domains: tuple[str, ...]
    alt_names: tuple[str, ...]
    care_homes: int | None = None

    def owns_domain(self, domain: str) -> bool:
        """True for one of the LA's domains or a subdomain of one."""
        domain = domain.lower().rstrip(".")
        return any(domain == d or domain.endswith("." + d) for d in self.domains)


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())


def _from_row(row: dict[str, str]) -> LocalAuthority:
    domains = dict.fromkeys(
        d.lower() for d in (row["email_domain"], row["web_domain"], *_split(row["other_domains"]))
    )
    return LocalAuthority(
        code=row["gss_code"],
        name=row["name"],
        type=row["type"],
        region=row["region"],
        nhs_region=row["nhs_region"],
        official_name=row["official_name"],
        domains=tuple(domains),
        alt_names=_split(row["alt_names"]),
        care_homes=int(row["care_homes"]) if row["care_homes"].strip() else None,
    )


@cache
def load_register() -> tuple[LocalAuthority, ...]:
    """The 151 LAs of the register, in the CSV's order."""
    text = resources.files("store.data").joinpath("local_authorities.csv").read_text("utf-8")
    return tuple(_from_row(row) for row in csv.DictReader(text.splitlines()))


@cache
def authorities_by_code() -> Mapping[str, LocalAuthority]:
    """The register by GSS code (read-only: one mapping serves every caller)."""
    return MappingProxyType({la.code: la for la in load_register()})


def load_into(db: sqlite_utils.Database) -> int:
    """Write the register into the `authorities` table (idempotent); returns the row count."""
    rows = [
        {
            "code": la.code,
            "name": la.name,
            "type": la.type,
            "region": la.region,
            "nhs_region": la.nhs_region,
            "official_name": la.official_name,
            "domains": json.dumps(la.domains),
            "alt_names": json.dumps(la.alt_names),
            "care_homes": la.care_homes,
        }
        for la in load_register()
    ]
    db.table("authorities").upsert_all(rows, pk="code")
    return len(rows)
