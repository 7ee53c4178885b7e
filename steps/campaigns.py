"""Steps about marketing campaigns: mailing lists, email templates, campaigns and their sending.

A template's personalised fields are written in square brackets, ``[first name]`` / ``[名字]``;
the Chinese field names are turned into the English ones the CRM interface speaks (see
:mod:`signoff.crm.campaigns`).

Sending is proven by the mail that arrives: the CRM is pointed at the test mail server
(:mod:`signoff.mail`) and the delivered messages are read back, recipient by recipient.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from signoff.crm import CRM, split_name
from signoff.crm.campaigns import Sending, fill_personal_fields
from signoff.mail import Delivered, MailSink
from signoff.vocabulary import given, then, when
from steps._refusals import attempt, refusal

#: The sender address campaigns use in the scenarios.
CAMPAIGN_SENDER = "campaigns@signoff.test"
#: Seconds to wait for a campaign's mail. Creme's job manager picks a new sending up about 30
#: seconds after it is saved (it re-reads the queue that late on purpose), then sends at once.
SENDING_TIMEOUT = 120.0

#: Personalised fields by their Chinese names → the CRM interface's (English) names.
CHINESE_FIELDS = {"名字": "first name", "姓氏": "last name", "称谓": "civility", "生日": "birthday"}


def business_text(text: str) -> str:
    """A template text with its personalised fields named the interface's way (``[名字]`` → ``[first name]``)."""
    return fill_personal_fields(text, lambda field: "[" + CHINESE_FIELDS.get(field, field) + "]")


def contacts_known(scenario_context: dict[str, Any]) -> dict[str, str | None]:
    """The contacts this scenario created: full name → email address (``None``: no address)."""
    known: dict[str, str | None] = scenario_context.setdefault("contact_addresses", {})
    return known


# ----------------------------------------------------------------------------- the mail server


@given("the CRM sends campaign mail through the test mail server", "系统通过测试邮件服务器发送营销邮件")
def campaign_mail_goes_to_sink(crm: CRM, delivered_mail: MailSink) -> None:
    """The CRM sends its campaign mail to the test mail server, which reads it back."""
    # delivered_mail empties the server for this scenario: only this scenario's mail is read.
    crm.campaigns.use_mail_server(delivered_mail.host, delivered_mail.port, CAMPAIGN_SENDER)


# ----------------------------------------------------------------------------- contacts


@given(
    'a contact "{full_name}" with the email address "{address:email}"',
    '已有联系人"{full_name}"，邮箱为"{address:email}"',
)
def contact_with_address(crm: CRM, scenario_context: dict[str, Any], full_name: str, address: str) -> None:
    """A contact with an email address."""
    first, last = split_name(full_name)
    crm.customers.add_contact(first, last, email=address)
    contacts_known(scenario_context)[full_name] = address


@given('a contact "{full_name}" without an email address', '已有没有邮箱的联系人"{full_name}"')
def contact_without_address(crm: CRM, scenario_context: dict[str, Any], full_name: str) -> None:
    """A contact without an email address."""
    first, last = split_name(full_name)
    crm.customers.add_contact(first, last)
    contacts_known(scenario_context)[full_name] = None


# ----------------------------------------------------------------------------- mailing lists


@given('a mailing list "{name}"', '已有邮件列表"{name}"')
def mailing_list(crm: CRM, name: str) -> None:
    """An empty mailing list."""
    crm.campaigns.add_mailing_list(name)


@given(
    'a mailing list "{name}" with the contact {contacts:list}',
    'a mailing list "{name}" with the contacts {contacts:list}',
    '已有包含联系人{contacts:list}的邮件列表"{name}"',
)
@when(
    'I create the mailing list "{name}" with the contact {contacts:list}',
    'I create the mailing list "{name}" with the contacts {contacts:list}',
    '我新建包含联系人{contacts:list}的邮件列表"{name}"',
)
def mailing_list_with_contacts(crm: CRM, name: str, contacts: list[str]) -> None:
    """Create a mailing list holding these contacts."""
    crm.campaigns.add_mailing_list(name, contacts)


@when(
    'I add the contact "{contact}" to the mailing list "{name}"',
    '我把联系人"{contact}"加入邮件列表"{name}"',
)
def add_to_mailing_list(crm: CRM, contact: str, name: str) -> None:
    """Add a contact to a mailing list."""
    crm.campaigns.add_to_mailing_list(name, [contact])


@when("I try to create a mailing list with an empty name", "我尝试新建一个名称为空的邮件列表")
def try_unnamed_mailing_list(crm: CRM, scenario_context: dict[str, Any]) -> None:
    """Try to save a mailing list with an empty name."""
    scenario_context["mailing_lists_before"] = crm.campaigns.count_mailing_lists()
    attempt(scenario_context, crm.campaigns.add_mailing_list, "")


@then('the mailing list "{name}" holds exactly {expected:list}', '邮件列表"{name}"只包含{expected:list}')
def mailing_list_holds(crm: CRM, scenario_context: dict[str, Any], name: str, expected: list[str]) -> None:
    """The mailing list holds these contacts and no other, each with the address this scenario gave."""
    found = crm.campaigns.mailing_list(name)
    assert found is not None, f'no mailing list "{name}" in the CRM'
    shown = [member.name for member in found.contacts]
    assert sorted(shown) == sorted(expected), f'the mailing list "{name}" holds {shown}, expected exactly {expected}'
    addresses = contacts_known(scenario_context)
    for member in found.contacts:
        if addresses.get(member.name):
            assert member.address == addresses[member.name], (
                f'the mailing list shows {member.address!r} for "{member.name}", not {addresses[member.name]!r}'
            )


@then("no mailing list was saved", "没有保存任何邮件列表")
def no_mailing_list_saved(crm: CRM, scenario_context: dict[str, Any]) -> None:
    """The number of mailing lists did not change (the refused form saved nothing)."""
    assert crm.campaigns.count_mailing_lists() == scenario_context["mailing_lists_before"], (
        "the number of mailing lists changed although the form was refused"
    )


# ----------------------------------------------------------------------------- email templates


@given(
    'an email template "{name}" with the subject "{subject}" and the body "{body}"',
    '已有邮件模板"{name}"，主题为"{subject}"，正文为"{body}"',
)
@when(
    'I create the email template "{name}" with the subject "{subject}" and the body "{body}"',
    '我新建邮件模板"{name}"，主题为"{subject}"，正文为"{body}"',
)
def email_template(crm: CRM, name: str, subject: str, body: str) -> None:
    """Create an email template; personalised fields are written [first name] / [名字]."""
    crm.campaigns.add_template(name, business_text(subject), business_text(body))


@when(
    'I try to create the email template "{name}" with the subject "{subject}" and the body "{body}"',
    '我尝试新建邮件模板"{name}"，主题为"{subject}"，正文为"{body}"',
)
def try_email_template(crm: CRM, scenario_context: dict[str, Any], name: str, subject: str, body: str) -> None:
    """Try to save an email template the CRM may refuse."""
    attempt(scenario_context, crm.campaigns.add_template, name, business_text(subject), business_text(body))


@when(
    'I try to create the email template "{name}" with an empty subject and the body "{body}"',
    '我尝试新建主题为空的邮件模板"{name}"，正文为"{body}"',
)
def try_email_template_without_subject(crm: CRM, scenario_context: dict[str, Any], name: str, body: str) -> None:
    """Try to save an email template with an empty subject."""
    attempt(scenario_context, crm.campaigns.add_template, name, "", business_text(body))


@then(
    'the email template "{name}" has the subject "{subject}"',
    '邮件模板"{name}"的主题为"{subject}"',
)
def template_has_subject(crm: CRM, name: str, subject: str) -> None:
    """The email template has that subject."""
    found = crm.campaigns.template(name)
    assert found is not None, f'no email template "{name}" in the CRM'
    assert found.subject == business_text(subject), f"the template's subject is {found.subject!r}, not {subject!r}"


@then(
    'the email template "{name}" has the body "{body}"',
    '邮件模板"{name}"的正文为"{body}"',
)
def template_has_body(crm: CRM, name: str, body: str) -> None:
    """The email template has that body."""
    found = crm.campaigns.template(name)
    assert found is not None, f'no email template "{name}" in the CRM'
    assert found.body == business_text(body), f"the template's body is {found.body!r}, not {business_text(body)!r}"


@then(
    "I am told the body uses a field the CRM cannot fill",
    "系统提示正文使用了无法填写的字段",
)
def told_unknown_field(scenario_context: dict[str, Any]) -> None:
    """The CRM refused the template with a message at the body (a field it cannot fill)."""
    rejection = refusal(scenario_context)
    assert rejection.errors.get("body"), f"no error shown next to the body; errors: {rejection.errors}"


@then("I am told the subject is required", "系统提示主题为必填项")
def told_subject_required(scenario_context: dict[str, Any]) -> None:
    """The CRM refused the form with a message at the subject."""
    rejection = refusal(scenario_context)
    assert rejection.errors.get("subject"), f"no error shown next to the subject; errors: {rejection.errors}"


@then('no email template "{name}" was saved', '没有保存邮件模板"{name}"')
def no_template_saved(crm: CRM, name: str) -> None:
    """No email template of that name was saved."""
    assert crm.campaigns.template(name) is None, f'an email template "{name}" was saved'


# ----------------------------------------------------------------------------- campaigns


@given(
    'a marketing campaign "{name}" for the mailing list {mailing_lists:list}',
    'a marketing campaign "{name}" for the mailing lists {mailing_lists:list}',
    '已有针对邮件列表{mailing_lists:list}的营销活动"{name}"',
)
@when(
    'I create the marketing campaign "{name}" for the mailing list {mailing_lists:list}',
    'I create the marketing campaign "{name}" for the mailing lists {mailing_lists:list}',
    '我新建针对邮件列表{mailing_lists:list}的营销活动"{name}"',
)
def campaign_for_lists(crm: CRM, name: str, mailing_lists: list[str]) -> None:
    """Create a marketing campaign aimed at these mailing lists."""
    crm.campaigns.add_campaign(name, mailing_lists)


@when("I try to create a marketing campaign with an empty name", "我尝试新建一个名称为空的营销活动")
def try_unnamed_campaign(crm: CRM, scenario_context: dict[str, Any]) -> None:
    """Try to save a marketing campaign with an empty name."""
    scenario_context["campaigns_before"] = crm.campaigns.count_campaigns()
    attempt(scenario_context, crm.campaigns.add_campaign, "")


@then(
    'the marketing campaign "{name}" targets exactly the mailing list {mailing_lists:list}',
    'the marketing campaign "{name}" targets exactly the mailing lists {mailing_lists:list}',
    '营销活动"{name}"只针对邮件列表{mailing_lists:list}',
)
def campaign_targets(crm: CRM, name: str, mailing_lists: list[str]) -> None:
    """The campaign is aimed at these mailing lists and no other."""
    found = crm.campaigns.campaign(name)
    assert found is not None, f'no marketing campaign "{name}" in the CRM'
    assert sorted(found.mailing_lists) == sorted(mailing_lists), (
        f'the campaign "{name}" targets {list(found.mailing_lists)}, expected exactly {mailing_lists}'
    )


@then("no marketing campaign was saved", "没有保存任何营销活动")
def no_campaign_saved(crm: CRM, scenario_context: dict[str, Any]) -> None:
    """The number of marketing campaigns did not change (the refused form saved nothing)."""
    assert crm.campaigns.count_campaigns() == scenario_context["campaigns_before"], (
        "the number of marketing campaigns changed although the form was refused"
    )


# ----------------------------------------------------------------------------- sending


@when(
    'I send the marketing campaign "{name}" with the email template "{template}"',
    '我使用邮件模板"{template}"发送营销活动"{name}"',
)
def send_campaign(crm: CRM, scenario_context: dict[str, Any], name: str, template: str) -> None:
    """Send a marketing campaign with an email template."""
    crm.campaigns.send(name, template)
    scenario_context["sent_campaign"] = name


@when(
    'I try to send the marketing campaign "{name}" without an email template',
    '我尝试不选邮件模板发送营销活动"{name}"',
)
def try_send_without_template(crm: CRM, scenario_context: dict[str, Any], name: str) -> None:
    """Try to send a marketing campaign without choosing an email template."""
    attempt(scenario_context, crm.campaigns.send, name, None)


@then("I am told the email template is required", "系统提示邮件模板为必填项")
def told_template_required(scenario_context: dict[str, Any]) -> None:
    """The CRM refused the sending with a message at the email template."""
    rejection = refusal(scenario_context)
    assert rejection.errors.get("template"), f"no error shown next to the email template; errors: {rejection.errors}"


@then('the marketing campaign "{name}" has no sending', '营销活动"{name}"没有任何发送记录')
def campaign_has_no_sending(crm: CRM, name: str) -> None:
    """The marketing campaign has no sending."""
    sendings = crm.campaigns.sendings(name)
    assert not sendings, f'the campaign "{name}" has {len(sendings)} sending(s): {sendings}'


@then(
    "exactly {recipients:list} each receive one email",
    "只有{recipients:list}各收到一封邮件",
)
def exactly_these_receive(
    crm: CRM, scenario_context: dict[str, Any], delivered_mail: MailSink, recipients: list[str]
) -> None:
    """The campaign's emails reach these contacts, one each, and nobody else."""
    addresses = contacts_known(scenario_context)
    expected = {addresses[name] for name in recipients}
    assert None not in expected, "a recipient named here has no email address in this scenario"
    sending = _sent(crm, scenario_context, delivered_mail, len(expected))
    received = Counter(recipient for message in delivered_mail.messages for recipient in message.recipients)
    assert set(received) == expected, (
        f"the CRM sent to {sorted(received)}, expected exactly {sorted(str(a) for a in expected)} "
        f"(sending state: {sending.state})"
    )
    doubles = {address: count for address, count in received.items() if count > 1}
    assert not doubles, f"some recipients received more than one email: {doubles}"
    scenario_context["delivered"] = delivered_mail.messages


@then("exactly {count:d} emails are delivered", "恰好送达{count:d}封邮件")
def exactly_count_delivered(crm: CRM, scenario_context: dict[str, Any], delivered_mail: MailSink, count: int) -> None:
    """The test mail server receives exactly that many emails from the campaign sent."""
    sending = _sent(crm, scenario_context, delivered_mail, count)
    received = len(delivered_mail.messages)
    assert received == count, (
        f"{received} emails were delivered, expected exactly {count} (sending state: {sending.state})"
    )
    scenario_context["delivered"] = delivered_mail.messages


def _sent(crm: CRM, scenario_context: dict[str, Any], delivered_mail: MailSink, count: int) -> Sending:
    """Wait for ``count`` emails, then for the CRM to say the sending is over; the sending."""
    delivered_mail.wait_for(count, timeout=SENDING_TIMEOUT)
    # Mail arriving is not the end of the sending: wait until the CRM says it is done, so that an
    # extra email sent after the expected ones is counted too.
    return crm.campaigns.wait_until_sent(scenario_context["sent_campaign"], timeout=SENDING_TIMEOUT)


@then('every email has the subject "{subject}"', '每封邮件的主题都是"{subject}"')
def every_subject(scenario_context: dict[str, Any], subject: str) -> None:
    """Every email delivered has that subject."""
    for message in _delivered(scenario_context):
        assert message.subject == subject, f"the email to {message.recipients} has the subject {message.subject!r}"


@then(
    'each email greets its recipient with "{greeting}"',
    '每封邮件都以"{greeting}"称呼收件人',
)
def each_greets(scenario_context: dict[str, Any], greeting: str) -> None:
    """Each email delivered greets its recipient with the greeting, its fields filled for that recipient."""
    name_of = {address: name for name, address in contacts_known(scenario_context).items() if address}
    for message in _delivered(scenario_context):
        for address in message.recipients:
            first, last = split_name(name_of[address])
            values = {"first name": first, "last name": last}
            expected = fill_personal_fields(business_text(greeting), values.__getitem__)
            assert expected in message.text, (
                f"the email to {address} does not say {expected!r}; its body is {message.text!r}"
            )


@then(
    'the marketing campaign "{name}" shows its emails were sent to {recipients:list}',
    '营销活动"{name}"显示邮件已发送给{recipients:list}',
)
def campaign_shows_sent_to(crm: CRM, name: str, recipients: list[str]) -> None:
    """The campaign's latest sending lists exactly these recipients, each email reported as sent."""
    sendings = crm.campaigns.sendings(name)
    assert sendings, f'the campaign "{name}" shows no sending'
    latest = sendings[0]
    listed = sorted(email.recipient for email in latest.emails)
    assert listed == sorted(recipients), f"the sending lists {listed}, expected {sorted(recipients)}"
    unsent = [f"{email.recipient}: {email.status}" for email in latest.emails if not email.sent]
    assert not unsent, f"the CRM does not report every email as sent: {unsent}"


def _delivered(scenario_context: dict[str, Any]) -> list[Delivered]:
    delivered: list[Delivered] | None = scenario_context.get("delivered")
    assert delivered, "no email was read back: check the recipients first"
    return delivered
