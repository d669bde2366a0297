-- Territories: the DIVIPOLA gazetteer, DANE population vintages, MGN boundaries, and the point index.
-- Codes are text: "05001" is not 5001. Country "CO", department "05", municipality "05001".

CREATE TABLE territories (
    code VARCHAR PRIMARY KEY,
    level VARCHAR NOT NULL,            -- country | department | municipality
    name VARCHAR NOT NULL,             -- official DIVIPOLA name
    department_code VARCHAR,           -- the department of a municipality (its own code for a department)
    kind VARCHAR NOT NULL,             -- country | department | municipality | non-municipalised-area | island
    lat DOUBLE,                        -- DANE representative point (not an exact centroid)
    lon DOUBLE,
    successor VARCHAR,                 -- the code that absorbed this one, when it no longer exists
    valid_until VARCHAR                -- the day this code stopped naming a territory (YYYY-MM-DD)
);

-- Every name a territory goes by. kind: official | divipola | variant | short | former | police |
-- acled | population | mgn. filed_under: a department code under which a source files this
-- municipality although it is not that department's (the Police file Bogota under Cundinamarca).
CREATE TABLE territory_names (
    code VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    normalized VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    filed_under VARCHAR,
    source VARCHAR
);

-- One row per reference file loaded: what it was and where every row went.
CREATE SEQUENCE territory_load_ids START 1;
CREATE TABLE territory_loads (
    load_id BIGINT PRIMARY KEY,
    dataset VARCHAR NOT NULL,          -- divipola | population | boundaries
    layout VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_stored BIGINT NOT NULL,
    rows_non_data JSON,                -- {"row number": "why it is not data"}
    detail JSON
);

-- Population by vintage, current territory (merged codes summed into their successor), and year.
-- Municipality, department and country ("CO") rows. 0 is stored as 0; rates must treat it as undefined.
CREATE TABLE population (
    vintage VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    population BIGINT,
    PRIMARY KEY (vintage, code, year)
);

-- The figures as the file gives them (before merging codes), so nothing read is lost.
CREATE TABLE population_rows (
    vintage VARCHAR NOT NULL,
    code VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    population BIGINT,
    PRIMARY KEY (vintage, code, year)
);

-- census_base: the census a projection series is built on; two vintages with different bases are
-- not comparable (the 2017 -> 2018 break drops the national population by about a million).
CREATE TABLE population_vintages (
    vintage VARCHAR PRIMARY KEY,
    description VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    census_base VARCHAR NOT NULL,
    first_year INTEGER NOT NULL,
    last_year INTEGER NOT NULL
);

-- Polygons as WKB (lon/lat, WGS84). detail: 'full' for point-in-polygon, 'light' for maps.
CREATE TABLE boundaries (
    code VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    detail VARCHAR NOT NULL,
    name VARCHAR,
    source_file VARCHAR NOT NULL,
    geometry BLOB NOT NULL,
    PRIMARY KEY (code, detail)
);

-- Cached point-location index (an .npz payload) built from the 'full' municipal boundaries.
CREATE TABLE point_index (
    name VARCHAR PRIMARY KEY,
    built_from VARCHAR NOT NULL,       -- sha256 of the boundary file it was built from
    format_version INTEGER NOT NULL,
    payload BLOB NOT NULL
);
