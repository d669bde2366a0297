-- Presence a user imports (`peacemonitor import presence FILE`): one row per stored input row.
-- Identity: record_id '<file sha256>:<row>', so importing the same file again stores nothing new.
-- Rows that could not be stored go to `user_presence_quarantine` with their reason.
CREATE TABLE user_presence (
    import_id BIGINT NOT NULL,
    record_id VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    row_number BIGINT NOT NULL,
    actor_id VARCHAR NOT NULL,           -- registry actor id (resolved from id, name or alias)
    actor_raw VARCHAR NOT NULL,          -- as the file gives it
    territory_level VARCHAR NOT NULL,    -- country | department | municipality
    territory_code VARCHAR NOT NULL,
    territory_raw VARCHAR NOT NULL,
    date_first DATE,                     -- NULL: open start
    date_last DATE,                      -- NULL: open end (still present)
    source VARCHAR NOT NULL              -- the user's source for the row
);

-- Rows of a presence table that could not be stored, with why. Kept apart from `quarantine`
-- (whose rows `quarantine retry` hands back to an event importer): importing the file again is
-- the retry, and replaces the file's rows here with the ones still not stored.
CREATE TABLE user_presence_quarantine (
    import_id BIGINT NOT NULL,
    record_id VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    row_number BIGINT NOT NULL,
    reason VARCHAR NOT NULL,
    column_name VARCHAR,
    detail VARCHAR,
    raw JSON NOT NULL
);
