"""Account groups and the mapping from ledger accounts to them (Kommun-Bas by default).

The default follows ../shared/specs/reports.md: class 3 revenue; 5 personnel;
60–61 premises; 45 grants given; 46 purchased services; 79 capital costs; the
rest of 4 and 6–7 other costs; class 8 goes to finansförvaltningen (taxes,
grants and equalisation, financial items); 1–2 (and 89, the year's result)
are balance accounts. A municipality changes the mapping in the admin.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from budget.models import AccountGroup, AccountMapping

Kind = AccountGroup.Kind

DEFAULT_GROUPS = [
    # code, name, kind, prefixes
    ("intakter", _("Revenue"), Kind.REVENUE, ["3"]),
    ("personal", _("Personnel costs"), Kind.COST, ["5"]),
    ("lokaler", _("Premises"), Kind.COST, ["60", "61"]),
    ("kop-av-verksamhet", _("Purchased services"), Kind.COST, ["46"]),
    ("bidrag", _("Grants given"), Kind.COST, ["45"]),
    ("kapital", _("Capital costs"), Kind.COST, ["79"]),
    ("ovriga", _("Other costs"), Kind.COST, ["4", "6", "7"]),
    ("skatter", _("Tax revenue"), Kind.FINANCING, ["80"]),
    ("statsbidrag", _("General state grants and equalisation"), Kind.FINANCING, ["82", "83"]),
    ("finansiella-intakter", _("Financial income"), Kind.FINANCING, ["84"]),
    ("finansiella-kostnader", _("Financial costs"), Kind.FINANCING, ["85"]),
    ("centrala-poster", _("Pensions and other central items"), Kind.FINANCING, ["8"]),
    ("balans", _("Balance sheet accounts"), Kind.BALANCE, ["1", "2", "89"]),
]


@transaction.atomic
def ensure_account_groups(municipality) -> None:
    """Create the default groups and mapping where the municipality has none (idempotent)."""
    if municipality.account_groups.exists():
        return
    for order, (code, name, kind, prefixes) in enumerate(DEFAULT_GROUPS):
        group = AccountGroup.objects.create(
            municipality=municipality, code=code, name=str(name), kind=kind, order=order
        )
        for prefix in prefixes:
            AccountMapping.objects.create(municipality=municipality, prefix=prefix, group=group)


class AccountMap:
    """Longest-prefix lookup of account → group, loaded once (two queries)."""

    def __init__(self, municipality):
        ensure_account_groups(municipality)
        self.groups = {g.pk: g for g in municipality.account_groups.all()}
        self.by_code = {g.code: g for g in self.groups.values()}
        self.prefixes = sorted(
            municipality.account_mappings.values_list("prefix", "group_id"),
            key=lambda pair: -len(pair[0]),
        )
        self._cache: dict[str, AccountGroup | None] = {}

    def group_for(self, account: str):
        """The account's group, or None when no prefix matches (an unknown account)."""
        if account not in self._cache:
            self._cache[account] = next(
                (self.groups[gid] for prefix, gid in self.prefixes if account.startswith(prefix)),
                None,
            )
        return self._cache[account]

    def group_by_code_or_name(self, text: str):
        """For CSV/XLSX imports: a group by its code or its name, ignoring case."""
        key = text.strip().lower()
        for group in self.groups.values():
            if key in (group.code.lower(), group.name.lower()):
                return group
        return None
