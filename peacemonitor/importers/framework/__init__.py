"""The import framework importers build on: what they yield (``items``), the context they are
given and the ``Importer`` protocol (``context``), the Arrow batch builder (``batches``), the place
cache (``places``), the named errors (``errors``) and the report of one import (``report``).

Nothing here imports an importer or the runner (``peacemonitor.runner``), which sits above the
importers and drives them; see docs/architecture.md.
"""
