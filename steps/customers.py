"""Steps about customers: organisations and contacts."""

from __future__ import annotations

from typing import Any

from signoff.crm import CRM, split_name
from signoff.vocabulary import given, then, when
from steps._refusals import assert_refused_at, attempt

#: Characters used to build a name as long as the CRM allows: mixed scripts, so that a CRM that
#: counts bytes instead of characters shows up.
LONG_NAME_ALPHABET = "Signoff Ünïcode 长名称 "


# ----------------------------------------------------------------------------- organisations


@given('an organisation "{name}"', '已有公司"{name}"')
@when('I add an organisation "{name}"', '我新增公司"{name}"')
def add_organisation(crm: CRM, name: str) -> None:
    """Create an organisation of that name."""
    crm.customers.add_organisation(name)


@when("I try to add an organisation with an empty name", "我尝试新增一个名称为空的公司")
def try_add_unnamed_organisation(crm: CRM, scenario_context: dict[str, Any]) -> None:
    """Try to save the new organisation form with the name left empty."""
    scenario_context["organisations_before"] = crm.customers.count_organisations()
    attempt(scenario_context, crm.customers.add_organisation, "")


@when(
    "I add an organisation whose name is as long as the CRM allows",
    "我新增一个名称长度达到系统上限的公司",
)
def add_longest_organisation(crm: CRM, scenario_context: dict[str, Any]) -> None:
    """Create an organisation whose name has exactly as many characters as the CRM accepts, in mixed scripts."""
    limit = crm.customers.organisation_name_limit
    name = (LONG_NAME_ALPHABET * (limit // len(LONG_NAME_ALPHABET) + 1))[: limit - 1] + "!"
    assert len(name) == limit
    scenario_context["long_name"] = name
    crm.customers.add_organisation(name)


@when('I rename the organisation "{old}" to "{new}"', '我把公司"{old}"改名为"{new}"')
def rename_organisation(crm: CRM, old: str, new: str) -> None:
    """Change the name of an organisation."""
    crm.customers.edit_organisation(old, name=new)


@when('I search the organisations for "{text}"', '我在公司列表中搜索"{text}"')
def search_organisations(crm: CRM, scenario_context: dict[str, Any], text: str) -> None:
    """Search the organisation list for a text; the list steps then read what it shows."""
    scenario_context["organisation_list"] = crm.customers.search_organisations(text)


@when('I delete the organisation "{name}"', '我删除公司"{name}"')
def delete_organisation(crm: CRM, name: str) -> None:
    """Delete an organisation to the trash."""
    crm.customers.delete_organisation(name)


@when('I restore "{name}" from the trash', '我从回收站恢复"{name}"')
def restore_from_trash(crm: CRM, name: str) -> None:
    """Restore a record from the trash."""
    crm.customers.restore(name)


@then('the organisation "{name}" exists', '公司"{name}"存在')
def organisation_exists(crm: CRM, name: str) -> None:
    """The CRM has an organisation of that name."""
    assert crm.customers.organisation(name) is not None, f'no organisation "{name}" in the CRM'


@then(
    'the organisation "{name}" exists with exactly that name',
    '公司"{name}"存在且名称完全一致',
)
def organisation_exists_exactly(crm: CRM, name: str) -> None:
    """The CRM has the organisation, its name stored character for character."""
    found = crm.customers.organisation(name)
    assert found is not None, f'no organisation "{name}" in the CRM'
    assert found.name == name, f"stored name {found.name!r} differs from {name!r}"


@then('there is no organisation "{name}"', '不存在公司"{name}"')
def no_organisation(crm: CRM, name: str) -> None:
    """The CRM lists no organisation of that name (it says how many it shows and whether one is in the trash)."""
    if crm.customers.organisation(name) is None:
        return
    # Say which of the possible stories it is: a second record of the same name (Creme accepts
    # duplicates), or the record listed although it is in the trash.
    listed = crm.customers.search_organisations(name).count(name)
    in_trash = name in crm.customers.trash()
    raise AssertionError(
        f'organisation "{name}" still exists: the organisation list shows {listed} organisation(s) of that name'
        + ("; one of that name is in the trash" if in_trash else "; none of that name is in the trash")
    )


@then("that organisation is saved with its full name", "该公司以完整名称保存")
def long_name_saved(crm: CRM, scenario_context: dict[str, Any]) -> None:
    """The organisation with the longest name was saved with its full name."""
    name = scenario_context["long_name"]
    found = crm.customers.organisation(name)
    assert found is not None, f"no organisation with the {len(name)}-character name"
    assert found.name == name, f"stored {len(found.name)} characters instead of {len(name)}"


@then("the organisation list shows {names:list}", "公司列表显示{names:list}")
def list_shows(scenario_context: dict[str, Any], names: list[str]) -> None:
    """The organisation list last searched or filtered shows every one of these names (others may show too)."""
    shown = scenario_context["organisation_list"]
    missing = [name for name in names if name not in shown]
    assert not missing, f"the organisation list shows {shown}, without {missing}"


@then('the organisation list does not show "{name}"', '公司列表不显示"{name}"')
def list_does_not_show(scenario_context: dict[str, Any], name: str) -> None:
    """The organisation list last searched or filtered does not show that name."""
    shown = scenario_context["organisation_list"]
    assert name not in shown, f'the list shows "{name}": {shown}'


@then('the organisation "{name}" is in the trash', '公司"{name}"在回收站中')
def in_trash(crm: CRM, name: str) -> None:
    """The organisation is in the trash."""
    assert name in crm.customers.trash(), f'"{name}" is not in the trash'


@then('the organisation "{name}" is not in the trash', '公司"{name}"不在回收站中')
def not_in_trash(crm: CRM, name: str) -> None:
    """The organisation is no longer in the trash."""
    assert name not in crm.customers.trash(), f'"{name}" is still in the trash'


@then("I am told the name is required", "系统提示名称为必填项")
def told_name_required(scenario_context: dict[str, Any]) -> None:
    """The CRM refused the form with a message at the name."""
    assert_refused_at(scenario_context, "name", "a required field was empty")


@then("no organisation was saved", "没有保存任何公司")
def no_organisation_saved(crm: CRM, scenario_context: dict[str, Any]) -> None:
    """The number of organisations did not change (the refused form saved nothing)."""
    assert crm.customers.count_organisations() == scenario_context["organisations_before"], (
        "the number of organisations changed although the form was refused"
    )


# ----------------------------------------------------------------------------- contacts


@given('a contact "{full_name}"', '已有联系人"{full_name}"')
@when('I add a contact "{full_name}"', '我新增联系人"{full_name}"')
def add_contact(crm: CRM, full_name: str) -> None:
    """Create a contact; the full name is split into first and last name."""
    first, last = split_name(full_name)
    crm.customers.add_contact(first, last)


@when(
    'I add a contact "{full_name}" working for "{organisation}"',
    '我新增在"{organisation}"任职的联系人"{full_name}"',
)
def add_contact_for(crm: CRM, full_name: str, organisation: str) -> None:
    """Create a contact who works for an organisation."""
    first, last = split_name(full_name)
    crm.customers.add_contact(first, last, organisation=organisation)


@when(
    'I try to add a contact "{first_name}" with an empty last name',
    '我尝试新增名为"{first_name}"且姓氏为空的联系人',
)
def try_add_contact_without_last_name(crm: CRM, scenario_context: dict[str, Any], first_name: str) -> None:
    """Try to save a contact with a first name and an empty last name."""
    attempt(scenario_context, crm.customers.add_contact, first_name, "")


@then('the contact "{full_name}" exists', '联系人"{full_name}"存在')
def contact_exists(crm: CRM, full_name: str) -> None:
    """The CRM has a contact of that full name."""
    found = crm.customers.contact(full_name)
    assert found is not None, f'no contact "{full_name}" in the CRM'
    # Compared by its two parts, as the name rule reads the written name: "李 小龙" and "李小龙"
    # are both 姓 李, 名 小龙; a CRM that changes either part fails.
    first, last = split_name(full_name)
    assert (found.first_name, found.last_name) == (first, last), (
        f"stored first name {found.first_name!r} and last name {found.last_name!r}, "
        f"expected {first!r} and {last!r} for {full_name!r}"
    )


@then(
    'the contact "{full_name}" works for "{organisation}"',
    '联系人"{full_name}"在"{organisation}"任职',
)
def contact_works_for(crm: CRM, full_name: str, organisation: str) -> None:
    """The contact's page names that organisation as employer."""
    found = crm.customers.contact(full_name)
    assert found is not None, f'no contact "{full_name}" in the CRM'
    assert found.organisation == organisation, f"works for {found.organisation!r}, not {organisation!r}"


@then("I am told the last name is required", "系统提示姓氏为必填项")
def told_last_name_required(scenario_context: dict[str, Any]) -> None:
    """The CRM refused the form with a message at the last name."""
    assert_refused_at(scenario_context, "last_name", "a required field was empty")


@then('no contact "{first_name}" was saved', '没有保存联系人"{first_name}"')
def no_contact_saved(crm: CRM, first_name: str) -> None:
    """No contact of that name was saved."""
    assert crm.customers.contact(first_name) is None, f'a contact "{first_name}" was saved'
