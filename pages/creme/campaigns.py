"""Creme's marketing pages: mailing lists, email templates, campaigns and their sendings.

The dialogs, the list popups and the entity chooser these pages lean on are Creme's widgets
(:mod:`pages.creme.widgets`).

Creme writes a personalised field as a Django template variable (``{{first_name}}``); the
CRM-neutral ``[first name]`` is translated on the way in and back on the way out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from playwright.sync_api import Locator, Page, expect

from pages.creme.widgets import (
    NAME,
    Dialog,
    DjangoForm,
    EntityChooser,
    ListView,
    form_errors,
    person_named,
    require,
    type_and_leave,
)
from signoff.crm.campaigns import (
    Campaign,
    EmailTemplate,
    MailingList,
    MailingListMember,
    Sending,
    SentEmail,
    fill_personal_fields,
)

MAILING_LISTS = "/emails/mailing_lists"
TEMPLATES = "/emails/templates"
CAMPAIGNS = "/emails/campaigns"
EMAILS_CONFIGURATION = "/creme_config/emails/portal/"
MAILING_LIST_DETAIL = re.compile(r"/emails/mailing_list/\d+$")
TEMPLATE_DETAIL = re.compile(r"/emails/template/\d+$")
CAMPAIGN_DETAIL = re.compile(r"/emails/campaign/\d+$")

#: Sending states during which Creme's job has not finished with a sending yet.
UNFINISHED_STATES = ("Planned", "In progress")
#: The status Creme gives an email its SMTP server accepted.
SENT_STATUS = "Sent"

_CREME_VARIABLE = re.compile(r"\{\{\s*(?P<name>\w+)\s*\}\}")

# Reads a sending's page in the background, as the browser would on a reload; answers its state
# once Creme's job is done with it (false before, so that wait_for_function keeps polling).
_SENDING_FINISHED_JS = """async ([url, unfinished]) => {
    const response = await fetch(url, {credentials: 'same-origin'});
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const state = page.querySelector('[data-key="regular_field-state"] .brick-tile-value');
    const text = state ? state.textContent.trim() : '';
    return text && !unfinished.includes(text) ? text : false;
}"""


def to_creme_text(text: str) -> str:
    """``Dear [first name]`` → ``Dear {{first_name}}``."""
    return fill_personal_fields(text, lambda field: "{{" + re.sub(r"\W+", "_", field.strip().lower()) + "}}")


def from_creme_text(text: str) -> str:
    """``Dear {{first_name}}`` → ``Dear [first name]``."""
    return _CREME_VARIABLE.sub(lambda match: "[" + match.group("name").replace("_", " ") + "]", text)


# ----------------------------------------------------------------------------- pages


class _NamedEntityForm(DjangoForm):
    """A creation page of a Creme entity with a name (mailing list, template, campaign)."""

    ADD_PATH = ""
    SUCCESS: re.Pattern[str] = re.compile("$^")

    def open_new(self) -> None:
        self.page.goto(self.ADD_PATH)
        expect(self.field("name")).to_be_visible()

    def save(self) -> None:
        self.submit(self.SUCCESS)

    def _server_errors(self, errors: Locator) -> dict[str, str]:
        return form_errors(self.form) or {"": "the form was refused"}


class MailingListForm(_NamedEntityForm):
    ADD_PATH = "/emails/mailing_list/add"
    SUCCESS = MAILING_LIST_DETAIL

    def __init__(self, page: Page) -> None:
        super().__init__(page, "Save the mailing list")


class TemplateForm(_NamedEntityForm):
    ADD_PATH = "/emails/template/add"
    SUCCESS = TEMPLATE_DETAIL

    def __init__(self, page: Page) -> None:
        super().__init__(page, "Save the email template")


class CampaignForm(_NamedEntityForm):
    ADD_PATH = "/emails/campaign/add"
    SUCCESS = CAMPAIGN_DETAIL

    def __init__(self, page: Page) -> None:
        super().__init__(page, "Save the emailing campaign")
        self.mailing_lists = self.form.locator("#id_mailing_lists")

    def add_mailing_list(self, chooser: EntityChooser, name: str) -> None:
        chooser.choose_named(self.mailing_lists.get_by_role("button", name="Select", exact=True), name)
        expect(self.mailing_lists.locator(".selectors")).to_contain_text(name)


class DetailPage:
    """What the detail pages of the emails app have in common: tiles of fields and bricks."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, url: str) -> None:
        self.page.goto(url)
        expect(self.page.locator("#brick-hat, .hat-bar").first).to_be_visible()

    def tile(self, key: str) -> str:
        return (
            self.page.locator(f'.brick-tile[data-key="regular_field-{key}"] .brick-tile-value')
            .first.inner_text()
            .strip()
        )

    def brick(self, brick_id: str) -> Locator:
        return self.page.locator(f"#brick-{brick_id}")


class MailingListPage(DetailPage):
    def contacts_brick(self) -> Locator:
        return self.brick("regular-emails-contacts")

    def add_contacts(self, full_names: Sequence[str]) -> None:
        dialog = Dialog.opened_by(self.contacts_brick().get_by_role("link", name="Add contacts"))
        chooser = EntityChooser(self.page)
        recipients = dialog.field("recipients")
        for full_name in full_names:
            chooser.choose_contact(recipients.get_by_role("button", name="Select", exact=True), full_name)
        dialog.save("Link the contacts")

    def contacts(self) -> tuple[MailingListMember, ...]:
        members = []
        for row in self.contacts_brick().locator("tbody tr").all():
            cell = row.locator("td[data-table-primary-column]")
            name = person_named(cell.locator("a").first.inner_text())
            # The cell reads "Ada Lovelace : ada@example.test".
            address = cell.inner_text().split(":", 1)[-1].strip()
            members.append(MailingListMember(name=name, address=address))
        return tuple(members)


class CampaignPage(DetailPage):
    def mailing_lists(self) -> tuple[str, ...]:
        brick = self.brick("regular-emails-mailing_lists")
        return tuple(text.strip() for text in brick.locator("tbody td[data-table-primary-column] a").all_inner_texts())

    def sendings_brick(self) -> Locator:
        return self.brick("regular-emails-sendings")

    def new_sending(self, server: str, sender: str, template: str | None) -> None:
        dialog = Dialog.opened_by(self.sendings_brick().get_by_role("link", name="New sending"))
        dialog.field("config_0").select_option(label=server)
        type_and_leave(dialog.field("config_1"), sender)  # stored on "change" (Firefox: typed keys only)
        if template is not None:
            EntityChooser(self.page).choose_named(dialog.field("template").get_by_role("button"), template)
        dialog.save("Save the sending")

    def sending_urls(self) -> list[str]:
        """Detail pages of the sendings, newest first (the brick sorts by sending date)."""
        links = self.sendings_brick().locator("tbody a[title=Details]")
        return [href for link in links.all() if (href := link.get_attribute("href"))]


class SendingPage(DetailPage):
    def open(self, url: str) -> None:
        self.page.goto(url)
        expect(self.brick("regular-emails-sending")).to_be_visible()

    def read(self) -> Sending:
        state = self.tile("state")
        emails = []
        for row in self.brick("regular-emails-mails").locator("tbody tr").all():
            status = row.locator("td.lw-mail-status").inner_text().strip()
            emails.append(
                SentEmail(
                    address=row.locator("td.lw-mail-address").inner_text().strip(),
                    recipient=person_named(row.locator("td.lw-mail-recipient").inner_text()),
                    status=status,
                    sent=status == SENT_STATUS,
                )
            )
        return Sending(
            subject=self.tile("subject"), state=state, finished=state not in UNFINISHED_STATES, emails=tuple(emails)
        )

    def wait_until_finished(self, url: str, timeout: float) -> None:
        # Creme's job manager sends in the background and only the page shows when it is done:
        # the browser re-reads the page once a second until the state says so.
        self.page.wait_for_function(
            _SENDING_FINISHED_JS, arg=[url, list(UNFINISHED_STATES)], polling=1000, timeout=timeout * 1000
        )


class MailServerSettings:
    """Configuration > Emails: the SMTP servers campaigns may send through."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.brick = page.locator("#brick-regular-emails-sending_config_items")

    def open(self) -> None:
        self.page.goto(EMAILS_CONFIGURATION)
        expect(self.brick).to_be_visible()

    def server_names(self) -> list[str]:
        return [text.strip() for text in self.brick.locator("tbody td[data-table-primary-column]").all_inner_texts()]

    def add(self, name: str, host: str, port: int, sender: str) -> None:
        dialog = Dialog.opened_by(self.brick.get_by_role("link", name="New server configuration"))
        dialog.field("name").fill(name)
        dialog.field("host").fill(host)
        dialog.field("port").fill(str(port))
        # The loopback server speaks plain SMTP.
        dialog.field("use_tls").uncheck()
        dialog.field("default_sender").fill(sender)
        dialog.save("Save the configuration")


# ----------------------------------------------------------------------------- the area


class CremeCampaigns:
    """Marketing campaigns in Creme, behind :class:`signoff.crm.campaigns.Campaigns`."""

    def __init__(self, page: Page, nudge_job_manager: Callable[[], None] | None = None) -> None:
        self.page = page
        self._nudge_job_manager = nudge_job_manager
        self._server: tuple[str, str] | None = None  # (configuration name, sender)
        # Detail pages already found, by (list path, name): a record keeps its address, and the
        # list search is the slowest part of every step.
        self._urls: dict[tuple[str, str], str] = {}

    # -- the mail server

    def use_mail_server(self, host: str, port: int, sender: str) -> None:
        name = f"{host}:{port}"
        settings = MailServerSettings(self.page)
        settings.open()
        if name not in settings.server_names():
            settings.add(name, host, port, sender)
        self._server = (name, sender)

    # -- mailing lists

    def add_mailing_list(self, name: str, contacts: Sequence[str] = ()) -> None:
        form = MailingListForm(self.page)
        form.open_new()
        form.fill(name=name)
        form.save()
        self._urls[(MAILING_LISTS, name)] = self.page.url
        if contacts:
            page = MailingListPage(self.page)
            page.add_contacts(contacts)

    def add_to_mailing_list(self, name: str, contacts: Sequence[str]) -> None:
        page = MailingListPage(self.page)
        page.open(require(self._find(MAILING_LISTS, name), "mailing list", name))
        page.add_contacts(contacts)

    def mailing_list(self, name: str) -> MailingList | None:
        url = self._find(MAILING_LISTS, name)
        if url is None:
            return None
        page = MailingListPage(self.page)
        page.open(url)
        return MailingList(name=page.tile("name"), contacts=page.contacts())

    def count_mailing_lists(self) -> int:
        return self._count(MAILING_LISTS)

    # -- email templates

    def add_template(self, name: str, subject: str, body: str) -> None:
        form = TemplateForm(self.page)
        form.open_new()
        form.fill(name=name, subject=to_creme_text(subject), body=to_creme_text(body))
        form.save()
        self._urls[(TEMPLATES, name)] = self.page.url

    def template(self, name: str) -> EmailTemplate | None:
        url = self._find(TEMPLATES, name)
        if url is None:
            return None
        page = DetailPage(self.page)
        page.open(url)
        return EmailTemplate(
            name=page.tile("name"),
            subject=from_creme_text(page.tile("subject")),
            body=from_creme_text(page.tile("body")),
        )

    def count_templates(self) -> int:
        return self._count(TEMPLATES)

    # -- campaigns

    def add_campaign(self, name: str, mailing_lists: Sequence[str] = ()) -> None:
        form = CampaignForm(self.page)
        form.open_new()
        form.fill(name=name)
        chooser = EntityChooser(self.page)
        for mailing_list in mailing_lists:
            form.add_mailing_list(chooser, mailing_list)
        form.save()
        self._urls[(CAMPAIGNS, name)] = self.page.url

    def campaign(self, name: str) -> Campaign | None:
        url = self._find(CAMPAIGNS, name)
        if url is None:
            return None
        page = CampaignPage(self.page)
        page.open(url)
        return Campaign(name=page.tile("name"), mailing_lists=page.mailing_lists())

    def count_campaigns(self) -> int:
        return self._count(CAMPAIGNS)

    # -- sendings

    def send(self, campaign: str, template: str | None) -> None:
        if self._server is None:
            raise RuntimeError("no mail server chosen for campaigns: call use_mail_server() first")
        server, sender = self._server
        page = CampaignPage(self.page)
        page.open(require(self._find(CAMPAIGNS, campaign), "campaign", campaign))
        page.new_sending(server, sender, template)
        # Saved: Creme's job manager would look at it only ~30 s later; a kit-owned instance is
        # told now (a remote CRM keeps its own pace and the steps wait for it).
        if self._nudge_job_manager is not None:
            self._nudge_job_manager()

    def sendings(self, campaign: str) -> list[Sending]:
        page = CampaignPage(self.page)
        page.open(require(self._find(CAMPAIGNS, campaign), "campaign", campaign))
        sending = SendingPage(self.page)
        found = []
        for url in page.sending_urls():
            sending.open(url)
            found.append(sending.read())
        return found

    def wait_until_sent(self, campaign: str, timeout: float) -> Sending:
        page = CampaignPage(self.page)
        page.open(require(self._find(CAMPAIGNS, campaign), "campaign", campaign))
        urls = page.sending_urls()
        if not urls:
            raise LookupError(f'the campaign "{campaign}" has no sending')
        sending = SendingPage(self.page)
        sending.wait_until_finished(urls[0], timeout)
        sending.open(urls[0])
        return sending.read()

    # -- helpers

    def _find(self, path: str, name: str) -> str | None:
        known = self._urls.get((path, name))
        if known is not None:
            return known
        url = ListView(self.page, path).find(NAME, name)
        if url is not None:
            self._urls[(path, name)] = url
        return url

    def _count(self, path: str) -> int:
        listing = ListView(self.page, path)
        listing.open()
        return listing.total()
