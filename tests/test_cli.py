"""The CLI in-process, against the fixture registry, with exact output."""

from pathlib import Path

import pytest

FIXTURE = str(Path(__file__).parent / "data" / "registry")


@pytest.fixture
def run(cli):
    code, out = cli("init", "--registry", FIXTURE)
    assert code == 0, out
    assert out.endswith(f"loaded 13 registry records from {FIXTURE}\n")
    return cli


def test_actor_shows_its_split_with_date_and_source(run):
    code, out = run("actor", "splinter")
    assert code == 0
    assert out == (
        "splinter — Splinter Front (dissident-faction)\n"
        "legal status: not recorded\n"
        "split-from parent-group since 2024-05 — Test Publisher, 2024-11-21: "
        '"In May the front split"\n'
        "lineage:\n"
        "  parent-group — Parent Group\n"
        "    splinter — Splinter Front [split-from 2024-05]\n"
        "      sub-splinter — Sub Splinter [split-from 2025-01-10]\n"
        "tables: national-table\n"
        "ceasefires: ended-ceasefire\n"
    )


def test_tables_as_csv_on_two_days(run):
    assert run("tables", "--as-of", "2024-01-01", "--format", "csv") == (
        0,
        "id,level,track,status,status_since,armed_groups\n"
        'national-table,national,political,installed,2022-11,"parent-group, splinter"\n',
    )
    assert run("tables", "--as-of", "2024-10-01", "--format", "csv") == (
        0,
        "id,level,track,status,status_since,armed_groups\n"
        "national-table,national,political,suspended,2024-09-17,parent-group\n",
    )


def test_ceasefires_as_of_shows_a_partial_suspension(run):
    assert run("ceasefires", "--as-of", "2024-04-01", "--format", "csv") == (
        0,
        "id,kind,parties,status,since,term_since,planned_end,open_ended,in_force,suspended\n"
        "ended-ceasefire,unilateral,splinter,in-force,2024-01-01,2024-01-01,,yes,CO,\n"
        'national-ceasefire,bilateral,"gov, parent-group",partly-suspended,2024-03,2024-02-06,'
        '2024-08-03,no,CO,"19, 52, 76"\n',
    )
    assert run("ceasefires", "--as-of", "2024-10-04", "--live") == (0, _empty_ceasefire_table())


def _empty_ceasefire_table() -> str:
    from peacemonitor.cli.process_commands import CEASEFIRE_COLUMNS
    from peacemonitor.cli.render import table_text

    return table_text([], CEASEFIRE_COLUMNS) + "\n"


def test_actors_table(run):
    code, out = run("actors", "--as-of", "2024-06-01")
    assert code == 0
    lines = out.splitlines()
    assert lines[1].split("┃")[1:-1] == [
        " id           ",
        " name           ",
        " kind              ",
        " legal_status ",
        " origins                           ",
    ]
    assert "│ parent-group │ Parent Group   │ insurgency        │ political    │" in out
    assert (
        "│ splinter     │ Splinter Front │ dissident-faction │              │ "
        "split-from parent-group (2024-05) │" in out
    )


def test_json_is_the_library_shape(run):
    import json

    code, out = run("table", "national-table", "--format", "json", "--as-of", "2024-10-01")
    assert code == 0
    data = json.loads(out)
    assert sorted(data) == [
        "agreements",
        "ceasefires",
        "gestures",
        "heads",
        "parties_now",
        "red_lines",
        "state",
        "table",
    ]
    assert data["state"]["status"] == "suspended"
    assert data["agreements"][0]["provisions"][0]["implemented_before_signed"] is True
    assert data["agreements"][0]["provisions"][0]["level_coding"].startswith(
        "our coding from reported events"
    )


def test_stats_prints_whole_numbers_without_decimals(run):
    code, out = run("stats", "--format", "csv")
    assert out == (
        "id,statement,qualifier,value,direction,unit,period,territory,territory_name,source,"
        "unverified\n"
        "stat-1,More than 350 leaders were killed.,more-than,350,,people,2022-08..2024-08,CO,"
        'Colombia,"Test Publisher (2024-09), from Some NGO",no\n'
    )


def test_errors_are_one_line_and_exit_1(run):
    assert run("actor", "nobody") == (
        1,
        "error: no actor 'nobody'; `peacemonitor actors` lists them\n",
    )
    code, out = run("tables", "--as-of", "2024-10")
    assert code == 2 and "give a full day (YYYY-MM-DD)" in out


def test_reading_before_init_says_what_to_do(cli, tmp_path):
    code, out = cli("tables")
    assert code == 1
    assert out == (
        f"error: no store at {(tmp_path / 'cli.duckdb').resolve()} (the path --db or "
        "PEACEMONITOR_DB gives, else ./peacemonitor.duckdb): run `peacemonitor init` first, or "
        "point --db at your store\n"
    )


def test_registry_check_on_a_broken_copy(cli, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(FIXTURE, broken)
    path = broken / "red_lines.yaml"
    path.write_text(path.read_text().replace("table: national-table", "table: no-table"))
    assert cli("registry", "check", str(broken)) == (
        1,
        "error: 1 problem(s) in the registry:\n"
        "red_lines.yaml:1: no-kidnapping: table: unknown table 'no-table'\n",
    )
    assert cli("registry", "check", FIXTURE) == (
        0,
        "registry OK: 13 records (2 sources, 4 actors, 1 tables, 2 ceasefires, 1 agreements, "
        "1 gestures, 1 red_lines, 1 statistics, 0 actor_mappings, 0 link_overrides)\n",
    )


def test_registry_export_and_load_round_trip(run, tmp_path):
    out_dir = tmp_path / "exported"
    code, out = run("registry", "export", "--output", str(out_dir))
    assert (
        code == 0 and len(out.splitlines()) == 10
    )  # one file per kind: actor_mappings, link_overrides too
    assert run("registry", "load", str(out_dir)) == (
        0,
        f"loaded 13 registry records from {out_dir}\n",
    )


def test_table_view_says_status_scope_parties_and_links(run):
    code, out = run("table", "national-table", "--as-of", "2024-10-01")
    assert code == 0
    assert out.splitlines()[8:12] == [
        "Government – Parent Group — national, political",
        "status on 2024-10-01: suspended since 2024-09-17; open: no end recorded",
        "scope: 50, 18",
        "parties: gov (government), parent-group (armed-group)",
    ]
    # the 2024-08-03 extension starts a term without the March suspension (it belonged to the
    # term it was made in), and the term ends on 2024-10-03: in force that day, not after
    assert "ceasefire national-ceasefire: in-force since 2024-08-03" in out
    assert "│ first-agreement │ p1        │ ceasefire      │ 3         │ yes           │" in out
    # levels the registry assigns are labelled as our coding, never as the Kroc Institute's
    assert "┃ agreement       ┃ provision ┃ theme          ┃ our level ┃ before signed ┃" in out
    assert (
        "our level: our coding from reported events (0-3, Kroc-style scale); "
        "not the Kroc Institute's assessment\n" in out
    )
    assert "kroc level" not in out.lower()
    assert out.endswith(
        "red line no-kidnapping: Kidnapping for ransom breaks the table\n"
        "gesture 2024 splinter: unilateral-ceasefire (goodwill)\n"
    )
