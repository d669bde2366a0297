"""How each source's own classification maps onto the canonical categories.

Written once, as plain mappings a reader can see whole; docs/categories.md is generated from
these tables and a test keeps it in step. A source value that maps to ``None`` is deliberately
outside the monitor's scope (peaceful protests, for instance): importers store such rows with no
category only if the issue for that source says so, and otherwise report them, never drop them.
"""

from __future__ import annotations

from peacemonitor.model import Category

# ACLED `inter1`/`inter2` actor-type codes (ACLED codebook): 1 state forces, 2 rebel groups,
# 3 political militias, 4 identity militias, 5 rioters, 6 protesters, 7 civilians, 8 external.
ACLED_STATE = 1
ACLED_CIVILIANS = 7
ACLED_ARMED = (2, 3, 4, 8)

ACLED_SUB_EVENT: dict[tuple[str, str], Category | None] = {
    ("Battles", "Armed clash"): Category.GROUP_GROUP_CLASH,  # state side refined by actors
    ("Battles", "Government regains territory"): Category.STATE_GROUP_CLASH,
    ("Battles", "Non-state actor overtakes territory"): Category.GROUP_GROUP_CLASH,
    ("Explosions/Remote violence", "Remote explosive/landmine/IED"): Category.LANDMINE_IED,
    ("Explosions/Remote violence", "Air/drone strike"): Category.STATE_GROUP_CLASH,
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"): Category.STATE_GROUP_CLASH,
    ("Explosions/Remote violence", "Suicide bomb"): Category.TERRORISM,
    ("Explosions/Remote violence", "Grenade"): Category.VIOLENCE_AGAINST_CIVILIANS,
    ("Explosions/Remote violence", "Chemical weapon"): Category.VIOLENCE_AGAINST_CIVILIANS,
    ("Violence against civilians", "Attack"): Category.VIOLENCE_AGAINST_CIVILIANS,
    ("Violence against civilians", "Abduction/forced disappearance"): Category.KIDNAPPING,
    ("Violence against civilians", "Sexual violence"): Category.VIOLENCE_AGAINST_CIVILIANS,
    ("Riots", "Mob violence"): Category.VIOLENCE_AGAINST_CIVILIANS,
    ("Riots", "Violent demonstration"): None,
    ("Protests", "Peaceful protest"): None,
    ("Protests", "Protest with intervention"): None,
    ("Protests", "Excessive force against protesters"): Category.VIOLENCE_AGAINST_CIVILIANS,
    ("Strategic developments", "Agreement"): Category.STRATEGIC_DEVELOPMENT,
    ("Strategic developments", "Arrests"): Category.STRATEGIC_DEVELOPMENT,
    ("Strategic developments", "Change to group/activity"): Category.STRATEGIC_DEVELOPMENT,
    ("Strategic developments", "Disrupted weapons use"): Category.STRATEGIC_DEVELOPMENT,
    ("Strategic developments", "Headquarters or base established"): Category.STRATEGIC_DEVELOPMENT,
    ("Strategic developments", "Looting/property destruction"): Category.STRATEGIC_DEVELOPMENT,
    ("Strategic developments", "Non-violent transfer of territory"): Category.STRATEGIC_DEVELOPMENT,
    ("Strategic developments", "Other"): Category.STRATEGIC_DEVELOPMENT,
}


def acled_category(
    event_type: str, sub_event_type: str, inter1: int | None, inter2: int | None
) -> Category | None:
    """ACLED's event type refined by who fought whom.

    An armed clash with state forces on one side is a state–group clash; remote violence by a
    non-state group against state forces is an attack on the security forces.
    """
    category = ACLED_SUB_EVENT.get((event_type, sub_event_type))
    sides = {inter1, inter2}
    if category is Category.GROUP_GROUP_CLASH and ACLED_STATE in sides:
        return Category.STATE_GROUP_CLASH
    remote = event_type == "Explosions/Remote violence"
    if remote and inter2 == ACLED_STATE and inter1 in ACLED_ARMED:
        return Category.ATTACK_ON_SECURITY_FORCES
    return category


# UCDP GED `type_of_violence`: 1 state-based, 2 non-state, 3 one-sided (UCDP GED codebook).
UCDP_TYPE_OF_VIOLENCE: dict[int, Category] = {
    1: Category.STATE_GROUP_CLASH,
    2: Category.GROUP_GROUP_CLASH,
    3: Category.VIOLENCE_AGAINST_CIVILIANS,
}

# Policía Nacional (SIEDCO) crime families, as named in its yearly files, normalised
# (no accents, lower case).
POLICE_CRIME: dict[str, Category] = {
    "homicidio": Category.HOMICIDE,
    "homicidios": Category.HOMICIDE,
    "homicidio intencional": Category.HOMICIDE,
    "secuestro": Category.KIDNAPPING,
    "extorsion": Category.EXTORTION,
    "terrorismo": Category.TERRORISM,
    "amenazas": Category.THREAT,
    "amenaza": Category.THREAT,
}

# Single-purpose official and civil-society lists: every row is of one category.
ACLED_HDX_DATASET: dict[str, Category] = {
    # ACLED's HDX aggregate files count events by admin2 and month, one file per dataset.
    "civilian_targeting": Category.VIOLENCE_AGAINST_CIVILIANS,
    "political_violence": Category.POLITICAL_VIOLENCE,
    "demonstrations": Category.DEMONSTRATION,
}

LIST_SOURCES: dict[str, Category] = {
    "massacres": Category.MASSACRE,
    "leaders": Category.SOCIAL_LEADER_KILLING,
    "signatories": Category.PEACE_SIGNATORY_KILLING,
}

# CNMH Observatorio de Memoria y Conflicto case tables (one row per case).
CNMH_CASE_TABLE: dict[str, Category] = {
    "masacres (4 or more victims; source cnmh-massacres-4plus)": Category.MASSACRE,
    "atentados terroristas": Category.TERRORISM,
    "ataques a poblaciones": Category.ATTACK_ON_TOWN,
}

CATEGORY_DESCRIPTIONS: dict[Category, str] = {
    Category.HOMICIDE: "Intentional killing of a person, counted in victims.",
    Category.MASSACRE: "Killing of three or more people in one event (Colombia's official "
    "definition; the CNMH counts four or more, filed under its own source); counted in "
    "incidents and victims.",
    Category.SOCIAL_LEADER_KILLING: "Killing of a social leader or human-rights defender.",
    Category.PEACE_SIGNATORY_KILLING: "Killing of a signatory of the 2016 accord (ex-FARC).",
    Category.STATE_GROUP_CLASH: "Armed confrontation between state forces and an armed group.",
    Category.GROUP_GROUP_CLASH: "Armed confrontation between non-state armed groups.",
    Category.ATTACK_ON_SECURITY_FORCES: "Attack by an armed group on police or military.",
    Category.VIOLENCE_AGAINST_CIVILIANS: "Deliberate violence by an organised actor against "
    "civilians (UCDP one-sided violence, ACLED violence against civilians).",
    Category.KIDNAPPING: "Kidnapping, abduction or forced disappearance.",
    Category.EXTORTION: "Extortion.",
    Category.FORCED_DISPLACEMENT: "Forced displacement of people.",
    Category.CONFINEMENT: "Confinement of communities by armed actors.",
    Category.THREAT: "Threats.",
    Category.LANDMINE_IED: "Landmines, IEDs and remote explosives.",
    Category.FORCED_RECRUITMENT: "Forced recruitment, including of minors.",
    Category.STRATEGIC_DEVELOPMENT: "Non-violent but significant events (agreements, arrests, "
    "bases established, territory transferred).",
    Category.TERRORISM: "Acts the Police or the CNMH classify as terrorism, and suicide bombings.",
    Category.POLITICAL_VIOLENCE: "ACLED's own monthly count of political-violence events, as "
    "published in its HDX aggregate files: several event categories together, so never an "
    "event's category and never summed with them.",
    Category.DEMONSTRATION: "ACLED's own monthly count of demonstration events (its "
    "'demonstrations' disorder type), as published in its HDX aggregate files; single protest "
    "events stay outside scope.",
    Category.ATTACK_ON_TOWN: "An armed group's attack on a town or its police post (a 'toma', "
    "CNMH's 'ataque a población'); counted in incidents and victims.",
    Category.COCA_CULTIVATION: "Land under coca cultivation on the census date (SIMCI/UNODC), "
    "in hectares: a stock measured once a year, not events.",
}


def categories_markdown() -> str:
    """The generated part of docs/categories.md: categories and every source's mapping."""
    lines = ["| category | meaning |", "|---|---|"]
    lines += [f"| `{c.value}` | {CATEGORY_DESCRIPTIONS[c]} |" for c in Category]
    lines += [
        "",
        "#### ACLED (event type / sub-event type)",
        "",
        "| event type | sub-event type | category |",
        "|---|---|---|",
    ]
    lines += [
        f"| {event} | {sub} | {f'`{cat.value}`' if cat else 'outside scope'} |"
        for (event, sub), cat in ACLED_SUB_EVENT.items()
    ]
    lines += [
        "",
        "#### ACLED's HDX aggregates (dataset)",
        "",
        "| dataset | category |",
        "|---|---|",
    ]
    lines += [f"| {name} | `{cat.value}` |" for name, cat in ACLED_HDX_DATASET.items()]
    lines += ["", "#### UCDP GED (`type_of_violence`)", "", "| code | category |", "|---|---|"]
    lines += [f"| {code} | `{cat.value}` |" for code, cat in UCDP_TYPE_OF_VIOLENCE.items()]
    lines += ["", "#### Policía Nacional (crime family)", "", "| crime | category |", "|---|---|"]
    lines += [f"| {crime} | `{cat.value}` |" for crime, cat in POLICE_CRIME.items()]
    lines += ["", "#### CNMH case tables", "", "| table | category |", "|---|---|"]
    lines += [f"| {table} | `{cat.value}` |" for table, cat in CNMH_CASE_TABLE.items()]
    lines += ["", "#### Single-category lists", "", "| source | category |", "|---|---|"]
    lines += [f"| {source} | `{cat.value}` |" for source, cat in LIST_SOURCES.items()]
    return "\n".join(lines)
