-- Process records imported from research datasets — PA-X peace agreements, ETH/PRIO ceasefires —
-- kept apart from the curated registry (registry_records). Identity: (source, record_id).
-- actor_ids: registry actors named in the record; links: JSON list of
-- {"kind": "actor"|"table"|"agreement"|"ceasefire", "id": registry id or null, "reason": why it
-- is not linked (null when it is), "detail": what was compared}.

CREATE TABLE imported_agreements (
    source VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,          -- PA-X AgtId
    import_id BIGINT,
    row_number BIGINT,
    country VARCHAR,                     -- PA-X Con, as published
    date_first DATE,                     -- PA-X Dat (signature)
    date_precision VARCHAR,
    title VARCHAR,                       -- Agt
    process VARCHAR,                     -- PPName
    stage VARCHAR,                       -- Stage (Pre, SubPar, SubComp, Imp, Ren, Cea, ...)
    status VARCHAR,                      -- Status
    parties_raw VARCHAR,                 -- Part, free text as published
    third_parties_raw VARCHAR,           -- ThrdPart
    actor_ids VARCHAR[],
    links JSON,
    attributes JSON                      -- every other column as published (provision codes ...)
);

CREATE TABLE imported_ceasefires (
    source VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,          -- location:id:name:ucdp_dyad (the file has no row id)
    import_id BIGINT,
    row_number BIGINT,
    country VARCHAR,                     -- location
    ceasefire_number VARCHAR,            -- id: the ceasefire's number within its country
    declared_by_raw VARCHAR,             -- name: the declaring actor, as published
    actor_ids VARCHAR[],
    date_first DATE,                     -- start
    date_precision VARCHAR,
    date_end DATE,                       -- NULL: the shared file gives no end dates
    ucdp_dyad VARCHAR,                   -- as published ("-1"/"0.0" = none)
    masked VARCHAR[],                    -- columns the file masks ("x" in every row): never guessed
    links JSON,
    attributes JSON
);
