"""survivors: the HTCDS victim fields hold picklist values; method of recruitment becomes a list
(HTCDS has it as a multi-select); what was typed in words is kept in other_details

Until now the intake form took method of recruitment, relationship to the trafficker and the
forced-labour industry as free text ("false job offer", "employer", "construction"), which the
record-level export could not use. Values that are HTCDS codes stay where they are; anything else
is moved, labelled, into other_details, so nothing a caseworker typed is lost.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 17:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

# The HTCDS 2.0 value names as they were on the day of this migration (a migration does not
# import the model: the model moves on, the migration must not).
RECRUITMENT = {
    "AtAPlaceOfBusiness",
    "AtAnEducationalInstitution",
    "AtWork",
    "ThroughOnlineSocialNetworks",
    "ThroughAnOnlineAdvertisement",
    "ThroughATelevisionAdvert",
    "ThroughANewspaperAdvert",
    "ThroughFamilyOrFamilyEvents",
    "ThroughFriendsOrSocialEvents",
    "Other",
}
RELATIONSHIP = {"Familial", "Acquainted", "Unaquainted"}
EDUCATION = {
    "EarlyChildhoodEducation",
    "PrimaryEducation",
    "LowerSecondaryEducation",
    "UpperSecondaryEducation",
    "PostSecondaryNonTertiaryEducation",
    "ShortCycleTertiaryEducation",
    "BachelorsOrEquivalentLevel",
    "MastersOrEquivalentLevel",
    "DoctoralOrEquivalentLevel",
}
INDUSTRY_SECTIONS = "ABCDEFGHIJKLMNOPQRSTU"


def _listed(names: set[str]) -> str:
    return "(" + ", ".join(f"'{name}'" for name in sorted(names)) + ")"


# SQL: is the trimmed value of each column an HTCDS code?
IS_CODE = {
    "recruitment_method": f"trim(recruitment_method) IN {_listed(RECRUITMENT)}",
    "relationship_to_trafficker": f"trim(relationship_to_trafficker) IN {_listed(RELATIONSHIP)}",
    "education_level": f"trim(education_level) IN {_listed(EDUCATION)}",
    "forced_labour_industry": (
        "(length(trim(forced_labour_industry)) > 2 "
        "AND substr(trim(forced_labour_industry), 2, 1) = '_' "
        f"AND instr('{INDUSTRY_SECTIONS}', substr(trim(forced_labour_industry), 1, 1)) > 0)"
    ),
}
LABELS = (
    ("recruitment_method", "Method of recruitment"),
    ("relationship_to_trafficker", "Relationship to trafficker"),
    ("forced_labour_industry", "Forced labour industry"),
    ("education_level", "Education"),
)


def upgrade() -> None:
    with op.batch_alter_table("survivors", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("recruitment_methods", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("other_details", sa.Text(), nullable=False, server_default="")
        )
    # One statement over the whole table (100,000 people upgrade in about a second): what is a
    # code stays, anything else moves into other_details under the field's label.
    words = " || ".join(
        f"CASE WHEN trim({column}) != '' AND NOT {IS_CODE[column]} "
        f"THEN '{label}: ' || trim({column}) || char(10) ELSE '' END"
        for column, label in LABELS
    )
    kept = ", ".join(
        f"{column} = CASE WHEN {IS_CODE[column]} THEN trim({column}) ELSE '' END"
        for column, _ in LABELS
        if column != "recruitment_method"
    )
    op.execute(  # every part is a constant of this file: nothing comes from data
        "UPDATE survivors SET "  # noqa: S608
        f"recruitment_methods = CASE WHEN {IS_CODE['recruitment_method']} "
        "THEN json_array(trim(recruitment_method)) ELSE '[]' END, "
        f"other_details = rtrim({words}, char(10)), {kept} "
        "WHERE recruitment_method != '' OR relationship_to_trafficker != '' "
        "OR forced_labour_industry != '' OR education_level != ''"
    )
    # SQLite drops a plain column in place (3.35 and later): no copy of the table
    op.execute("ALTER TABLE survivors DROP COLUMN recruitment_method")


def downgrade() -> None:
    with op.batch_alter_table("survivors", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column(
                "recruitment_method", sa.String(length=100), nullable=False, server_default=""
            )
        )
    op.execute(
        "UPDATE survivors SET recruitment_method = COALESCE(json_extract(recruitment_methods, "
        "'$[0]'), '')"
    )
    op.execute("ALTER TABLE survivors DROP COLUMN other_details")
    op.execute("ALTER TABLE survivors DROP COLUMN recruitment_methods")
