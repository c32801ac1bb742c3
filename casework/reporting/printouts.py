"""Printed reports for supervisors and caseworkers: the case file, a caseload report and a month
of shelter occupancy. Each gathers its data through the services (so a reader sees in print only
what they may see on screen), is audited, and is rendered in the house style (banner,
organisation, page numbers, A4 or Letter, no user in the metadata)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import SYSTEM
from casework.errors import ValidationError
from casework.model import Bed, Case, Facility, Room, Stay, Survivor, Task, User
from casework.model.actor import Actor
from casework.model.vocab import Confidentiality, Role, TaskStatus
from casework.reporting.pdf import (
    BODY,
    HEADING,
    LONG,
    SHORT,
    TITLE,
    key_values,
    para,
    printable,
    render,
)
from casework.services import (
    audit,
    cases,
    consent,
    counseling,
    legal,
    notes,
    referrals,
    shelter,
    supervision,
    timeline,
)
from casework.services.cases import require_case_role, visible_to
from casework.services.organisation import the_organisation

SMALL = BODY.clone("small", fontSize=8.5, leading=10.5)
TINY = BODY.clone("tiny", fontSize=7.5, leading=9)
GRID = TableStyle(
    [
        ("FONTNAME", (0, 0), (-1, -1), "SafeholdSans"),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("FONTNAME", (0, 0), (-1, 0), "SafeholdSans-Bold"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9eef2")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c5ced6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def _grid(
    header: list[str],
    rows: list[list[str]],
    widths: list[float | None] | None = None,
    style: ParagraphStyle = SMALL,
    free_text: int | None = None,
) -> Table:
    """A table with a header row. Column ``free_text`` holds notes or details, printed whole (up
    to a note's length); every other cell is cut at ``SHORT`` characters. Rows split across
    pages, so no value can be too tall for a page. Give ``widths`` with at most one None: a
    table sized by its content gives a column with a long word all the width and the others
    none."""

    def cell(column: int, text: str) -> str | Paragraph:
        # Short cells are plain strings (fast); only longer text becomes a wrapping paragraph.
        if len(text) <= 14:
            return printable(text)
        return para(text, style, limit=LONG if column == free_text else SHORT)

    data = [[para(h, style) for h in header]] + [
        [cell(column, c) for column, c in enumerate(row)] for row in rows
    ]
    table = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT", splitInRow=1)
    table.setStyle(GRID)
    return table


def _organisation(session: Session) -> str:
    return the_organisation(session).name


def _day(value: date | None) -> str:
    return value.isoformat() if value else "—"


# -- the case file ---------------------------------------------------------------------------


def case_summary_pdf(
    session: Session, actor: Actor, case_id: str, letter: bool = False, today: date | None = None
) -> bytes:
    """The case file: profile, consents, services, reviews, notes and timeline. Sensitive notes
    and counseling notes appear only when this reader may read them (the services decide)."""
    detail = cases.open_case(session, actor, case_id)
    organisation = _organisation(session)
    story: list[Flowable] = [
        para(f"Case file {detail.reference}", TITLE),
        para(
            f"Printed {(today or SYSTEM.today()).isoformat()}. Keep it locked away; shred it "
            "when done."
        ),
        para("Person", HEADING),
        key_values(
            [
                ("Name", detail.full_name),
                ("Aliases", ", ".join(detail.aliases) or "—"),
                (
                    "Birth",
                    _day(detail.birth_date)
                    if detail.birth_date
                    else (
                        f"about {detail.estimated_age}" if detail.estimated_age is not None else "—"
                    ),
                ),
                ("Gender", detail.gender.label),
                ("Citizenship", ", ".join(detail.citizenship) or "—"),
                ("Languages", ", ".join(detail.languages) or "—"),
                ("Phone", detail.phone or "—"),
                ("Safe to contact", detail.safe_contact_note or "—"),
            ]
        ),
        para("Case", HEADING),
        key_values(
            [
                ("Status", detail.status.label),
                ("Opened", _day(detail.intake_date)),
                ("Closed", _day(detail.closed_date)),
                ("Caseworker", detail.caseworker or "—"),
                ("Risk", detail.risk_level.label),
                ("Trafficking status", detail.trafficking_status.label),
                ("Exploitation", ", ".join(e.label for e in detail.exploitation_types) or "—"),
                ("Last contact", _day(detail.last_contact_date)),
            ]
        ),
    ]
    consents = consent.consents(session, actor, case_id)
    story.append(para("Consent", HEADING))
    story.append(
        _grid(
            ["Kind", "Given", "Expires", "Withdrawn", "Partner / purpose"],
            [
                [
                    c.kind.label,
                    _day(c.given_on),
                    _day(c.expires_on),
                    _day(c.withdrawn_on),
                    " · ".join(p for p in (c.partner_organisation, c.purpose) if p) or "—",
                ]
                for c in consents
            ],
            [35 * mm, 20 * mm, 20 * mm, 20 * mm, None],
            free_text=4,
        )
        if consents
        else para("No consent recorded.")
    )
    stays = shelter.case_stays(session, actor, case_id)
    sessions = counseling.case_sessions(session, actor, case_id)
    matters = legal.case_matters(session, actor, case_id)
    sent = referrals.case_referrals(session, actor, case_id)
    story.append(para("Services", HEADING))
    service_rows = [
        [
            "Shelter",
            f"{s.bed}: {_day(s.admitted_on)} to {_day(s.discharged_on)}"
            + (f" ({s.discharge_reason.label})" if s.discharge_reason else ""),
        ]
        for s in stays
    ]
    service_rows += [
        [
            "Counseling",
            f"{_day(s.held_on)} · {s.kind.label} · {s.attendance.label} · {s.counselor}"
            + (f" — {s.notes}" if s.notes else ""),
        ]
        for s in sessions
    ]
    service_rows += [
        [
            "Legal aid",
            f"{m.kind.label} · {m.status.label}"
            + "".join(f" · hearing {h.starts_at.date().isoformat()}" for h in m.hearings),
        ]
        for m in matters
    ]
    service_rows += [
        [
            "Referral",
            f"{_day(r.referred_on)} · {r.partner} · {r.category.label} · {r.status.label}",
        ]
        for r in sent
    ]
    story.append(
        _grid(["Service", "Details"], service_rows, [30 * mm, None], free_text=1)
        if service_rows
        else para("No services recorded.")
    )
    if actor.has(Role.SUPERVISOR) or actor.works_cases:
        reviews = supervision.case_reviews(session, actor, case_id)
        if reviews:
            story.append(para("Reviews", HEADING))
            story.append(
                _grid(
                    ["Reviewed", "By", "Summary", "Next"],
                    [
                        [_day(r.reviewed_on), r.reviewer, r.summary, _day(r.next_review_on)]
                        for r in reviews
                    ],
                    [22 * mm, 30 * mm, None, 22 * mm],
                    free_text=2,
                )
            )
    case_notes = notes.case_notes(session, actor, case_id)
    story.append(para("Notes", HEADING))
    story.append(
        _grid(
            ["Date", "By", "Note"],
            [
                [
                    _day(n.noted_on),
                    n.author,
                    ("[Sensitive] " if n.confidentiality == Confidentiality.SENSITIVE else "")
                    + n.body,
                ]
                for n in case_notes
            ],
            [22 * mm, 30 * mm, None],
            free_text=2,
        )
        if case_notes
        else para("No notes.")
    )
    events = timeline.case_timeline(session, actor, case_id)
    story.append(para("Timeline", HEADING))
    story.append(
        _grid(
            ["Date", "What"],
            [[_day(e.on), e.text] for e in events],
            [22 * mm, None],
            free_text=1,
        )
    )
    audit.record(session, actor.user_id, "report.case", "case", detail.case_id)
    return render(story, organisation, f"Case file {detail.reference}", letter)


# -- the caseload report -----------------------------------------------------------------------


@dataclass(frozen=True)
class CaseloadLine:
    reference: str
    name: str
    caseworker: str
    status: str
    risk: str
    intake_date: date
    closed_date: date | None
    last_contact: date | None
    overdue_tasks: int


def caseload_lines(
    session: Session,
    actor: Actor,
    caseworker_id: str | None,
    start: date,
    end: date,
    today: date | None = None,
) -> list[CaseloadLine]:
    """Cases active at any time from ``start`` to ``end`` (inclusive), of one caseworker or of
    everyone the reader may see."""
    require_case_role(actor)
    if end < start:
        raise ValidationError("The period ends before it starts.", field="end")
    if caseworker_id is None and not actor.sees_all_cases:
        caseworker_id = actor.user_id
    query = (
        select(
            Case.id,
            Case.reference,
            Survivor.first_name,
            Survivor.last_name,
            Case.status,
            Case.risk_level,
            Case.intake_date,
            Case.closed_date,
            Case.last_contact_date,
            User.display_name,
        )
        .join(Survivor, Survivor.id == Case.survivor_id)
        .outerjoin(User, User.id == Case.assigned_caseworker_id)
        .where(
            Case.deleted_at.is_(None),
            visible_to(actor),
            Case.intake_date <= end,
            (Case.closed_date.is_(None)) | (Case.closed_date >= start),
        )
        .order_by(User.display_name, Case.sort_name, Case.reference)
    )
    if caseworker_id is not None:
        query = query.where(Case.assigned_caseworker_id == caseworker_id)
    rows = session.execute(query).all()
    ids = {row.id for row in rows}
    overdue = Counter(
        case_id
        for case_id in session.execute(
            select(Task.case_id).where(
                Task.deleted_at.is_(None),
                Task.status == TaskStatus.OPEN,
                Task.due_on < (today or SYSTEM.today()),
                Task.case_id.is_not(None),
            )
        ).scalars()
        if case_id in ids
    )
    return [
        CaseloadLine(
            row.reference,
            " ".join(p for p in (row.first_name, row.last_name) if p),
            row.display_name or "Unassigned",
            row.status.label,
            row.risk_level.label,
            row.intake_date,
            row.closed_date,
            row.last_contact_date,
            overdue.get(row.id, 0),
        )
        for row in rows
    ]


def caseload_pdf(
    session: Session,
    actor: Actor,
    caseworker_id: str | None,
    start: date,
    end: date,
    letter: bool = False,
    today: date | None = None,
) -> bytes:
    if caseworker_id is None and not actor.sees_all_cases:
        caseworker_id = actor.user_id  # a caseworker prints their own caseload
    lines = caseload_lines(session, actor, caseworker_id, start, end, today)
    organisation = _organisation(session)
    who = "the whole organisation"
    if caseworker_id is not None:
        worker = session.get(User, caseworker_id)
        who = worker.display_name if worker is not None else "?"
    new = sum(1 for line in lines if start <= line.intake_date <= end)
    closed = sum(1 for line in lines if line.closed_date and start <= line.closed_date <= end)
    still_open = sum(1 for line in lines if line.closed_date is None or line.closed_date > end)
    title = f"Caseload report: {who}"
    story: list[Flowable] = [
        para(title, TITLE),
        para(f"Cases active from {start.isoformat()} to {end.isoformat()}."),
        key_values(
            [
                ("Cases active in the period", str(len(lines))),
                ("Opened in the period", str(new)),
                ("Closed in the period", str(closed)),
                ("Open at the end", str(still_open)),
                ("Cases with overdue tasks today", str(sum(1 for x in lines if x.overdue_tasks))),
            ]
        ),
        para("Cases", HEADING),
        _grid(
            ["Reference", "Name", "Caseworker", "Status", "Risk", "Opened", "Last contact", "Late"],
            [
                [
                    x.reference,
                    x.name,
                    x.caseworker,
                    x.status,
                    x.risk,
                    _day(x.intake_date),
                    _day(x.last_contact),
                    str(x.overdue_tasks or ""),
                ]
                for x in lines
            ],
            [27 * mm, 32 * mm, 26 * mm, 20 * mm, 15 * mm, 22 * mm, 22 * mm, 10 * mm],
            TINY,
        )
        if lines
        else para("No case was active in the period."),
    ]
    audit.record(session, actor.user_id, "report.caseload", "user", caseworker_id or "")
    return render(story, organisation, title, letter)


# -- shelter occupancy for a month ---------------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[date, date]:
    if not 1 <= month <= 12:
        raise ValidationError("Choose a month from 1 to 12.", field="month")
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def occupancy_pdf(
    session: Session, actor: Actor, year: int, month: int, today: date, letter: bool = False
) -> bytes:
    """A month of shelter use per facility: beds, bed-nights used, admissions and discharges,
    and occupancy by day. Stays are named by case reference only."""
    require_case_role(actor)
    start, end = month_bounds(year, month)
    if start > today:
        raise ValidationError("That month has not started yet.", field="month")
    organisation = _organisation(session)
    days = (end - start).days
    beds = session.execute(
        select(Bed.id, Facility.name)
        .join(Room, Room.id == Bed.room_id)
        .join(Facility, Facility.id == Room.facility_id)
        .where(Bed.deleted_at.is_(None), Bed.in_service.is_(True))
    ).all()
    facility_of = {bed_id: name for bed_id, name in beds}
    stays = session.execute(
        select(Stay, Case.reference)
        .join(Case, Case.id == Stay.case_id)
        .where(
            Stay.deleted_at.is_(None),
            Stay.admitted_on < end,
            (Stay.discharged_on.is_(None)) | (Stay.discharged_on > start),
        )
        .order_by(Stay.admitted_on)
    ).all()
    facilities = sorted(set(facility_of.values()))
    rows = []
    for name in facilities:
        bed_count = sum(1 for f in facility_of.values() if f == name)
        mine = [(s, ref) for s, ref in stays if facility_of.get(s.bed_id) == name]
        used = sum(shelter.nights(s.admitted_on, s.discharged_on, start, end) for s, _ in mine)
        available = bed_count * days
        rows.append(
            [
                name,
                str(bed_count),
                f"{used} / {available}",
                f"{round(100 * used / available) if available else 0}%",
                str(sum(1 for s, _ in mine if start <= s.admitted_on < end)),
                str(sum(1 for s, _ in mine if s.discharged_on and start <= s.discharged_on < end)),
            ]
        )
    daily = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        if day > today:
            break
        occupied = sum(
            1
            for s, _ in stays
            if s.admitted_on <= day and (s.discharged_on is None or s.discharged_on > day)
        )
        daily.append([day.isoformat(), str(occupied), str(len(beds))])
    reasons = Counter(
        s.discharge_reason.label
        for s, _ in stays
        if s.discharged_on and start <= s.discharged_on < end and s.discharge_reason
    )
    label = start.strftime("%B %Y")
    story: list[Flowable] = [
        para(f"Shelter occupancy, {label}", TITLE),
        para(
            "Bed-nights count the nights a bed was held (a stay from the 3rd to the 5th is two "
            "nights). Beds are those in service now."
        ),
        para("By facility", HEADING),
        _grid(
            ["Facility", "Beds", "Bed-nights used", "Occupancy", "Admitted", "Discharged"],
            rows,
            [None, 14 * mm, 28 * mm, 22 * mm, 20 * mm, 22 * mm],
        )
        if rows
        else para("No shelter facility is set up."),
        para("Discharges by reason", HEADING),
        _grid(
            ["Reason", "Stays"], [[r, str(n)] for r, n in reasons.most_common()], [70 * mm, 20 * mm]
        )
        if reasons
        else para("No discharge this month."),
        para("Beds occupied each night", HEADING),
        _grid(["Night of", "Occupied", "Beds"], daily, [30 * mm, 25 * mm, 25 * mm]),
        para("Stays in the month", HEADING),
        _grid(
            ["Case", "Facility", "Admitted", "Discharged", "Nights this month"],
            [
                [
                    ref,
                    facility_of.get(s.bed_id, "—"),
                    _day(s.admitted_on),
                    _day(s.discharged_on),
                    str(shelter.nights(s.admitted_on, s.discharged_on, start, end)),
                ]
                for s, ref in stays
            ],
            [30 * mm, None, 22 * mm, 22 * mm, 28 * mm],
        )
        if stays
        else para("Nobody stayed this month."),
    ]
    audit.record(session, actor.user_id, "report.occupancy", "organisation", f"{year}-{month:02d}")
    return render(story, organisation, f"Shelter occupancy {label}", letter)
