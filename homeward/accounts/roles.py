"""The roles of DOMAIN.md section 7 and API.md, with the scope each one reads."""

from django.db import models


class Role(models.TextChoices):
    MCT_ADMIN = "mct_admin", "MCT admin"
    COORDINATOR = "coordinator", "Missing co-ordinator"
    SOCIAL_WORKER = "social_worker", "Social worker"
    TEAM_MANAGER = "team_manager", "Team manager"
    SERVICE_LEADER = "service_leader", "Service leader"
    SENIOR_MANAGER = "senior_manager", "Senior assistant director"
    EDT = "edt", "Out-of-hours (EDT) worker"
    RHI_PRACTITIONER = "rhi_practitioner", "Return interview practitioner"
    IRO = "iro", "Independent reviewing officer"
    POLICE_LIAISON = "police_liaison", "Police missing-person liaison"
    PLACEMENT_PROVIDER = "placement_provider", "Placement provider"
    EXPLOITATION_TEAM = "exploitation_team", "Exploitation (CSE/CCE) team"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "admin", "System administrator"


# Roles that see every child of the home authority (DOMAIN.md section 7: "the MCT,
# co-ordinator and managers see all of the home authority's children"). EDT works the whole
# authority out of hours, so it needs the same reach.
AUTHORITY_WIDE_ROLES = frozenset(
    {
        Role.MCT_ADMIN,
        Role.COORDINATOR,
        Role.TEAM_MANAGER,
        Role.SERVICE_LEADER,
        Role.SENIOR_MANAGER,
        Role.EDT,
        Role.ADMIN,
    }
)

# Roles that may record or change children and episodes.
CASEWORK_ROLES = AUTHORITY_WIDE_ROLES | {Role.SOCIAL_WORKER}
# Roles that may report a child missing (police and providers report too).
REPORTING_ROLES = CASEWORK_ROLES | {Role.POLICE_LIAISON, Role.PLACEMENT_PROVIDER}
