-- Fetches: what was downloaded from which publisher, when, and what it held. ACLED's attribution
-- needs the access date; every fetch command records one row per file it produced. URLs are
-- stored without credentials (tokens travel in headers, never in the URL or here).

CREATE SEQUENCE fetch_ids START 1;

CREATE TABLE fetches (
    fetch_id BIGINT PRIMARY KEY,
    source VARCHAR NOT NULL,        -- police, ucdp, acled, dane-population, mgn, ...
    dataset VARCHAR NOT NULL,       -- e.g. "kidnapping d7zw-hpf4", "ged 25.1", "Colombia"
    url VARCHAR NOT NULL,
    fetched_at TIMESTAMP NOT NULL,
    file_name VARCHAR,
    sha256 VARCHAR,
    bytes BIGINT,
    rows BIGINT,
    detail JSON
);

-- Where an incremental sync stands, per source and scope (ACLED: the country): the newest
-- `timestamp` of the rows already pulled and the newest deletion already applied.
CREATE TABLE sync_state (
    source VARCHAR NOT NULL,
    scope VARCHAR NOT NULL,
    last_timestamp BIGINT,
    last_deleted_timestamp BIGINT,
    synced_at TIMESTAMP NOT NULL,
    PRIMARY KEY (source, scope)
);

-- Records a publisher withdrew (ACLED's deletions endpoint) and that were removed here.
CREATE TABLE withdrawals (
    source VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,
    deleted_timestamp BIGINT,
    withdrawn_at TIMESTAMP NOT NULL,
    observations BIGINT NOT NULL
);
