"""Importers, one module per source family, and the explicit registry the CLI's SOURCE names."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from peacemonitor.importers.acled import AcledImporter
from peacemonitor.importers.aggregates import TableImporter
from peacemonitor.importers.cnmh import CnmhImporter
from peacemonitor.importers.ethprio import CeasefiresImporter
from peacemonitor.importers.leaders import LeadersImporter
from peacemonitor.importers.massacres import MassacresImporter
from peacemonitor.importers.panel import PanelImporter
from peacemonitor.importers.pax import PaxImporter
from peacemonitor.importers.police import PoliceImporter
from peacemonitor.importers.ucdp import UcdpImporter

if TYPE_CHECKING:
    from peacemonitor.importers.framework.context import Importer

IMPORTERS: dict[str, Callable[[], Importer]] = {
    "police": PoliceImporter,
    "police-datos-gov": PoliceImporter,  # files datos.gov.co exports apart from DIJIN sheets
    "massacres": MassacresImporter,
    "leaders": LeadersImporter,
    "ucdp": UcdpImporter,
    "acled": AcledImporter,
    "acled-hdx": AcledImporter,  # files its monthly aggregates apart from events
    "pax": PaxImporter,
    "ceasefires": CeasefiresImporter,
    "cnmh": CnmhImporter,
    "cnmh-massacres-4plus": CnmhImporter,  # CNMH's 4+ massacres, apart from the official 3+
    "paztotal-panel": PanelImporter,
    "table": TableImporter,  # aggregate tables, filed under the source their mapping names
}
