"""Creme's opportunities, the "Transform into a customer/prospect/suspect" buttons, and the users
and teams that opportunities are assigned to.

In Creme a lead is an organisation related to the managed organisation as a prospect or suspect;
an opportunity is created from the organisation's page ("Create a linked opportunity"). The users
and teams made here are the few a sales scenario needs to assign opportunities to, made on the
users page of the users area (:class:`pages.creme.users.UsersPage`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from playwright.sync_api import Locator, Page, expect

from pages.creme.addresses import KnownAddresses
from pages.creme.customers import ORGANISATIONS, EntityDetail
from pages.creme.fastpath import FIRST, Arrangement, FormPoster
from pages.creme.users import UserForms, UsersPage
from pages.creme.widgets import NAME, Dialog, DjangoForm, ListView, navigation, require
from signoff.crm import ActionRefused, FormRejected, split_name
from signoff.crm.sales import CustomerStatus, Opportunity, sales_phase_named

OPPORTUNITIES = "/opportunities/opportunities"
OPPORTUNITY_ADD = "/opportunities/opportunity/add"
OPPORTUNITY_DETAIL = re.compile(r"/opportunities/opportunity/\d+$")
#: Where Creme's "Transform into …" buttons post the relationship they record.
SAVE_RELATIONS = "/creme_core/relation/add_from_predicate/save"
#: Creme's password rules refuse short, common or name-like passwords.
SALES_PASSWORD = "Signoff-Sales-Pass-2025!"
#: The role of a sales representative: a user with no role would be a superuser.
SALES_ROLE = "Regular user"

#: Creme's form fields to the business fields of :class:`signoff.crm.sales.Sales`.
BUSINESS_FIELDS = {
    "name": "name",
    "cform_extra-opportunities_target": "target",
    "sales_phase": "phase",
    "user": "owner",
    "estimated_sales": "estimated_sales",
    "made_sales": "made_sales",
}

#: The "Transform into …" button of each status, and the relationship it records.
STATUS_BUTTONS: dict[CustomerStatus, str] = {
    "customer": "Transform into a customer",
    "prospect": "Transform into a prospect",
    "suspect": "Transform into a suspect",
}
STATUS_PREDICATES: dict[str, CustomerStatus] = {
    "is a customer of": "customer",
    "is a prospect of": "prospect",
    "is a suspect of": "suspect",
}

# The text an element shows itself, without the "Edit" labels of the pencil links Creme nests in
# card values and titles.
_OWN_TEXT_JS = (
    "el => Array.from(el.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join(' ')"
    ".replace(/\\s+/g, ' ').trim()"
)


_BECOME_BUTTON = re.compile(r'<a\b[^>]*data-action="persons-hatmenubar-become"[^>]*>(?P<body>.*?)</a>', re.S)
_BUTTON_DATA = re.compile(r"<script[^>]*>\s*(?:<!--)?(?P<json>.*?)(?:-->)?\s*</script>", re.S)


def become_buttons(html: str) -> dict[str, dict[str, Any]]:
    """The "Transform into …" buttons of an organisation's page as Creme sends it: the label each
    shows → the data its script posts (``subject_id``, ``rtype_id``, ``organisations``)."""
    buttons: dict[str, dict[str, Any]] = {}
    for match in _BECOME_BUTTON.finditer(html):
        body = match.group("body")
        label = " ".join(re.sub(r"<[^>]+>", " ", body.split("<script", 1)[0]).split())
        data = _BUTTON_DATA.search(body)
        buttons[label] = json.loads(data.group("json")).get("data", {}) if data else {}
    return buttons


def parse_amount(shown: str) -> Decimal | None:
    """``"5000 €"`` → ``Decimal(5000)``; Creme's dash for an empty amount → ``None``.

    The UI is English: commas can only be thousands separators, the dot is the decimal point.
    """
    digits = re.sub(r"[^\d.\-]", "", shown)
    if not digits.strip("-."):
        return None
    try:
        return Decimal(digits)
    except InvalidOperation:
        raise ValueError(f"Creme shows an amount that is not a number: {shown!r}") from None


def _amount_text(amount: Decimal) -> str:
    # Fixed-point, never exponent notation: "1E+9" would not be what a user types.
    return format(amount, "f")


class OpportunityForm(DjangoForm):
    """Creation and edition form of an opportunity."""

    def __init__(self, page: Page) -> None:
        super().__init__(page, re.compile(r"^Save the (opportunity|modifications)$"))

    def open_new(self) -> None:
        self.page.goto(OPPORTUNITY_ADD)
        expect(self.field("name")).to_be_visible()

    def wait_until_shown(self) -> None:
        expect(self.field("name")).to_be_visible()

    def set_phase(self, phase: str) -> None:
        self.field("sales_phase").select_option(label=phase)

    def first_phase(self) -> str:
        # The first real choice after Creme's "---------" placeholder.
        return self.field("sales_phase").locator("option:not([value=''])").first.inner_text().strip()

    def set_owner(self, owner: str | None, *, team: bool) -> None:
        if owner is None:
            self.field("user").select_option("")
            return
        # Teams sit in an optgroup of the same select, under their plain name: pick by group too,
        # so that a user and a team of the same name cannot be confused.
        value = self.field("user").evaluate(
            """(select, [name, team]) => {
                const options = select.querySelectorAll(team ? 'optgroup option' : ':scope > option');
                for (const option of options) if (option.textContent.trim() === name) return option.value;
                return null;
            }""",
            [owner, team],
        )
        if value is None:
            kind = "team" if team else "user"
            raise LookupError(f'Creme offers no {kind} "{owner}" as owner of an opportunity')
        self.field("user").select_option(value)

    def set_amounts(self, *, estimated_sales: Decimal | None, made_sales: Decimal | None) -> None:
        amounts = {"estimated_sales": estimated_sales, "made_sales": made_sales}
        self.fill(**{field: _amount_text(amount) for field, amount in amounts.items() if amount is not None})

    def save(self) -> None:
        try:
            self.submit(OPPORTUNITY_DETAIL)
        except FormRejected as rejection:
            raise FormRejected(
                {BUSINESS_FIELDS.get(key, key): message for key, message in rejection.errors.items()}
            ) from None


class OpportunityDetail(EntityDetail):
    """An opportunity's page: its hat card shows phase, amounts, target and owner."""

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.card = page.locator(".opportunities-card-brick")
        self.target = self.card.locator(".card-targets a").first
        self.owner = (
            self.card.locator(".history-info").filter(has_text="Assigned to").locator(".history-info-value").first
        )

    def open(self, url: str) -> None:
        response = self.page.goto(url)
        if response is not None and not response.ok:
            # Say what Creme answered instead of timing out on a card that never comes.
            raise ActionRefused(
                f"Creme answered {response.status} {response.status_text} on the opportunity's page {url}: "
                f"{self.page.locator('body').inner_text().strip()[:200]!r}"
            )
        expect(self.title).to_be_visible()

    def info(self, label: str) -> str:
        field = self.card.locator(".card-info-field").filter(
            has=self.page.locator(".card-info-key", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$", re.I))
        )
        return str(field.locator(".card-info-value").first.evaluate(_OWN_TEXT_JS))

    def read(self) -> Opportunity:
        owner = self.owner.inner_text().strip()
        # Creme shows a team owner as "<name> (team)".
        team = re.fullmatch(r"(.*) \(team\)", owner)
        return Opportunity(
            name=self.name(),
            target=self.target.inner_text().strip() if self.target.count() else "",
            phase=_canonical_phase(self.info("Sales phase")),
            owner=team.group(1) if team else owner,
            owner_is_team=team is not None,
            estimated_sales=parse_amount(self.info("Estimated sales")),
            made_sales=parse_amount(self.info("Made sales")),
        )


def _canonical_phase(shown: str) -> str:
    # A phase an administrator added to Creme is not in the contract: it is reported as shown.
    try:
        return sales_phase_named(shown)
    except ValueError:
        return shown


class OrganisationPage(EntityDetail):
    """An organisation's page, seen from sales: status buttons, relationships, opportunities."""

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.relations = page.locator("#brick-regular-creme_core-relations tbody tr")
        self.become_buttons = page.locator("a.menu_button[data-action=persons-hatmenubar-become]")
        self.opportunities = page.locator(
            "#brick-regular-opportunities-target_organisations tbody tr td[data-table-primary-column] a"
        )
        self.new_opportunity_button = page.locator(
            "a.menu_button", has_text=re.compile(r"^\s*Create a linked opportunity\s*$")
        )

    def status_button(self, status: CustomerStatus) -> Locator:
        return self.become_buttons.filter(has_text=re.compile(rf"^\s*{re.escape(STATUS_BUTTONS[status])}\s*$"))

    def become(self, status: CustomerStatus) -> None:
        button = self.status_button(status)
        if button.count() == 0:
            # Creme hides the button once the organisation holds the status.
            raise ActionRefused(f'Creme offers no "{STATUS_BUTTONS[status]}" button on this organisation')
        with self.page.expect_response(lambda r: "/creme_core/relation/add_from_predicate/save" in r.url) as answer:
            button.click()
        response = answer.value
        if not response.ok:
            raise ActionRefused(Dialog.on_top(self.page).text())
        # The buttons are redrawn once the relationship is saved: the button is gone when done.
        expect(button).to_have_count(0)

    def managed_organisation_ids(self) -> set[str]:
        """Ids of the organisations Creme manages, from the data the status buttons carry."""
        ids: set[str] = set()
        for script in self.become_buttons.locator("script").all():
            # Creme wraps the JSON in an HTML comment.
            text = re.sub(r"^\s*<!--|-->\s*$", "", script.text_content() or "")
            data = json.loads(text or "{}").get("data", {})
            ids.update(str(option["value"]) for option in data.get("organisations", []))
        return ids

    def statuses(self) -> list[CustomerStatus]:
        managed = self.managed_organisation_ids()
        found: list[CustomerStatus] = []
        for row in self.relations.all():
            predicate = row.locator(".relationship-predicate").inner_text().strip()
            status = STATUS_PREDICATES.get(predicate.lower())
            if status is None:
                continue
            href = row.locator("td:not([data-table-primary-column]) a").first.get_attribute("href") or ""
            # A status counts towards the managed organisation only; with every status button
            # hidden there is nothing to tell which one it is, and any relationship of the type counts.
            if not managed or href.rstrip("/").rsplit("/", 1)[-1] in managed:
                found.append(status)
        return found

    def open_new_opportunity(self) -> None:
        with navigation(self.page):
            self.new_opportunity_button.click()


def _username(full_name: str) -> str:
    # Creme accepts letters, digits and @/./+/-/_ only, at most 30 characters.
    return re.sub(r"[^\w.@+-]+", ".", full_name.strip().lower())[:30]


class CremeSales:
    """Sales automation and customer status in Creme (see :class:`signoff.crm.sales.Sales`)."""

    #: Creme keeps amounts as whole numbers (PositiveIntegerField); on SQLite, the embedded target's
    #: database, Django validates them against the 64-bit integer range. (PostgreSQL would say 2**31 - 1.)
    amount_limit = 2**63 - 1

    def __init__(self, page: Page, arrangement: Arrangement | None = None, known: KnownAddresses | None = None) -> None:
        self.page = page
        self.arrangement = arrangement or Arrangement()
        self.known = known or KnownAddresses()

    # -- lookups

    def _organisation_url(self, name: str) -> str:
        found = self.known.find("organisation", name, lambda: ListView(self.page, ORGANISATIONS).find(NAME, name))
        return require(found, "organisation", name)

    def _opportunity_url(self, name: str) -> str | None:
        return self.known.find("opportunity", name, lambda: ListView(self.page, OPPORTUNITIES).find(NAME, name))

    def _organisation_page(self, name: str) -> OrganisationPage:
        page = OrganisationPage(self.page)
        page.open(self._organisation_url(name))
        return page

    def _edit(self, name: str) -> OpportunityForm:
        url = self._opportunity_url(name)
        if url is None:
            raise LookupError(f'no opportunity "{name}" in the CRM')
        detail = OpportunityDetail(self.page)
        detail.open(url)
        detail.edit()
        form = OpportunityForm(self.page)
        form.wait_until_shown()
        return form

    # -- customer status

    def mark_as(self, organisation: str, status: CustomerStatus) -> None:
        if self.arrangement.fast:
            self._mark_as_over_http(organisation, status)
        else:
            self._organisation_page(organisation).become(status)

    def _mark_as_over_http(self, organisation: str, status: CustomerStatus) -> None:
        # The organisation's page as Creme sends it tells which buttons it offers and what each
        # posts; the relationship is then posted as the button's own script posts it.
        url = self._organisation_url(organisation)
        poster = FormPoster(self.page)
        data = become_buttons(poster.html(url)).get(STATUS_BUTTONS[status])
        if data is None:
            raise ActionRefused(f'Creme offers no "{STATUS_BUTTONS[status]}" button on this organisation')
        managed = [str(option["value"]) for option in data.get("organisations", [])]
        if len(managed) != 1:
            raise LookupError(f"Creme asks which of its {len(managed)} managed organisations the status is towards")
        poster.action(
            SAVE_RELATIONS,
            {"subject_id": str(data["subject_id"]), "predicate_id": str(data["rtype_id"]), "entities": managed[0]},
            referer=url,
        )

    def statuses(self, organisation: str) -> list[CustomerStatus]:
        return self._organisation_page(organisation).statuses()

    # -- opportunities

    def add_opportunity(
        self,
        name: str,
        target: str | None,
        *,
        phase: str | None = None,
        estimated_sales: Decimal | None = None,
        made_sales: Decimal | None = None,
    ) -> None:
        if self.arrangement.fast:
            path = self._add_opportunity_over_http(name, target, phase, estimated_sales, made_sales)
            self.known.remember("opportunity", name, path)
            return
        form = OpportunityForm(self.page)
        if target is None:
            form.open_new()
        else:
            self._organisation_page(target).open_new_opportunity()
            form.wait_until_shown()
        form.fill(name=name)
        form.set_phase(phase or form.first_phase())
        form.set_amounts(estimated_sales=estimated_sales, made_sales=made_sales)
        form.save()
        # Saved: Creme shows the new opportunity's page.
        self.known.remember("opportunity", name, self.page.url)

    def _add_opportunity_over_http(
        self,
        name: str,
        target: str | None,
        phase: str | None,
        estimated_sales: Decimal | None,
        made_sales: Decimal | None,
    ) -> str:
        # The form the organisation's "Create a linked opportunity" button opens, target set.
        path = OPPORTUNITY_ADD
        if target is not None:
            path = f"{OPPORTUNITY_ADD}_to/{self._organisation_url(target).rstrip('/').rsplit('/', 1)[-1]}"
        values = {"name": name}
        for field, amount in (("estimated_sales", estimated_sales), ("made_sales", made_sales)):
            if amount is not None:
                values[field] = _amount_text(amount)
        poster = FormPoster(self.page, BUSINESS_FIELDS)
        return poster.submit(path, values, {"sales_phase": phase or FIRST})

    def opportunity(self, name: str) -> Opportunity | None:
        url = self._opportunity_url(name)
        if url is None:
            return None
        detail = OpportunityDetail(self.page)
        detail.open(url)
        return detail.read()

    def count_opportunities(self) -> int:
        listing = ListView(self.page, OPPORTUNITIES)
        listing.open()
        return listing.total()

    def opportunities_of(self, organisation: str) -> list[str]:
        page = self._organisation_page(organisation)
        return [text.strip() for text in page.opportunities.all_inner_texts()]

    def move_to_phase(self, name: str, phase: str) -> None:
        form = self._edit(name)
        form.set_phase(phase)
        form.save()

    def assign(self, name: str, owner: str | None, *, team: bool = False) -> None:
        form = self._edit(name)
        form.set_owner(owner, team=team)
        form.save()

    def record_sales(
        self, name: str, *, estimated_sales: Decimal | None = None, made_sales: Decimal | None = None
    ) -> None:
        form = self._edit(name)
        form.set_amounts(estimated_sales=estimated_sales, made_sales=made_sales)
        form.save()

    # -- people

    def ensure_sales_representative(self, full_name: str) -> None:
        portal = UsersPage(self.page)
        portal.open()
        if portal.lists_user(full_name):
            return
        first, last = split_name(full_name)
        create = UserForms(self.page).create_user if self.arrangement.fast else portal.create_user
        create(
            username=_username(full_name),
            first_name=first,
            last_name=last,
            # Creme wants an e-mail address unique among users; the name may not be ASCII.
            email=f"sales-{hashlib.sha1(full_name.encode()).hexdigest()[:12]}@example.com",
            # Without it Creme would show "Alice M." instead of the name the scenario uses.
            displayed_name=full_name,
            password=SALES_PASSWORD,
            password_confirmation=SALES_PASSWORD,
            roles=(SALES_ROLE,),
        )

    def ensure_team(self, name: str, members: Sequence[str]) -> None:
        portal = UsersPage(self.page)
        portal.open()
        if not portal.lists_team(name):
            create = UserForms(self.page).create_team if self.arrangement.fast else portal.create_team
            create(name, members)
