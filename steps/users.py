"""Steps about users, roles and teams, about who may open which record, and about signing out.

Users made by these steps all share one password (:data:`PASSWORD`), so that any step can sign in
as any of them by user name. ``Given`` steps that make a user, a role or a team make it only when
the CRM does not have it yet: a Background runs before every scenario, but the CRM is reset only
once per feature file.

Records made for access scenarios are remembered in ``scenario_context["records"]`` (name →
:class:`RecordRef`), taken while the administrator can see them, so that a user who cannot find
them can still be shown trying to open them.
"""

from __future__ import annotations

import re
from typing import Any

from signoff.crm import CRM, join_name, split_name
from signoff.crm.users import ACTIONS, Action, ConfigurationPage, RecordKind, RecordRef, Role, Scope, Team, User
from signoff.targets.base import Credentials, Target
from signoff.vocabulary import closed_set, given, then, when
from steps._refusals import action_refusal, assert_refused_at, attempt, attempt_action

#: The password of every user these steps create: long, not a common word, not like a user name.
PASSWORD = "Blue-Harbour-42!"

#: Action words, English and Chinese, to the actions of a role.
ACTION_WORDS: dict[str, Action] = {
    "view": "view",
    "change": "change",
    "delete": "delete",
    "link": "link",
    "unlink": "unlink",
    "查看": "view",
    "修改": "change",
    "删除": "delete",
    "关联": "link",
    "取消关联": "unlink",
}

#: Which records a role sees, English and Chinese, as written in a roles table.
SCOPE_WORDS: dict[str, Scope] = {
    "own records": "own",
    "every record": "all",
    "自己负责的记录": "own",
    "所有记录": "all",
}


#: Configuration pages by their business names, English and Chinese.
CONFIGURATION_WORDS: dict[str, ConfigurationPage] = {
    "user management": "user management",
    "role management": "role management",
    "general configuration": "general configuration",
    "用户管理": "user management",
    "角色管理": "role management",
    "系统配置": "general configuration",
}

#: Fields that must be unique, by their business names, to the field of the refused form.
UNIQUE_FIELDS: dict[str, str] = {
    "user name": "username",
    "role name": "name",
    "team name": "name",
    "用户名": "username",
    "角色名称": "name",
    "团队名称": "name",
}


def new_user(username: str, roles: tuple[str, ...], full_name: str | None = None) -> User:
    """A user whose names are made from the user name unless the scenario gives them."""
    if full_name:
        first, last = split_name(full_name)
    else:
        first, last = username[:1].upper() + username[1:], "Tester"
    # A user name may hold letters of any script and "@"; an e-mail address here keeps to ASCII.
    local = re.sub(r"[^A-Za-z0-9._-]", "-", username) if username.isascii() else "user-" + username.encode().hex()[:16]
    return User(username, first, last, f"{local}@example.com", PASSWORD, roles)


closed_set(
    "action", ACTION_WORDS, many=True, meaning="one or more actions, e.g. view, change and delete / 查看、修改和删除"
)
closed_set("configuration_page", CONFIGURATION_WORDS, meaning="a configuration page")
closed_set("unique_field", UNIQUE_FIELDS, meaning="a field whose value must be unique")


def in_order(actions: list[Action]) -> tuple[Action, ...]:
    """The actions named (``view, change and delete`` / ``查看、修改和删除``), each once, in the CRM's order."""
    return tuple(action for action in ACTIONS if action in actions)


def remember(scenario_context: dict[str, Any], record: RecordRef) -> None:
    scenario_context.setdefault("records", {})[record.name] = record


def sign_in_as(crm: CRM, username: str) -> None:
    crm.session.forget_sign_in()
    crm.session.sign_in(Credentials(username, PASSWORD))


# ----------------------------------------------------------------------------- roles


def _ensure_role(crm: CRM, role: Role) -> None:
    if crm.users.role(role.name) is None:
        crm.users.add_role(role)


@given(
    'a role "{name}" that sees only its users\' own records',
    '已有只能看到自己负责的记录的角色"{name}"',
)
def role_for_own_records(crm: CRM, name: str) -> None:
    """A role whose users see only the records they (or their team) own (made when missing)."""
    _ensure_role(crm, Role(name, scope="own"))


@given('a role "{name}" that sees every record', '已有可以看到所有记录的角色"{name}"')
def role_for_every_record(crm: CRM, name: str) -> None:
    """A role whose users see every record (made when missing)."""
    _ensure_role(crm, Role(name, scope="all"))


@given("these roles:", "已有以下角色：")
def these_roles(crm: CRM, datatable: list[list[str]]) -> None:
    """A table of role names and the records each sees ("own records" or "every record")."""
    existing = set(crm.users.role_names())
    for name, sees in _rows(datatable, 2):
        scope = SCOPE_WORDS.get(sees)
        assert scope, f'unknown records "{sees}"; known: {sorted(SCOPE_WORDS)}'
        if name not in existing:
            crm.users.add_role(Role(name, scope=scope))


@when(
    'I create a role "{name}" that may {actions:action} every record',
    '我新建角色"{name}"，可以{actions:action}所有记录',
)
def create_role_for_every_record(crm: CRM, name: str, actions: list[Action]) -> None:
    """Create a role that may do these actions on every record."""
    crm.users.add_role(Role(name, scope="all", actions=in_order(actions)))


@when(
    'I create a role "{name}" that may {actions:action} only own records',
    '我新建角色"{name}"，只能{actions:action}自己负责的记录',
)
def create_role_for_own_records(crm: CRM, name: str, actions: list[Action]) -> None:
    """Create a role that may do these actions on its users' own records only."""
    crm.users.add_role(Role(name, scope="own", actions=in_order(actions)))


@when("I try to create a role without a name", "我尝试新建一个没有名称的角色")
def try_create_unnamed_role(crm: CRM, scenario_context: dict[str, Any]) -> None:
    """Try to save a role without a name."""
    attempt(scenario_context, lambda: crm.users.add_role(Role("")))


@when('I try to create another role "{name}"', '我尝试再新建一个角色"{name}"')
def try_create_role_again(crm: CRM, scenario_context: dict[str, Any], name: str) -> None:
    """Try to create a role whose name another role has."""
    attempt(scenario_context, lambda: crm.users.add_role(Role(name)))


@when(
    'I try to create a role "{name}" without any module',
    '我尝试新建一个不能使用任何功能模块的角色"{name}"',
)
def try_create_role_without_modules(crm: CRM, scenario_context: dict[str, Any], name: str) -> None:
    """Try to save a role that may use no module."""
    attempt(scenario_context, lambda: crm.users.add_role(Role(name, modules=())))


@then('the role "{name}" may {actions:action} every record', '角色"{name}"可以{actions:action}所有记录')
def role_may_every_record(crm: CRM, name: str, actions: list[Action]) -> None:
    """The role may do exactly these actions (viewing implied) on every record."""
    _assert_role(crm, name, "all", in_order(actions))


@then('the role "{name}" may {actions:action} only own records', '角色"{name}"只能{actions:action}自己负责的记录')
def role_may_own_records(crm: CRM, name: str, actions: list[Action]) -> None:
    """The role may do exactly these actions (viewing implied) on its users' own records only."""
    _assert_role(crm, name, "own", in_order(actions))


@then('there is no role "{name}"', '不存在角色"{name}"')
def no_role(crm: CRM, name: str) -> None:
    """The CRM has no role of that name."""
    assert crm.users.role(name) is None, f'the CRM has a role "{name}"'


def _assert_role(crm: CRM, name: str, scope: Scope, actions: tuple[Action, ...]) -> None:
    role = crm.users.role(name)
    assert role is not None, f'no role "{name}" in the CRM'
    assert role.scope == scope, f'the role "{name}" applies to {role.scope} records, not {scope}'
    # Viewing comes with any other permission: the contract's list need not name it.
    expected = {"view", *actions}
    assert set(role.actions) == expected, f'the role "{name}" may {list(role.actions)}, expected {sorted(expected)}'


# ----------------------------------------------------------------------------- users


def _ensure_user(crm: CRM, username: str, role: str) -> None:
    if crm.users.user(username) is None:
        crm.users.add_user(new_user(username, (role,)))


@given(
    'a sales representative "{username}" with the role "{role}"',
    'a sales manager "{username}" with the role "{role}"',
    'a user "{username}" with the role "{role}"',
    '已有角色为"{role}"的销售代表"{username}"',
    '已有角色为"{role}"的销售经理"{username}"',
    '已有角色为"{role}"的用户"{username}"',
)
def user_with_role(crm: CRM, username: str, role: str) -> None:
    """A user with a role, signing in with the shared test password (made when missing)."""
    _ensure_user(crm, username, role)


@given("these users:", "已有以下用户：")
def these_users(crm: CRM, datatable: list[list[str]]) -> None:
    """A table of user names and their roles."""
    existing = set(crm.users.usernames())
    for username, role in _rows(datatable, 2):
        if username not in existing:
            crm.users.add_user(new_user(username, (role,)))


@when('I add a user "{username}" with the role "{role}"', '我新增角色为"{role}"的用户"{username}"')
def add_user(crm: CRM, username: str, role: str) -> None:
    """Create a user with a role."""
    crm.users.add_user(new_user(username, (role,)))


@when(
    'I add a user "{username}" named "{full_name}" with the role "{role}"',
    '我新增角色为"{role}"、姓名为"{full_name}"的用户"{username}"',
)
def add_named_user(crm: CRM, username: str, full_name: str, role: str) -> None:
    """Create a user with a displayed name and a role."""
    crm.users.add_user(new_user(username, (role,), full_name))


@when(
    'I try to add a user "{username}" with the role "{role}"',
    '我尝试新增角色为"{role}"的用户"{username}"',
)
def try_add_user(crm: CRM, scenario_context: dict[str, Any], username: str, role: str) -> None:
    """Try to create a user the CRM may refuse (for instance a user name already taken)."""
    attempt(scenario_context, lambda: crm.users.add_user(new_user(username, (role,))))


@when(
    'I try to add a user "{username}" whose password confirmation differs',
    '我尝试新增确认密码与密码不一致的用户"{username}"',
)
def try_add_user_with_mismatch(crm: CRM, scenario_context: dict[str, Any], username: str) -> None:
    """Try to create a user whose password confirmation differs from the password."""
    user = new_user(username, ())
    attempt(scenario_context, lambda: crm.users.add_user(user, password_confirmation=user.password + "x"))


@when(
    "I add a user whose user name is as long as the CRM allows",
    "我新增一个用户名长度达到系统上限的用户",
)
def add_longest_user(crm: CRM, scenario_context: dict[str, Any]) -> None:
    """Create a user whose user name is as long as the CRM accepts."""
    limit = crm.users.username_limit
    # Letters, digits and every punctuation mark a user name may hold, so that none is dropped.
    username = ("long.user-name_" * limit)[: limit - 2] + "@9"
    assert len(username) == limit
    scenario_context["long_username"] = username
    crm.users.add_user(new_user(username, ()))


@then(
    'the user "{username}" exists with the role "{role}"',
    '用户"{username}"存在且角色为"{role}"',
)
def user_exists_with_role(crm: CRM, username: str, role: str) -> None:
    """The user exists, is active and has exactly that role."""
    account = crm.users.user(username)
    assert account is not None, f'no user "{username}" in the CRM'
    assert account.roles == (role,), f'the user "{username}" has the roles {list(account.roles)}, not ["{role}"]'
    assert account.active, f'the new user "{username}" is not active'


@then(
    'the user "{username}" exists with the name "{full_name}"',
    '用户"{username}"存在且姓名为"{full_name}"',
)
def user_exists_with_name(crm: CRM, username: str, full_name: str) -> None:
    """The user exists and is shown with that name."""
    account = crm.users.user(username)
    assert account is not None, f'no user "{username}" in the CRM'
    # Compared by the two parts of the name rule: "欧阳 娜娜" is first name 娜娜, last name 欧阳.
    shown = join_name(account.first_name, account.last_name)
    assert (account.first_name, account.last_name) == split_name(full_name), (
        f'the user "{username}" is shown as {shown!r} (first name {account.first_name!r}, '
        f"last name {account.last_name!r}), not {full_name!r}"
    )


@then("that user exists with the full user name", "该用户以完整的用户名保存")
def long_user_exists(crm: CRM, scenario_context: dict[str, Any]) -> None:
    """The user with the longest user name was saved with its full user name."""
    username = scenario_context["long_username"]
    account = crm.users.user(username)
    assert account is not None, f"no user with the {len(username)}-character user name {username!r}"
    assert account.username == username, f"stored {account.username!r} instead of {username!r}"


@then('there is no user "{username}"', '不存在用户"{username}"')
def no_user(crm: CRM, username: str) -> None:
    """The CRM has no user of that user name."""
    assert crm.users.user(username) is None, f'the CRM has a user "{username}"'


@then('"{username}" can sign in', '"{username}"可以登录')
def can_sign_in(crm: CRM, username: str) -> None:
    """That user can sign in with the shared test password."""
    sign_in_as(crm, username)
    assert crm.session.is_signed_in(), f'"{username}" could not sign in: {crm.session.sign_in_error()}'


@then("that user can sign in", "该用户可以登录")
def long_user_can_sign_in(crm: CRM, scenario_context: dict[str, Any]) -> None:
    """The user with the longest user name can sign in."""
    can_sign_in(crm, scenario_context["long_username"])


@then("I am told the {field:unique_field} is already taken", "系统提示{field:unique_field}已被占用")
def told_already_taken(scenario_context: dict[str, Any], field: str) -> None:
    """The CRM refused the form with a message at a field whose value another record has."""
    assert_refused_at(scenario_context, field)


@then("I am told the passwords do not match", "系统提示两次输入的密码不一致")
def told_passwords_differ(scenario_context: dict[str, Any]) -> None:
    """The CRM refused the form with a message at the password."""
    assert_refused_at(scenario_context, "password")


@then("I am told the role needs at least one module", "系统提示角色至少需要一个功能模块")
def told_module_required(scenario_context: dict[str, Any]) -> None:
    """The CRM refused the role with a message at its modules."""
    assert_refused_at(scenario_context, "modules")


# ----------------------------------------------------------------------------- teams


@given(
    'a team "{name}" with the member {members:list}',
    'a team "{name}" with the members {members:list}',
    '已有成员为{members:list}的团队"{name}"',
)
def team_with_member(crm: CRM, name: str, members: list[str]) -> None:
    """A team of these users (made when missing)."""
    if crm.users.team(name) is None:
        crm.users.add_team(Team(name, tuple(members)))


@when(
    'I create a team "{name}" with the member {members:list}',
    'I create a team "{name}" with the members {members:list}',
    '我新建团队"{name}"，成员为{members:list}',
)
def create_team(crm: CRM, name: str, members: list[str]) -> None:
    """Create a team of these users."""
    crm.users.add_team(Team(name, tuple(members)))


@when('I try to create a team "{name}" with the member "{member}"', '我尝试新建成员为"{member}"的团队"{name}"')
def try_create_team(crm: CRM, scenario_context: dict[str, Any], name: str, member: str) -> None:
    """Try to create a team the CRM may refuse (for instance a name already taken)."""
    attempt(scenario_context, lambda: crm.users.add_team(Team(name, (member,))))


@then(
    'the team "{name}" has the member {members:list}',
    'the team "{name}" has the members {members:list}',
    '团队"{name}"的成员为{members:list}',
)
def team_has_members(crm: CRM, name: str, members: list[str]) -> None:
    """The team's members are these users and no other."""
    team = crm.users.team(name)
    assert team is not None, f'no team "{name}" in the CRM'
    assert sorted(team.members) == sorted(members), f'the team "{name}" has the members {list(team.members)}'


@then('"{name}" cannot sign in as a user', '"{name}"不能作为用户登录')
def team_cannot_sign_in(crm: CRM, name: str) -> None:
    """A team cannot sign in as if it were a user."""
    sign_in_as(crm, name)
    assert not crm.session.is_signed_in(), f'the team "{name}" signed in like a user'


# ----------------------------------------------------------------------------- records and owners


def _add_owned(crm: CRM, scenario_context: dict[str, Any], kind: RecordKind, name: str, owner: str) -> None:
    remember(scenario_context, crm.users.add_record(kind, name, owner))


@given('a contact "{name}" owned by "{owner}"', '已有负责人为"{owner}"的联系人"{name}"')
def contact_owned_by(crm: CRM, scenario_context: dict[str, Any], name: str, owner: str) -> None:
    """A contact owned by a user or a team."""
    _add_owned(crm, scenario_context, "contact", name, owner)


@given('an organisation "{name}" owned by "{owner}"', '已有负责人为"{owner}"的公司"{name}"')
def organisation_owned_by(crm: CRM, scenario_context: dict[str, Any], name: str, owner: str) -> None:
    """An organisation owned by a user or a team."""
    _add_owned(crm, scenario_context, "organisation", name, owner)


@given(
    'I reassign the contact "{name}" to "{owner}"',
    '我已把联系人"{name}"重新分配给"{owner}"',
)
@when('I reassign the contact "{name}" to "{owner}"', '我把联系人"{name}"重新分配给"{owner}"')
def reassign_contact(crm: CRM, name: str, owner: str) -> None:
    """Give a contact to another owner."""
    crm.users.assign("contact", name, owner)


@when('I reassign the organisation "{name}" to "{owner}"', '我把公司"{name}"重新分配给"{owner}"')
def reassign_organisation(crm: CRM, name: str, owner: str) -> None:
    """Give an organisation to another owner."""
    crm.users.assign("organisation", name, owner)


@then('the contact "{name}" is owned by "{owner}"', '联系人"{name}"的负责人是"{owner}"')
def contact_owned(crm: CRM, name: str, owner: str) -> None:
    """The contact is owned by that user or team."""
    _assert_owner(crm, "contact", name, owner)


@then('the organisation "{name}" is owned by "{owner}"', '公司"{name}"的负责人是"{owner}"')
def organisation_owned(crm: CRM, name: str, owner: str) -> None:
    """The organisation is owned by that user or team."""
    _assert_owner(crm, "organisation", name, owner)


def _assert_owner(crm: CRM, kind: RecordKind, name: str, owner: str) -> None:
    shown = crm.users.owner(kind, name)
    assert shown is not None, f'no {kind} "{name}" in the CRM'
    assert shown == owner, f'the {kind} "{name}" is owned by "{shown}", not "{owner}"'


def _open(crm: CRM, scenario_context: dict[str, Any], kind: RecordKind, name: str) -> None:
    record = scenario_context.get("records", {}).get(name) or crm.users.find_record(kind, name)
    if record is None:
        raise LookupError(f'no {kind} "{name}" was made in this scenario, and the signed-in user cannot find one')
    attempt_action(scenario_context, crm.users.open_record, record)


@when('I try to open the contact "{name}"', '我尝试打开联系人"{name}"')
def try_open_contact(crm: CRM, scenario_context: dict[str, Any], name: str) -> None:
    """Try to open a contact's page as the signed-in user."""
    _open(crm, scenario_context, "contact", name)


@when('I try to open the organisation "{name}"', '我尝试打开公司"{name}"')
def try_open_organisation(crm: CRM, scenario_context: dict[str, Any], name: str) -> None:
    """Try to open an organisation's page as the signed-in user."""
    _open(crm, scenario_context, "organisation", name)


@when(
    'I try to open the configuration page "{page:configuration_page}"', '我尝试打开配置页面"{page:configuration_page}"'
)
def try_open_configuration(crm: CRM, scenario_context: dict[str, Any], page: ConfigurationPage) -> None:
    """Try to open a configuration page as the signed-in user."""
    attempt_action(scenario_context, crm.users.open_configuration, page)


@then("the CRM refuses to show it", "系统拒绝显示")
def refused_to_show(scenario_context: dict[str, Any]) -> None:
    """The CRM refused to show the page, and said why."""
    refused = action_refusal(scenario_context)
    assert refused is not None, "the CRM showed the page although it should have refused"
    assert refused.message, "the CRM refused without saying why"


@then("I see its page", "我看到它的页面")
def sees_page(scenario_context: dict[str, Any]) -> None:
    """The CRM showed the page."""
    refused = action_refusal(scenario_context)
    assert refused is None, f"the CRM refused: {refused}"


@then('I can open the contact "{name}"', '我可以打开联系人"{name}"')
def can_open_contact(crm: CRM, scenario_context: dict[str, Any], name: str) -> None:
    """The signed-in user can open the contact's page."""
    _open(crm, scenario_context, "contact", name)
    sees_page(scenario_context)


@then('I can open the organisation "{name}"', '我可以打开公司"{name}"')
def can_open_organisation(crm: CRM, scenario_context: dict[str, Any], name: str) -> None:
    """The signed-in user can open the organisation's page."""
    _open(crm, scenario_context, "organisation", name)
    sees_page(scenario_context)


# ----------------------------------------------------------------------------- signing in and out


@given('I am signed in as "{username}"', '我以"{username}"身份登录')
def signed_in_as(crm: CRM, username: str) -> None:
    """Start signed in as that user (with the shared test password)."""
    sign_in_as(crm, username)
    assert crm.session.is_signed_in(), f'"{username}" could not sign in: {crm.session.sign_in_error()}'


@when('I sign in as "{username}"', '我以"{username}"身份登录')
def sign_in_as_user(crm: CRM, username: str) -> None:
    """Sign in as that user through the sign-in page."""
    sign_in_as(crm, username)


@when("I sign out", "我退出登录")
def sign_out(crm: CRM, scenario_context: dict[str, Any]) -> None:
    """Sign out the way a user does."""
    scenario_context["previous_session"] = crm.users.current_session()
    crm.users.sign_out()


@when("someone reuses my previous session", "有人重新使用我之前的会话")
def reuse_previous_session(crm: CRM, scenario_context: dict[str, Any]) -> None:
    """Put the session that was signed out back into the browser."""
    crm.users.resume_session(scenario_context["previous_session"])


@given('"{username}" has signed in on another computer', '"{username}"已在另一台电脑上登录')
def signed_in_elsewhere(crm: CRM, crm_target: Target, scenario_context: dict[str, Any], username: str) -> None:
    """That user has a session of their own; the administrator goes on with the scenario."""
    signed_in_as(crm, username)
    scenario_context.setdefault("sessions", {})[username] = crm.users.current_session()
    # Back to the administrator, who goes on with the scenario.
    crm.session.forget_sign_in()
    crm.session.sign_in(crm_target.admin)
    assert crm.session.is_signed_in(), "the administrator could not sign in again"


@when('"{username}" goes on with that session', '"{username}"继续使用该会话')
def go_on_with_session(crm: CRM, scenario_context: dict[str, Any], username: str) -> None:
    """Go on with that user's session."""
    crm.users.resume_session(scenario_context["sessions"][username])


@given('the user "{username}" has been deactivated', '用户"{username}"已被停用')
@when('I deactivate the user "{username}"', '我停用用户"{username}"')
def deactivate_user(crm: CRM, username: str) -> None:
    """Deactivate a user."""
    crm.users.deactivate_user(username)


@when('I reactivate the user "{username}"', '我重新启用用户"{username}"')
def reactivate_user(crm: CRM, username: str) -> None:
    """Reactivate a user."""
    crm.users.reactivate_user(username)


@then('the user "{username}" is shown as inactive', '用户"{username}"显示为已停用')
def shown_inactive(crm: CRM, username: str) -> None:
    """The user is shown as inactive."""
    account = crm.users.user(username)
    assert account is not None, f'no user "{username}" in the CRM'
    assert not account.active, f'the user "{username}" is still shown as active'


# ----------------------------------------------------------------------------- helpers


def _rows(datatable: list[list[str]], width: int) -> list[list[str]]:
    """The rows of a table after its title row, each with ``width`` cells."""
    rows = [[cell.strip() for cell in row] for row in datatable[1:]]
    bad = [row for row in rows if len(row) != width]
    assert not bad, f"each row needs {width} cells: {bad}"
    return rows
