-- Core schema: curated registry documents, sources, and the observation contract importers fill.

CREATE TABLE sources (
    id VARCHAR PRIMARY KEY,
    publisher VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    author VARCHAR,
    date VARCHAR,
    url VARCHAR,
    doc JSON NOT NULL
);

-- One row per curated record (actor, table, ceasefire, agreement, gesture, red line, statistic);
-- doc is the record's JSON shape as documented in docs/json.md.
CREATE TABLE registry_records (
    kind VARCHAR NOT NULL,
    id VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    doc JSON NOT NULL,
    PRIMARY KEY (kind, id)
);

-- Every name an actor goes by, normalised, so importers can map raw actor strings to ids in SQL.
CREATE TABLE actor_names (
    actor_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    normalized VARCHAR NOT NULL,
    kind VARCHAR NOT NULL
);

CREATE TABLE registry_loads (
    loaded_at TIMESTAMP NOT NULL,
    directory VARCHAR NOT NULL,
    records INTEGER NOT NULL,
    sha256 VARCHAR NOT NULL
);

CREATE SEQUENCE import_ids START 1;

-- One row per imported file (or quarantine retry): what was read and where every row went.
-- rows_read = Σ rows_non_data + rows_stored + rows_already_present + Σ rows_quarantined, always.
CREATE TABLE imports (
    import_id BIGINT PRIMARY KEY,
    source VARCHAR NOT NULL,
    kind VARCHAR NOT NULL DEFAULT 'file',         -- 'file' or 'retry'
    layout VARCHAR,
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    seconds DOUBLE,
    rows_read BIGINT,
    rows_non_data JSON,                           -- {"title": n, "header": n, "total": n, ...}
    rows_stored BIGINT,
    rows_already_present BIGINT,
    rows_quarantined JSON,                        -- {"reason": n, ...}
    observations_stored BIGINT,
    totals JSON,                                  -- the file's own TOTAL rows and what was stored
    coverage JSON                                 -- [{"category", "unit", "territory_level", "first", "last"}]
);

-- Identity: (source, record_id, part). record_id is the source's own id or '<sha256>:<row>',
-- never a hash of the row's content (identical rows are distinct events). No key constraint:
-- the importer checks identity with an anti-join, which DuckDB does far faster than an index.
-- `sensitive` holds personal data (victims' names); only exports the operator allows read it.
CREATE TABLE observations (
    source VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,
    part VARCHAR NOT NULL DEFAULT '',
    import_id BIGINT,
    row_number BIGINT,
    category VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    count DOUBLE NOT NULL,
    date_first DATE NOT NULL,
    date_precision VARCHAR NOT NULL,
    territory_level VARCHAR NOT NULL,
    territory_code VARCHAR NOT NULL,
    resolution VARCHAR NOT NULL,
    actor_ids VARCHAR[],
    actor_raw VARCHAR[],
    deaths_best DOUBLE,
    deaths_low DOUBLE,
    deaths_high DOUBLE,
    civilian_targeting BOOLEAN,
    attributes JSON,
    sensitive JSON
);

-- Rows an importer could not store, with their raw values and why; `quarantine retry` revisits
-- them. raw's sensitive_columns are redacted in every listing unless the operator allows them.
CREATE TABLE quarantine (
    import_id BIGINT NOT NULL,
    source VARCHAR NOT NULL,
    layout VARCHAR,
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    row_number BIGINT NOT NULL,
    record_id VARCHAR,
    reason VARCHAR NOT NULL,
    column_name VARCHAR,
    detail VARCHAR,
    raw JSON NOT NULL,
    sensitive_columns VARCHAR[],
    resolved_at TIMESTAMP,
    resolved_import_id BIGINT
);
