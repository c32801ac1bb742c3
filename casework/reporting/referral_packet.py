"""The referral packet: what is sent to a partner with a referral, and nothing more."""

from __future__ import annotations

from casework.model.vocab import ReleaseField
from casework.reporting.pdf import FIELD, HEADING, TITLE, key_values, para, printable, render
from casework.services.referrals import ReferralPacket

SECTION_TITLES = {
    ReleaseField.IDENTITY: "Who",
    ReleaseField.BIRTH: "Birth and gender",
    ReleaseField.CONTACT: "Contact",
    ReleaseField.ORIGIN: "Citizenship and languages",
    ReleaseField.SITUATION: "Situation",
}


def referral_packet_pdf(packet: ReferralPacket, letter: bool = False) -> bytes:
    story = [
        para(f"Referral to {packet.partner}", TITLE),
        key_values(
            [
                ("From", packet.organisation),
                ("Contact", packet.contact or "—"),
                ("Service requested", packet.category.label),
                ("Date", packet.referred_on.isoformat()),
                ("Reason", packet.reason or "—"),
            ]
        ),
        para("Consent", HEADING),
        para(
            "The survivor consented to this release of information for the purpose: "
            f"{printable(packet.release_purpose, FIELD)}. It is valid until "
            f"{packet.release_expires.isoformat() if packet.release_expires else 'withdrawn'}. "
            "Only the information below is covered; use it for that purpose only."
        ),
    ]
    for field in ReleaseField:
        if field in packet.fields:
            story.append(para(SECTION_TITLES[field], HEADING))
            story.append(key_values(packet.fields[field]))
    return render(story, packet.organisation, f"Referral to {packet.partner}", letter)
