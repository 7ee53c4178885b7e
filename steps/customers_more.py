"""More steps about customers: contacts (edit, delete, restore, search), deleting for good from
the trash, saved list filters, duplicates and merging.

The organisation steps of :mod:`steps.customers` (add, exists, trash, list shows ...) are reused
as they are; lists searched or filtered here are left in ``scenario_context`` under the same keys
(``organisation_list``, ``contact_list``) so that the list steps of both modules read them.
"""

from __future__ import annotations

from typing import Any

from signoff.crm import CRM, FormRejected, split_name
from signoff.crm.customers_more import Condition, CustomerList, Operator
from signoff.vocabulary import closed_set, given, then, when
from steps._refusals import KEY, action_refusal, attempt, attempt_action, refusal

#: Lists by their business names, English and Chinese.
LISTS: dict[str, CustomerList] = {
    "organisations": "organisations",
    "organisation": "organisations",
    "公司": "organisations",
    "contacts": "contacts",
    "contact": "contacts",
    "联系人": "contacts",
}
#: Fields a filter may test, English and Chinese, to their business names.
FILTER_FIELDS: dict[str, str] = {
    "name": "name",
    "first name": "first name",
    "last name": "last name",
    "email": "email",
    "名称": "name",
    "名字": "first name",
    "姓氏": "last name",
    "邮箱": "email",
}
#: Operators, English and Chinese; a condition reads "<field> <operator>", e.g. "name contains".
FILTER_OPERATORS: dict[str, Operator] = {
    "contains": "contains",
    "starts with": "starts with",
    "equals": "equals",
    "包含": "contains",
    "开头为": "starts with",
    "等于": "equals",
}


#: The words of a condition, "<field> <operator>" ("last name starts with", 姓氏开头为) → field, operator.
CONDITIONS: dict[str, tuple[str, Operator]] = {
    # English words are separated by a space, Chinese ones are not.
    (f"{field_words} {operator_words}" if field_words.isascii() else field_words + operator_words): (field, operator)
    for field_words, field in FILTER_FIELDS.items()
    for operator_words, operator in FILTER_OPERATORS.items()
    if field_words.isascii() == operator_words.isascii()
}

closed_set("customer_list", LISTS)
closed_set("condition", CONDITIONS, meaning="a field and a comparison, e.g. last name starts with / 姓氏开头为")


def _keep_list(scenario_context: dict[str, Any], listing: CustomerList, names: list[str]) -> None:
    scenario_context["organisation_list" if listing == "organisations" else "contact_list"] = names


# ----------------------------------------------------------------------------- contacts


@given(
    'a contact "{full_name}" working for "{organisation}"',
    '已有在"{organisation}"任职的联系人"{full_name}"',
)
def contact_working_for(crm: CRM, full_name: str, organisation: str) -> None:
    """A contact who works for an organisation."""
    first, last = split_name(full_name)
    crm.customers.add_contact(first, last, organisation=organisation)


@when(
    'I change the last name of the contact "{full_name}" to "{last_name}"',
    '我把联系人"{full_name}"的姓氏改为"{last_name}"',
)
def change_last_name(crm: CRM, full_name: str, last_name: str) -> None:
    """Change a contact's last name."""
    crm.customers.edit_contact(full_name, last_name=last_name)


@when(
    'I try to change the last name of the contact "{full_name}" to nothing',
    '我尝试清空联系人"{full_name}"的姓氏',
)
def try_clear_last_name(crm: CRM, scenario_context: dict[str, Any], full_name: str) -> None:
    """Try to save a contact with its last name emptied."""
    attempt(scenario_context, lambda: crm.customers.edit_contact(full_name, last_name=""))


@then('there is no contact "{full_name}"', '不存在联系人"{full_name}"')
def no_contact(crm: CRM, full_name: str) -> None:
    """The CRM lists no contact of that full name."""
    assert crm.customers.contact(full_name) is None, f'the contact "{full_name}" still exists'


@when('I delete the contact "{full_name}"', '我删除联系人"{full_name}"')
def delete_contact(crm: CRM, full_name: str) -> None:
    """Delete a contact to the trash."""
    crm.customers.delete_contact(full_name)


@then('the contact "{full_name}" is in the trash', '联系人"{full_name}"在回收站中')
def contact_in_trash(crm: CRM, full_name: str) -> None:
    """The contact is in the trash."""
    trash = crm.customers.trash()
    assert full_name in trash, f'"{full_name}" is not in the trash; the trash holds {trash}'


@then('the contact "{full_name}" is not in the trash', '联系人"{full_name}"不在回收站中')
def contact_not_in_trash(crm: CRM, full_name: str) -> None:
    """The contact is no longer in the trash."""
    assert full_name not in crm.customers.trash(), f'"{full_name}" is still in the trash'


@when('I search the contacts for "{text}"', '我在联系人列表中搜索"{text}"')
def search_contacts(crm: CRM, scenario_context: dict[str, Any], text: str) -> None:
    """Search the contact list for a text; the list steps then read what it shows."""
    scenario_context["contact_list"] = crm.customers.search_contacts(text)


@then("the contact list shows {names:list}", "联系人列表显示{names:list}")
def contact_list_shows(scenario_context: dict[str, Any], names: list[str]) -> None:
    """The contact list last searched or filtered shows every one of these names (others may show too)."""
    shown = scenario_context["contact_list"]
    missing = [name for name in names if name not in shown]
    assert not missing, f"the contact list shows {shown}, without {missing}"


@then('the contact list does not show "{name}"', '联系人列表不显示"{name}"')
def contact_list_hides(scenario_context: dict[str, Any], name: str) -> None:
    """The contact list last searched or filtered does not show that name."""
    shown = scenario_context["contact_list"]
    assert name not in shown, f'the contact list shows "{name}": {shown}'


@then("the contact list is empty", "联系人列表为空")
def contact_list_empty(scenario_context: dict[str, Any]) -> None:
    """The contact list last searched or filtered shows nobody."""
    shown = scenario_context["contact_list"]
    assert not shown, f"the contact list shows {shown}"


@then("the organisation list is empty", "公司列表为空")
def organisation_list_empty(scenario_context: dict[str, Any]) -> None:
    """The organisation list last searched or filtered shows nothing."""
    shown = scenario_context["organisation_list"]
    assert not shown, f"the organisation list shows {shown}"


# ----------------------------------------------------------------------------- deleting for good


@given(
    'the organisation "{name}" is the target of the opportunity "{opportunity}"',
    '公司"{name}"是商机"{opportunity}"的目标客户',
)
def target_of_opportunity(crm: CRM, name: str, opportunity: str) -> None:
    """The organisation is the target of an opportunity (a link that blocks deleting it for good)."""
    crm.customers_more.link_to_opportunity(name, opportunity)


@given(
    'the organisation "{name}" has been deleted to the trash',
    '公司"{name}"已被删除到回收站',
)
def organisation_deleted(crm: CRM, name: str) -> None:
    """The organisation has been deleted to the trash."""
    crm.customers.delete_organisation(name)


@when('I try to delete "{name}" from the trash for good', '我尝试从回收站永久删除"{name}"')
def try_delete_for_good(crm: CRM, scenario_context: dict[str, Any], name: str) -> None:
    """Try to delete a record from the trash for good."""
    attempt_action(scenario_context, crm.customers_more.delete_for_good, name)


@when('I delete "{name}" from the trash for good', '我从回收站永久删除"{name}"')
def delete_for_good(crm: CRM, name: str) -> None:
    """Delete a record from the trash for good."""
    crm.customers_more.delete_for_good(name)


@then(
    'I am told it is still linked to the opportunity "{opportunity}"',
    '系统提示它仍与商机"{opportunity}"关联',
)
def told_still_linked(scenario_context: dict[str, Any], opportunity: str) -> None:
    """The CRM refused to delete for good, naming the opportunity still linked."""
    refused = action_refusal(scenario_context)
    assert refused is not None, "the CRM deleted the record for good although it is still linked"
    assert opportunity in refused.message, f'the CRM refused without naming "{opportunity}": {refused.message!r}'


# ----------------------------------------------------------------------------- saved filters


@given(
    'a saved filter "{filter_name}" of {listing:customer_list} whose {condition:condition} "{value}"',
    '已有{listing:customer_list}筛选条件"{filter_name}"：{condition:condition}"{value}"',
)
@when(
    'I save a filter "{filter_name}" of {listing:customer_list} whose {condition:condition} "{value}"',
    '我保存{listing:customer_list}筛选条件"{filter_name}"：{condition:condition}"{value}"',
)
def save_filter(crm: CRM, filter_name: str, listing: CustomerList, condition: tuple[str, Operator], value: str) -> None:
    """Save a filter of the organisation or contact list with one condition."""
    field, operator = condition
    crm.customers_more.save_filter(listing, filter_name, [Condition(field, operator, value)])


@when(
    'I try to save a filter "{filter_name}" of {listing:customer_list} without any condition',
    '我尝试保存没有任何条件的{listing:customer_list}筛选条件"{filter_name}"',
)
def try_save_empty_filter(crm: CRM, scenario_context: dict[str, Any], filter_name: str, listing: CustomerList) -> None:
    """Try to save a filter that has no condition."""
    attempt(scenario_context, lambda: crm.customers_more.save_filter(listing, filter_name, []))


@when(
    'I filter the {listing:customer_list} list with "{filter_name}"',
    '我用筛选条件"{filter_name}"过滤{listing:customer_list}列表',
)
def filter_list(crm: CRM, scenario_context: dict[str, Any], listing: CustomerList, filter_name: str) -> None:
    """Apply a saved filter to a list; the list steps then read what it shows."""
    _keep_list(scenario_context, listing, crm.customers_more.filter_list(listing, filter_name))


@then("I am told the filter needs a condition", "系统提示筛选条件至少需要一个条件")
def told_filter_needs_condition(scenario_context: dict[str, Any]) -> None:
    """The CRM refused the filter and said why."""
    rejection = refusal(scenario_context, "the filter has no condition")
    assert any(rejection.errors.values()), "the CRM refused the filter without saying why"


@then(
    'the {listing:customer_list} list offers no filter "{filter_name}"',
    '{listing:customer_list}列表没有筛选条件"{filter_name}"',
)
def no_saved_filter(crm: CRM, listing: CustomerList, filter_name: str) -> None:
    """The list offers no saved filter of that name."""
    offered = crm.customers_more.saved_filters(listing)
    assert filter_name not in offered, f'the list offers a filter "{filter_name}": {offered}'


# ----------------------------------------------------------------------------- duplicates and merging


@when('I add an organisation "{name}" again', '我再次新增公司"{name}"')
def add_organisation_again(crm: CRM, scenario_context: dict[str, Any], name: str) -> None:
    """Add an organisation whose name another one already has."""
    attempt(scenario_context, lambda: crm.customers.add_organisation(name))


@then(
    'the CRM warns me that an organisation "{name}" already exists',
    '系统提示公司"{name}"已存在',
)
def warned_about_duplicate(crm: CRM, scenario_context: dict[str, Any], name: str) -> None:
    """The CRM warned that an organisation of that name exists instead of saving a second one."""
    rejection: FormRejected | None = scenario_context.get(KEY)
    if rejection is None:
        same = [shown for shown in crm.customers.search_organisations(name) if shown == name]
        raise AssertionError(
            f'the CRM saved the organisation "{name}" again without any warning: '
            f"{len(same)} organisations now have this name"
        )
    assert any(rejection.errors.values()), "the CRM refused the duplicate without saying why"


@then('there is only one organisation "{name}"', '只有一个公司"{name}"')
def only_one_organisation(crm: CRM, name: str) -> None:
    """Exactly one organisation has that name."""
    same = [shown for shown in crm.customers.search_organisations(name) if shown == name]
    assert len(same) == 1, f'{len(same)} organisations are named "{name}"'


@when('I merge the organisation "{absorbed}" into "{kept}"', '我把公司"{absorbed}"合并到"{kept}"')
def merge_organisations(crm: CRM, absorbed: str, kept: str) -> None:
    """Merge one organisation into another, which is kept."""
    crm.customers_more.merge("organisation", absorbed, kept)


@when('I merge the contact "{absorbed}" into "{kept}"', '我把联系人"{absorbed}"合并到"{kept}"')
def merge_contacts(crm: CRM, absorbed: str, kept: str) -> None:
    """Merge one contact into another, which is kept."""
    crm.customers_more.merge("contact", absorbed, kept)


@when(
    'I try to merge the organisation "{absorbed}" into "{kept}" leaving the name empty',
    '我尝试把公司"{absorbed}"合并到"{kept}"并清空名称',
)
def try_merge_without_name(crm: CRM, scenario_context: dict[str, Any], absorbed: str, kept: str) -> None:
    """Try to merge two organisations with the merged name left empty."""
    attempt(scenario_context, lambda: crm.customers_more.merge("organisation", absorbed, kept, name=""))
