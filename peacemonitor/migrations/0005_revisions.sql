-- Revisions: an import run with `--revise` replaces what earlier imports of the source stored
-- for the same record ids (UCDP and ACLED revise published events); how many observations it
-- replaced is recorded with the import.

ALTER TABLE imports ADD COLUMN observations_replaced BIGINT DEFAULT 0;
