-- Re-published files: each import records the fingerprint of the content it parsed (equal
-- content in other bytes is already present) and which earlier files' observations it replaced
-- when it revised the periods they covered ([{import_id, file, imported_at, periods}]).

ALTER TABLE imports ADD COLUMN content_sha256 VARCHAR;
ALTER TABLE imports ADD COLUMN supersedes JSON;
ALTER TABLE imports ADD COLUMN same_content_as VARCHAR;
