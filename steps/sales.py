"""Steps about sales automation: leads becoming opportunities, sales phases, owners and amounts;
and the customer status (customer, prospect, suspect) of organisations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from signoff.crm import CRM, FormRejected
from signoff.crm.sales import CUSTOMER_STATUSES, SALES_PHASES, CustomerStatus, Opportunity
from signoff.vocabulary import closed_set, given, then, when
from steps._refusals import KEY, assert_refused_at, attempt, attempt_action

# ----------------------------------------------------------------------------- helpers

closed_set("status", CUSTOMER_STATUSES, meaning="a customer status")
closed_set("phase", SALES_PHASES, meaning="a sales phase")


def require_opportunity(crm: CRM, name: str) -> Opportunity:
    found = crm.sales.opportunity(name)
    assert found is not None, f'no opportunity "{name}" in the CRM'
    return found


def _show(amount: Decimal | None) -> str:
    return "nothing" if amount is None else f"{amount:,}"


# ----------------------------------------------------------------------------- customer status


def _add_with_status(crm: CRM, name: str, status: CustomerStatus) -> None:
    crm.customers.add_organisation(name)
    crm.sales.mark_as(name, status)


@given('a customer "{name}"', '已有客户"{name}"')
def a_customer(crm: CRM, name: str) -> None:
    """An organisation that is a customer."""
    _add_with_status(crm, name, "customer")


@given('a prospect "{name}"', '已有潜在客户"{name}"')
def a_prospect(crm: CRM, name: str) -> None:
    """An organisation that is a prospect."""
    _add_with_status(crm, name, "prospect")


@given('a suspect "{name}"', '已有可疑客户"{name}"')
def a_suspect(crm: CRM, name: str) -> None:
    """An organisation that is a suspect."""
    _add_with_status(crm, name, "suspect")


@when('I mark the organisation "{name}" as a {status:status}', '我将公司"{name}"标记为{status:status}')
def mark_as(crm: CRM, name: str, status: CustomerStatus) -> None:
    """Give an organisation a customer status."""
    crm.sales.mark_as(name, status)


@when(
    'I try to mark the organisation "{name}" as a {status:status} again',
    '我再次尝试将公司"{name}"标记为{status:status}',
)
def try_mark_again(crm: CRM, scenario_context: dict[str, Any], name: str, status: CustomerStatus) -> None:
    """Try to give an organisation a status it already holds (refusing, or not offering it, is fine)."""
    # The CRM may refuse (or not even offer) a status the organisation already holds: either is fine,
    # what matters is what it records afterwards.
    attempt_action(scenario_context, crm.sales.mark_as, name, status)


@then('the organisation "{name}" is a {status:status}', '公司"{name}"是{status:status}')
def is_status(crm: CRM, name: str, status: CustomerStatus) -> None:
    """The organisation holds that customer status."""
    wanted = status
    held = crm.sales.statuses(name)
    assert wanted in held, f'"{name}" is not a {wanted}; the CRM records: {held or "no status"}'


@then('the organisation "{name}" is not a {status:status}', '公司"{name}"不是{status:status}')
def is_not_status(crm: CRM, name: str, status: CustomerStatus) -> None:
    """The organisation does not hold that customer status."""
    unwanted = status
    held = crm.sales.statuses(name)
    assert unwanted not in held, f'"{name}" is a {unwanted}; the CRM records: {held}'


@then(
    'the organisation "{name}" holds the {status:status} status only once',
    '公司"{name}"的{status:status}身份只记录一次',
)
def holds_status_once(crm: CRM, name: str, status: CustomerStatus) -> None:
    """The CRM records that status of the organisation once, not twice."""
    wanted = status
    held = crm.sales.statuses(name)
    assert held.count(wanted) == 1, f'"{name}" holds the {wanted} status {held.count(wanted)} times: {held}'


# ----------------------------------------------------------------------------- users and teams


@given('a sales representative "{full_name}"', '已有销售代表"{full_name}"')
def a_sales_representative(crm: CRM, full_name: str) -> None:
    """A sales representative, a user who can own records (made when missing)."""
    crm.sales.ensure_sales_representative(full_name)


@given('a sales team "{team}" with {members:list}', '已有销售团队"{team}"，成员为{members:list}')
def a_sales_team(crm: CRM, team: str, members: list[str]) -> None:
    """A sales team of these sales representatives (made when missing)."""
    for member in members:
        crm.sales.ensure_sales_representative(member)
    crm.sales.ensure_team(team, members)


# ----------------------------------------------------------------------------- opportunities


@given(
    'an opportunity "{opportunity}" for "{organisation}" in the phase "{phase:phase}"',
    '已有"{organisation}"的商机"{opportunity}"，处于"{phase:phase}"阶段',
)
@when(
    'I add an opportunity "{opportunity}" for "{organisation}" in the phase "{phase:phase}"',
    '我为"{organisation}"新增处于"{phase:phase}"阶段的商机"{opportunity}"',
)
def add_opportunity_in_phase(crm: CRM, opportunity: str, organisation: str, phase: str) -> None:
    """Record an opportunity with an organisation, in a sales phase."""
    crm.sales.add_opportunity(opportunity, organisation, phase=phase)


@given(
    'an opportunity "{opportunity}" for "{organisation}" with estimated sales of {amount:amount}',
    '已有"{organisation}"的商机"{opportunity}"，预计销售额为{amount:amount}',
)
@when(
    'I add an opportunity "{opportunity}" for "{organisation}" with estimated sales of {amount:amount}',
    '我为"{organisation}"新增商机"{opportunity}"，预计销售额为{amount:amount}',
)
def add_opportunity_with_sales(crm: CRM, opportunity: str, organisation: str, amount: Decimal) -> None:
    """Record an opportunity with an organisation, with its estimated sales."""
    crm.sales.add_opportunity(opportunity, organisation, estimated_sales=amount)


@when('I add an opportunity "{opportunity}" for "{organisation}"', '我为"{organisation}"新增商机"{opportunity}"')
def add_opportunity(crm: CRM, opportunity: str, organisation: str) -> None:
    """Record an opportunity with an organisation, from the organisation's page."""
    crm.sales.add_opportunity(opportunity, organisation)


@when(
    'I try to add an opportunity with an empty name for "{organisation}"',
    '我尝试为"{organisation}"新增一个名称为空的商机',
)
def try_add_unnamed_opportunity(crm: CRM, scenario_context: dict[str, Any], organisation: str) -> None:
    """Try to save an opportunity with an empty name."""
    scenario_context["opportunities_before"] = crm.sales.count_opportunities()
    attempt(scenario_context, lambda: crm.sales.add_opportunity("", organisation))


@when(
    'I try to add an opportunity "{opportunity}" without a target',
    '我尝试新增未指定目标公司的商机"{opportunity}"',
)
def try_add_opportunity_without_target(crm: CRM, scenario_context: dict[str, Any], opportunity: str) -> None:
    """Try to save an opportunity that names no organisation."""
    attempt(scenario_context, lambda: crm.sales.add_opportunity(opportunity, None))


@when('I move the opportunity "{opportunity}" to "{phase:phase}"', '我把商机"{opportunity}"推进到"{phase:phase}"阶段')
def move_to_phase(crm: CRM, opportunity: str, phase: str) -> None:
    """Move an opportunity to another sales phase."""
    crm.sales.move_to_phase(opportunity, phase)


@when('I mark the opportunity "{opportunity}" as lost', '我将商机"{opportunity}"标记为输单')
def mark_lost(crm: CRM, opportunity: str) -> None:
    """Move an opportunity to the phase Lost."""
    crm.sales.move_to_phase(opportunity, "Lost")


@when('I assign the opportunity "{opportunity}" to "{owner}"', '我把商机"{opportunity}"分配给"{owner}"')
def assign_to_person(crm: CRM, opportunity: str, owner: str) -> None:
    """Make a user the owner of an opportunity."""
    crm.sales.assign(opportunity, owner)


@when(
    'I assign the opportunity "{opportunity}" to the team "{team}"',
    '我把商机"{opportunity}"分配给团队"{team}"',
)
def assign_to_team(crm: CRM, opportunity: str, team: str) -> None:
    """Make a team the owner of an opportunity."""
    crm.sales.assign(opportunity, team, team=True)


@when(
    'I try to leave the opportunity "{opportunity}" without an owner',
    '我尝试清空商机"{opportunity}"的负责人',
)
def try_clear_owner(crm: CRM, scenario_context: dict[str, Any], opportunity: str) -> None:
    """Try to save an opportunity with no owner."""
    scenario_context["owner_before"] = require_opportunity(crm, opportunity).owner
    attempt(scenario_context, lambda: crm.sales.assign(opportunity, None))


@given(
    'the opportunity "{opportunity}" has estimated sales of {estimated:amount} and made sales of {made:amount}',
    '商机"{opportunity}"已记录预计销售额{estimated:amount}、实际销售额{made:amount}',
)
@when(
    'I record estimated sales of {estimated:amount} and made sales of {made:amount} for the opportunity "{opportunity}"',
    '我为商机"{opportunity}"记录预计销售额{estimated:amount}、实际销售额{made:amount}',
)
def record_sales(crm: CRM, opportunity: str, estimated: Decimal, made: Decimal) -> None:
    """Record the estimated and made sales of an opportunity."""
    crm.sales.record_sales(opportunity, estimated_sales=estimated, made_sales=made)


@when(
    'I try to record estimated sales of {amount:amount} for the opportunity "{opportunity}"',
    '我尝试为商机"{opportunity}"记录预计销售额{amount:amount}',
)
def try_record_estimated(crm: CRM, scenario_context: dict[str, Any], opportunity: str, amount: Decimal) -> None:
    """Try to record estimated sales the CRM may refuse."""
    attempt(scenario_context, lambda: crm.sales.record_sales(opportunity, estimated_sales=amount))


@when(
    'I try to record made sales of {amount:amount} for the opportunity "{opportunity}"',
    '我尝试为商机"{opportunity}"记录实际销售额{amount:amount}',
)
def try_record_made(crm: CRM, scenario_context: dict[str, Any], opportunity: str, amount: Decimal) -> None:
    """Try to record made sales the CRM may refuse."""
    attempt(scenario_context, lambda: crm.sales.record_sales(opportunity, made_sales=amount))


@when(
    'I record estimated sales as large as the CRM allows for the opportunity "{opportunity}"',
    '我为商机"{opportunity}"记录系统允许的最大预计销售额',
)
def record_largest(crm: CRM, scenario_context: dict[str, Any], opportunity: str) -> None:
    """Record the largest estimated sales the CRM accepts."""
    largest = Decimal(crm.sales.amount_limit)
    scenario_context["amount"] = largest
    crm.sales.record_sales(opportunity, estimated_sales=largest)


@when(
    'I try to record estimated sales just above what the CRM allows for the opportunity "{opportunity}"',
    '我尝试为商机"{opportunity}"记录超出系统上限的预计销售额',
)
def try_record_above_largest(crm: CRM, scenario_context: dict[str, Any], opportunity: str) -> None:
    """Try to record estimated sales one above the largest the CRM accepts."""
    too_large = Decimal(crm.sales.amount_limit) + 1
    attempt(scenario_context, lambda: crm.sales.record_sales(opportunity, estimated_sales=too_large))


@then('the opportunity "{opportunity}" targets "{organisation}"', '商机"{opportunity}"的目标公司是"{organisation}"')
def targets(crm: CRM, opportunity: str, organisation: str) -> None:
    """The opportunity is with that organisation."""
    found = require_opportunity(crm, opportunity)
    assert found.target == organisation, f'"{opportunity}" targets "{found.target}", not "{organisation}"'


@then(
    'the organisation "{organisation}" has the opportunity "{opportunity}"',
    '公司"{organisation}"名下有商机"{opportunity}"',
)
def organisation_has_opportunity(crm: CRM, organisation: str, opportunity: str) -> None:
    """The organisation's page lists the opportunity."""
    listed = crm.sales.opportunities_of(organisation)
    assert opportunity in listed, (
        f'the page of "{organisation}" lists the opportunities {listed}, without "{opportunity}"'
    )


@then('the opportunity "{opportunity}" is in the phase "{phase:phase}"', '商机"{opportunity}"处于"{phase:phase}"阶段')
def in_phase(crm: CRM, opportunity: str, phase: str) -> None:
    """The opportunity is in that sales phase."""
    wanted = phase
    found = require_opportunity(crm, opportunity)
    assert found.phase == wanted, f'"{opportunity}" is in the phase "{found.phase}", not "{wanted}"'


@then('the opportunity "{opportunity}" is owned by "{owner}"', '商机"{opportunity}"的负责人是"{owner}"')
def owned_by_person(crm: CRM, opportunity: str, owner: str) -> None:
    """A user (not a team) of that name owns the opportunity."""
    found = require_opportunity(crm, opportunity)
    assert (found.owner, found.owner_is_team) == (owner, False), (
        f'"{opportunity}" is owned by {"the team " if found.owner_is_team else ""}"{found.owner}", not by "{owner}"'
    )


@then(
    'the opportunity "{opportunity}" is owned by the team "{team}"',
    '商机"{opportunity}"的负责人是团队"{team}"',
)
def owned_by_team(crm: CRM, opportunity: str, team: str) -> None:
    """The team owns the opportunity."""
    found = require_opportunity(crm, opportunity)
    assert (found.owner, found.owner_is_team) == (team, True), (
        f'"{opportunity}" is owned by {"the team " if found.owner_is_team else ""}"{found.owner}", not by the team "{team}"'
    )


@then('the opportunity "{opportunity}" keeps its owner', '商机"{opportunity}"的负责人保持不变')
def keeps_owner(crm: CRM, scenario_context: dict[str, Any], opportunity: str) -> None:
    """The opportunity still has the owner it had before the refused change."""
    found = require_opportunity(crm, opportunity)
    before = scenario_context["owner_before"]
    assert found.owner == before, f'"{opportunity}" is now owned by "{found.owner}" instead of "{before}"'


@then(
    'the opportunity "{opportunity}" shows estimated sales of {estimated:amount} and made sales of {made:amount}',
    '商机"{opportunity}"显示预计销售额{estimated:amount}、实际销售额{made:amount}',
)
def shows_sales(crm: CRM, opportunity: str, estimated: Decimal, made: Decimal) -> None:
    """The opportunity's page shows these estimated and made sales."""
    found = require_opportunity(crm, opportunity)
    wanted = (estimated, made)
    shown = (found.estimated_sales, found.made_sales)
    assert shown == wanted, (
        f'"{opportunity}" shows estimated sales of {_show(shown[0])} and made sales of {_show(shown[1])}, '
        f"not {_show(wanted[0])} and {_show(wanted[1])}"
    )


@then(
    'the opportunity "{opportunity}" still shows estimated sales of {amount:amount}',
    '商机"{opportunity}"的预计销售额仍为{amount:amount}',
)
def still_shows_estimated(crm: CRM, opportunity: str, amount: Decimal) -> None:
    """The opportunity's estimated sales are still that amount."""
    _assert_sales_figure(crm, opportunity, "estimated", amount)


@then(
    'the opportunity "{opportunity}" still shows made sales of {amount:amount}',
    '商机"{opportunity}"的实际销售额仍为{amount:amount}',
)
def still_shows_made(crm: CRM, opportunity: str, amount: Decimal) -> None:
    """The opportunity's made sales are still that amount."""
    _assert_sales_figure(crm, opportunity, "made", amount)


def _assert_sales_figure(crm: CRM, opportunity: str, figure: Literal["estimated", "made"], amount: Decimal) -> None:
    found = require_opportunity(crm, opportunity)
    shown = found.estimated_sales if figure == "estimated" else found.made_sales
    wanted = amount
    assert shown == wanted, f'"{opportunity}" shows {figure} sales of {_show(shown)}, not {_show(wanted)}'


@then(
    'the opportunity "{opportunity}" shows that amount as estimated sales',
    '商机"{opportunity}"完整显示该预计销售额',
)
def shows_that_amount(crm: CRM, scenario_context: dict[str, Any], opportunity: str) -> None:
    """The opportunity shows the largest amount, unaltered, as its estimated sales."""
    found = require_opportunity(crm, opportunity)
    wanted: Decimal = scenario_context["amount"]
    assert found.estimated_sales == wanted, (
        f'"{opportunity}" shows estimated sales of {_show(found.estimated_sales)}, not {_show(wanted)}'
    )


@then(
    'the estimated sales of "{opportunity}" are {amount:amount} exactly, unless the CRM refused them with a message',
    '商机"{opportunity}"的预计销售额要么精确保存为{amount:amount}，要么被系统拒绝并给出提示',
)
def kept_exactly_or_refused(crm: CRM, scenario_context: dict[str, Any], opportunity: str, amount: Decimal) -> None:
    """The CRM either stored the amount exactly or refused it with a message at the amount."""
    wanted = amount
    rejection: FormRejected | None = scenario_context[KEY]
    found = require_opportunity(crm, opportunity)
    if rejection is None:
        assert found.estimated_sales == wanted, (
            f"the CRM accepted {_show(wanted)} but shows {_show(found.estimated_sales)}: the amount was altered"
        )
    else:
        assert rejection.errors.get("estimated_sales"), (
            f"the CRM refused the form without a word at the amount: {rejection.errors}"
        )
        assert found.estimated_sales != wanted, "the CRM said it refused the amount, yet shows it"


@then("I am told the target is required", "系统提示目标公司为必填项")
def told_target_required(scenario_context: dict[str, Any]) -> None:
    """The CRM refused the form with a message at the target."""
    assert_refused_at(scenario_context, "target", "the opportunity has no target")


@then("I am told the owner is required", "系统提示负责人为必填项")
def told_owner_required(scenario_context: dict[str, Any]) -> None:
    """The CRM refused the form with a message at the owner."""
    assert_refused_at(scenario_context, "owner", "the opportunity has no owner")


@then("I am told the estimated sales are not accepted", "系统提示预计销售额无效")
def told_estimated_refused(scenario_context: dict[str, Any]) -> None:
    """The CRM refused the form with a message at the estimated sales."""
    assert_refused_at(scenario_context, "estimated_sales", "the estimated sales are not acceptable")


@then("I am told the made sales are not accepted", "系统提示实际销售额无效")
def told_made_refused(scenario_context: dict[str, Any]) -> None:
    """The CRM refused the form with a message at the made sales."""
    assert_refused_at(scenario_context, "made_sales", "the made sales are not acceptable")


@then("no opportunity was saved", "没有保存任何商机")
def no_opportunity_saved(crm: CRM, scenario_context: dict[str, Any]) -> None:
    """The number of opportunities did not change (the refused form saved nothing)."""
    assert crm.sales.count_opportunities() == scenario_context["opportunities_before"], (
        "the number of opportunities changed although the form was refused"
    )


@then('there is no opportunity "{opportunity}"', '不存在商机"{opportunity}"')
def no_opportunity(crm: CRM, opportunity: str) -> None:
    """No opportunity of that name was saved."""
    assert crm.sales.opportunity(opportunity) is None, f'an opportunity "{opportunity}" was saved'
