"""Controlled vocabularies, stored as their value text (HTCDS 2.0 names where HTCDS has one).

Each member has an English ``label``; the UI passes labels through Qt's translation.
"""

from __future__ import annotations

from enum import StrEnum


class Vocabulary(StrEnum):
    @property
    def label(self) -> str:
        return LABELS.get(self, self.value)


class Role(Vocabulary):
    CASEWORKER = "caseworker"
    SUPERVISOR = "supervisor"
    DATA_OFFICER = "data-officer"
    ADMINISTRATOR = "admin"


class Gender(Vocabulary):
    FEMININE = "Feminine"
    MASCULINE = "Masculine"
    TRANSGENDER_FEMININE = "TransgenderFeminine"
    TRANSGENDER_MASCULINE = "TransgenderMasculine"
    NON_CONFORMING = "NonConforming"
    NOT_SPECIFIED = "NonSpecifiedUnknown"


class TraffickingStatus(Vocabulary):
    POSSIBLE = "PossibleVictimOfTrafficking"
    ACTUAL = "ActualVictimOfTrafficking"
    NOT_A_VICTIM = "NotAVictimOfTrafficking"


class Exploitation(Vocabulary):
    FORCED_LABOUR = "ForcedLabour"
    SEXUAL_EXPLOITATION = "SexualExploitation"
    CHILD_LABOUR = "ChildLabour"
    FORCED_MARRIAGE = "ForcedMarriage"
    SERVITUDE = "Servitude"
    FORCED_MILITARY = "ForcedMilitaryByNonStateActors"
    ORGAN_REMOVAL = "OrganRemoval"
    FORCED_BEGGING = "ForcedBegging"
    FORCED_ADOPTION = "ForcedAdoption"
    SURROGACY = "Surrogacy"
    OTHER = "Other"


class CaseStatus(Vocabulary):
    ACTIVE = "Active"
    FOLLOW_UP = "FollowUp"
    CLOSED = "Closed"
    CLOSED_REFERRED = "ClosedReferred"


class RiskLevel(Vocabulary):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ClosureReason(Vocabulary):
    """The app's coded closure reasons (``ext_ClosureReason`` in imports)."""

    GOALS_MET = "goals-met"
    REFERRED = "referred-elsewhere"
    DECLINED = "declined-services"
    LOST_CONTACT = "lost-contact"
    RELOCATED = "relocated"
    RETURNED_HOME = "returned-home"
    DECEASED = "deceased"
    NOT_ELIGIBLE = "not-eligible"
    OTHER = "other"


class ClosureDecision(Vocabulary):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # by the caseworker who asked (or a supervisor), before a decision


class ConsentKind(Vocabulary):
    SERVICES = "services"
    AGGREGATE_REPORTING = "aggregate-reporting"
    RECORD_SHARING = "record-sharing"
    RELEASE = "release-of-information"


class Confidentiality(Vocabulary):
    ORDINARY = "ordinary"
    SENSITIVE = "sensitive"


class TaskStatus(Vocabulary):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class TaskSource(Vocabulary):
    MANUAL = "manual"
    CONSENT_EXPIRY = "consent-expiry"
    FOLLOW_UP = "follow-up"


class DischargeReason(Vocabulary):
    MOVED_ON = "moved-on"
    RETURNED_HOME = "returned-home"
    REFERRED = "referred"
    LEFT = "left-voluntarily"
    ASKED_TO_LEAVE = "asked-to-leave"
    OTHER = "other"


class OrganisationType(Vocabulary):
    """HTCDS org_Type."""

    NGO = "NGO"
    LAW_ENFORCEMENT = "LawEnforcement"
    HEALTH = "HealthServiceOrganisation"
    CENTRAL_GOVERNMENT = "CentralGovernmentOrganisation"
    LOCAL_GOVERNMENT = "LocalGovernmentOrganisation"
    IMMIGRATION = "ImmigrationService"
    LEGAL = "LegalService"
    BUSINESS = "CorporateBusiness"
    EDUCATION = "SchoolOrCollege"


class ServiceCategory(Vocabulary):
    MEDICAL = "medical"
    MENTAL_HEALTH = "mental-health"
    HOUSING = "housing"
    LEGAL = "legal"
    EMPLOYMENT = "employment"
    EDUCATION = "education"
    INTERPRETATION = "interpretation"
    FINANCIAL = "financial"
    OTHER = "other"


class ReferralStatus(Vocabulary):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"  # the organisation no longer asks (the case closed)


class ReleaseField(Vocabulary):
    """What a release of information lets a referral packet carry."""

    IDENTITY = "identity"
    BIRTH = "birth"
    CONTACT = "contact"
    ORIGIN = "origin"
    SITUATION = "situation"


class SessionKind(Vocabulary):
    INDIVIDUAL = "individual"
    GROUP = "group"
    CRISIS = "crisis"
    FAMILY = "family"


class Modality(Vocabulary):
    IN_PERSON = "in-person"
    PHONE = "phone"
    VIDEO = "video"


class Attendance(Vocabulary):
    ATTENDED = "attended"
    CANCELLED = "cancelled"
    NO_SHOW = "no-show"


class LegalMatterKind(Vocabulary):
    IMMIGRATION = "immigration"
    CRIMINAL = "criminal-proceedings"
    CIVIL_LABOUR = "civil-labour"
    FAMILY = "family"
    COMPENSATION = "compensation"


class LegalStatus(Vocabulary):
    OPEN = "open"
    AWAITING_DECISION = "awaiting-decision"
    CLOSED = "closed"


class Education(Vocabulary):
    """HTCDS prs_HighestLevelOfEducation (ISCED 2011 levels)."""

    EARLY_CHILDHOOD = "EarlyChildhoodEducation"
    PRIMARY = "PrimaryEducation"
    LOWER_SECONDARY = "LowerSecondaryEducation"
    UPPER_SECONDARY = "UpperSecondaryEducation"
    POST_SECONDARY = "PostSecondaryNonTertiaryEducation"
    SHORT_CYCLE = "ShortCycleTertiaryEducation"
    BACHELORS = "BachelorsOrEquivalentLevel"
    MASTERS = "MastersOrEquivalentLevel"
    DOCTORAL = "DoctoralOrEquivalentLevel"


class Relationship(Vocabulary):
    """HTCDS vic_RelationshipToTrafficker ("Unaquainted" is HTCDS's own spelling)."""

    FAMILIAL = "Familial"
    ACQUAINTED = "Acquainted"
    UNACQUAINTED = "Unaquainted"


class Recruitment(Vocabulary):
    """HTCDS vic_MethodOfRecruitment (several may apply)."""

    PLACE_OF_BUSINESS = "AtAPlaceOfBusiness"
    EDUCATIONAL_INSTITUTION = "AtAnEducationalInstitution"
    AT_WORK = "AtWork"
    ONLINE_SOCIAL_NETWORKS = "ThroughOnlineSocialNetworks"
    ONLINE_ADVERTISEMENT = "ThroughAnOnlineAdvertisement"
    TELEVISION_ADVERT = "ThroughATelevisionAdvert"
    NEWSPAPER_ADVERT = "ThroughANewspaperAdvert"
    FAMILY = "ThroughFamilyOrFamilyEvents"
    FRIENDS = "ThroughFriendsOrSocialEvents"
    OTHER = "Other"


class Control(Vocabulary):
    """HTCDS vic_MethodsOfControl (several may apply)."""

    PHYSICAL_THREATS = "PhysicalThreats"
    THREATS_LAW_ENFORCEMENT = "ThreatsLawEnforcement"
    THREATENS_FAMILY = "ThreatensChildrenFamily"
    DEBT_BONDAGE = "DebtBondage"
    FALSE_PROMISES = "FalsePromises"
    PHYSICAL_ABUSE = "PhysicalAbuse"
    SEXUAL_ABUSE = "SexualAbuse"
    TAKES_EARNINGS = "TakesEarnings"
    RESTRICTS_FINANCES = "RestrictsFinancialAccess"
    RESTRICTS_MEDICAL_CARE = "RestrictsMedicalCare"
    WITHHOLDS_NECESSITIES = "WithholdsNecessities"
    PSYCHOLOGICAL_ABUSE = "PsychologicalAbuse"
    PSYCHOACTIVE_SUBSTANCE = "PsychoactiveSubstance"
    EXCESSIVE_HOURS = "ExcessiveWorkingHours"
    WITHHOLDS_DOCUMENTS = "WithholdsDocuments"
    OTHER = "Other"


class Industry(Vocabulary):
    """HTCDS vic_ForcedLabourIndustry: the ISIC Rev. 4 sections, letter first."""

    AGRICULTURE = "A_AgricultureForestryAndFishing"
    MINING = "B_MiningAndQuarrying"
    MANUFACTURING = "C_Manufacturing"
    ENERGY = "D_ElectricityGasSteamAndAirConditioningSupply"
    WATER = "E_WaterSupplySewerageWasteManagement"
    CONSTRUCTION = "F_Construction"
    TRADE = "G_WholesaleAndRetailTradeRepairOfMotorVehicles"
    TRANSPORT = "H_TransportationAndStorage"
    ACCOMMODATION_FOOD = "I_AccommodationAndFoodServiceActivities"
    INFORMATION = "J_InformationAndCommunication"
    FINANCE = "K_FinancialAndInsuranceActivities"
    REAL_ESTATE = "L_RealEstateActivities"
    PROFESSIONAL = "M_ProfessionalScientificAndTechnicalActivities"
    ADMINISTRATIVE = "N_AdministrativeAndSupportServiceActivities"
    PUBLIC_ADMINISTRATION = "O_PublicAdministrationAndDefence"
    EDUCATION = "P_Education"
    HEALTH_SOCIAL_WORK = "Q_HumanHealthAndSocialWorkActivities"
    ARTS = "R_ArtsEntertainmentAndRecreation"
    OTHER_SERVICES = "S_OtherServiceActivities"
    HOUSEHOLDS = "T_ActivitiesOfHouseholdsAsEmployers"
    EXTRATERRITORIAL = "U_ActivitiesOfExtraterritorialOrganizations"


LABELS: dict[StrEnum, str] = {
    Role.CASEWORKER: "Caseworker",
    Role.SUPERVISOR: "Supervisor",
    Role.DATA_OFFICER: "Data officer",
    Role.ADMINISTRATOR: "Administrator",
    Gender.FEMININE: "Feminine",
    Gender.MASCULINE: "Masculine",
    Gender.TRANSGENDER_FEMININE: "Transgender feminine",
    Gender.TRANSGENDER_MASCULINE: "Transgender masculine",
    Gender.NON_CONFORMING: "Non-conforming",
    Gender.NOT_SPECIFIED: "Not specified / unknown",
    TraffickingStatus.POSSIBLE: "Possible victim of trafficking",
    TraffickingStatus.ACTUAL: "Actual victim of trafficking",
    TraffickingStatus.NOT_A_VICTIM: "Not a victim of trafficking",
    Exploitation.FORCED_LABOUR: "Forced labour",
    Exploitation.SEXUAL_EXPLOITATION: "Sexual exploitation",
    Exploitation.CHILD_LABOUR: "Child labour",
    Exploitation.FORCED_MARRIAGE: "Forced marriage",
    Exploitation.SERVITUDE: "Servitude",
    Exploitation.FORCED_MILITARY: "Forced military (by non-state actors)",
    Exploitation.ORGAN_REMOVAL: "Organ removal",
    Exploitation.FORCED_BEGGING: "Forced begging",
    Exploitation.FORCED_ADOPTION: "Forced adoption",
    Exploitation.SURROGACY: "Surrogacy",
    Exploitation.OTHER: "Other",
    CaseStatus.ACTIVE: "Active",
    CaseStatus.FOLLOW_UP: "Follow up",
    CaseStatus.CLOSED: "Closed",
    CaseStatus.CLOSED_REFERRED: "Closed (referred)",
    RiskLevel.LOW: "Low",
    RiskLevel.MEDIUM: "Medium",
    RiskLevel.HIGH: "High",
    ClosureReason.GOALS_MET: "Goals of the case plan met",
    ClosureReason.REFERRED: "Referred to another organisation",
    ClosureReason.DECLINED: "Declined further services",
    ClosureReason.LOST_CONTACT: "Lost contact",
    ClosureReason.RELOCATED: "Moved away",
    ClosureReason.RETURNED_HOME: "Returned to country of origin",
    ClosureReason.DECEASED: "Deceased",
    ClosureReason.NOT_ELIGIBLE: "Not eligible for services",
    ClosureReason.OTHER: "Other",
    ClosureDecision.PENDING: "Waiting for approval",
    ClosureDecision.APPROVED: "Approved",
    ClosureDecision.REJECTED: "Rejected",
    ClosureDecision.WITHDRAWN: "Withdrawn",
    ConsentKind.SERVICES: "To receive services",
    ConsentKind.AGGREGATE_REPORTING: "To share non-identifying figures",
    ConsentKind.RECORD_SHARING: "To share de-identified records",
    ConsentKind.RELEASE: "Release of information to a partner",
    Confidentiality.ORDINARY: "Ordinary",
    Confidentiality.SENSITIVE: "Sensitive",
    TaskStatus.OPEN: "Open",
    TaskStatus.DONE: "Done",
    TaskStatus.CANCELLED: "Cancelled",
    DischargeReason.MOVED_ON: "Moved on to planned housing",
    DischargeReason.RETURNED_HOME: "Returned home",
    DischargeReason.REFERRED: "Referred to another shelter or service",
    DischargeReason.LEFT: "Left of their own choice",
    DischargeReason.ASKED_TO_LEAVE: "Asked to leave",
    DischargeReason.OTHER: "Other",
    OrganisationType.NGO: "Non-governmental organisation",
    OrganisationType.LAW_ENFORCEMENT: "Law enforcement",
    OrganisationType.HEALTH: "Health service",
    OrganisationType.CENTRAL_GOVERNMENT: "Central government",
    OrganisationType.LOCAL_GOVERNMENT: "Local government",
    OrganisationType.IMMIGRATION: "Immigration service",
    OrganisationType.LEGAL: "Legal service",
    OrganisationType.BUSINESS: "Business",
    OrganisationType.EDUCATION: "School or college",
    ServiceCategory.MEDICAL: "Medical",
    ServiceCategory.MENTAL_HEALTH: "Mental health",
    ServiceCategory.HOUSING: "Housing",
    ServiceCategory.LEGAL: "Legal",
    ServiceCategory.EMPLOYMENT: "Employment",
    ServiceCategory.EDUCATION: "Education",
    ServiceCategory.INTERPRETATION: "Interpretation",
    ServiceCategory.FINANCIAL: "Financial",
    ServiceCategory.OTHER: "Other",
    ReferralStatus.PENDING: "Pending",
    ReferralStatus.ACCEPTED: "Accepted",
    ReferralStatus.DECLINED: "Declined",
    ReferralStatus.COMPLETED: "Completed",
    ReferralStatus.WITHDRAWN: "Withdrawn",
    ReleaseField.IDENTITY: "Name and case reference",
    ReleaseField.BIRTH: "Birth date or age, gender",
    ReleaseField.CONTACT: "Contact details and when it is safe to call",
    ReleaseField.ORIGIN: "Citizenship and languages",
    ReleaseField.SITUATION: "Trafficking status and type of exploitation",
    SessionKind.INDIVIDUAL: "Individual",
    SessionKind.GROUP: "Group",
    SessionKind.CRISIS: "Crisis",
    SessionKind.FAMILY: "Family",
    Modality.IN_PERSON: "In person",
    Modality.PHONE: "Phone",
    Modality.VIDEO: "Video",
    Attendance.ATTENDED: "Attended",
    Attendance.CANCELLED: "Cancelled",
    Attendance.NO_SHOW: "Did not come",
    LegalMatterKind.IMMIGRATION: "Immigration and residence permit",
    LegalMatterKind.CRIMINAL: "Criminal proceedings (victim or witness)",
    LegalMatterKind.CIVIL_LABOUR: "Civil or labour claim",
    LegalMatterKind.FAMILY: "Family",
    LegalMatterKind.COMPENSATION: "Victim compensation",
    LegalStatus.OPEN: "Open",
    LegalStatus.AWAITING_DECISION: "Awaiting decision",
    LegalStatus.CLOSED: "Closed",
    Education.EARLY_CHILDHOOD: "Early childhood education",
    Education.PRIMARY: "Primary school",
    Education.LOWER_SECONDARY: "Lower secondary school",
    Education.UPPER_SECONDARY: "Upper secondary school",
    Education.POST_SECONDARY: "Post-secondary, not university (vocational)",
    Education.SHORT_CYCLE: "Short-cycle tertiary (college diploma)",
    Education.BACHELORS: "Bachelor's degree or equivalent",
    Education.MASTERS: "Master's degree or equivalent",
    Education.DOCTORAL: "Doctorate or equivalent",
    Relationship.FAMILIAL: "Family member",
    Relationship.ACQUAINTED: "Someone they knew",
    Relationship.UNACQUAINTED: "A stranger",
    Recruitment.PLACE_OF_BUSINESS: "At a place of business",
    Recruitment.EDUCATIONAL_INSTITUTION: "At a school or college",
    Recruitment.AT_WORK: "At work",
    Recruitment.ONLINE_SOCIAL_NETWORKS: "Through online social networks",
    Recruitment.ONLINE_ADVERTISEMENT: "Through an online advertisement",
    Recruitment.TELEVISION_ADVERT: "Through a television advert",
    Recruitment.NEWSPAPER_ADVERT: "Through a newspaper advert",
    Recruitment.FAMILY: "Through family or family events",
    Recruitment.FRIENDS: "Through friends or social events",
    Recruitment.OTHER: "Other",
    Control.PHYSICAL_THREATS: "Physical threats",
    Control.THREATS_LAW_ENFORCEMENT: "Threats of police or immigration",
    Control.THREATENS_FAMILY: "Threats to children or family",
    Control.DEBT_BONDAGE: "Debt bondage",
    Control.FALSE_PROMISES: "False promises",
    Control.PHYSICAL_ABUSE: "Physical abuse",
    Control.SEXUAL_ABUSE: "Sexual abuse",
    Control.TAKES_EARNINGS: "Takes earnings",
    Control.RESTRICTS_FINANCES: "Restricts access to money",
    Control.RESTRICTS_MEDICAL_CARE: "Restricts medical care",
    Control.WITHHOLDS_NECESSITIES: "Withholds food, sleep or other necessities",
    Control.PSYCHOLOGICAL_ABUSE: "Psychological abuse",
    Control.PSYCHOACTIVE_SUBSTANCE: "Drugs or alcohol used to control",
    Control.EXCESSIVE_HOURS: "Excessive working hours",
    Control.WITHHOLDS_DOCUMENTS: "Withholds identity or travel documents",
    Control.OTHER: "Other",
    Industry.AGRICULTURE: "Agriculture, forestry and fishing",
    Industry.MINING: "Mining and quarrying",
    Industry.MANUFACTURING: "Manufacturing",
    Industry.ENERGY: "Electricity, gas, steam and air conditioning",
    Industry.WATER: "Water supply, sewerage and waste",
    Industry.CONSTRUCTION: "Construction",
    Industry.TRADE: "Wholesale and retail trade, vehicle repair",
    Industry.TRANSPORT: "Transportation and storage",
    Industry.ACCOMMODATION_FOOD: "Hotels, restaurants and food service",
    Industry.INFORMATION: "Information and communication",
    Industry.FINANCE: "Finance and insurance",
    Industry.REAL_ESTATE: "Real estate",
    Industry.PROFESSIONAL: "Professional, scientific and technical services",
    Industry.ADMINISTRATIVE: "Administrative and support services (cleaning, staffing)",
    Industry.PUBLIC_ADMINISTRATION: "Public administration and defence",
    Industry.EDUCATION: "Education",
    Industry.HEALTH_SOCIAL_WORK: "Health and social work",
    Industry.ARTS: "Arts, entertainment and recreation",
    Industry.OTHER_SERVICES: "Other services (beauty, repair, personal services)",
    Industry.HOUSEHOLDS: "Private households (domestic work)",
    Industry.EXTRATERRITORIAL: "International organisations and embassies",
}
