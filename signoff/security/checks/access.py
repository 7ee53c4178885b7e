"""Authorisation: the plan's role matrix, verified by real sign-ins of users made for the run.

For each role, both ways - what the matrix allows must work, what it does not must be refused:

- a record owned by another user (the administrator) is opened by its address to view and to
  change it (IDOR), and deleted (a record made for that one try); a role limited to its own records
  tries the same on a record of its own;
- the list view searched for the other owner's record shows it only to a role that sees all;
- the list is exported (downloaded): only by a role that may export, and the file holds the other
  owner's record only for a role that sees all;
- the configuration pages open only for a role allowed to configure.

A delete counts as done when the administrator no longer finds the record in the list view (the
CRM's answer alone could say "deleted" and keep it); an export when the CRM sends a file, not a
page. An action the adapter cannot try is could-not-check for that role, never assumed.
"""

from __future__ import annotations

import re

import requests

from signoff.crm.security import Security
from signoff.findings import Finding
from signoff.security.checks import CheckContext, refused
from signoff.security.http import HttpClient, request_line
from signoff.security.model import FP_ROLES, could_not_check, finding
from signoff.security.plan import RoleRule

#: Which rule an action done without the matrix's leave breaks.
_UNAUTHORISED = {"view": "idor", "change": "idor", "delete": "unauthorised-delete", "export": "unauthorised-export"}


def check_role_matrix(context: CheckContext) -> list[Finding]:
    if not context.active:
        raise RuntimeError("users and records are made for the run: only on a target that is reset afterwards")
    security = context.security
    admin = context.admin_client("roles")
    record_name = f"Signoff Private {context.run_id}"
    record = security.add_record(admin, record_name)
    found: list[Finding] = []
    for index, rule in enumerate(context.section.role_rules(), start=1):
        credentials = context.user_with_role(rule)
        client = context.client("roles")
        if security.sign_in(client, credentials) is None:
            raise RuntimeError(f"the user of role '{rule.name}' could not sign in")
        judge = _Judge(rule, found, security.sign_in_path)
        # Another owner's record: opened by its address, then deleted (a record made for that try).
        for action, response in _open_pages(client, security, record, judge, "another owner's record"):
            judge(action, "another owner's record", rule.scope == "all" and action in ("view", *rule.may), response)
        victim_name = f"Signoff Delete {context.run_id} {index}"
        victim = security.add_record(admin, victim_name)
        _try_delete(security, admin, client, victim, victim_name, judge, "another owner's record", rule.scope == "all")
        if rule.scope == "own":
            # The same actions on a record of the role's own: what the matrix allows must work.
            own_name = f"Signoff Own {context.run_id} {index}"
            own = security.add_record(client, own_name)
            for action, response in _open_pages(client, security, own, judge, "its own record"):
                judge(action, "its own record", action in ("view", *rule.may), response)
            _try_delete(security, admin, client, own, own_name, judge, "its own record", True)
        _try_export(security, client, record_name, judge)
        listing = client.get(security.list_path(record_name))
        shown = _links(security, listing, record) and not refused(listing, security.sign_in_path)
        if shown and rule.scope == "own":
            found.append(
                finding(
                    "list-leak",
                    f"list-leak:{rule.name}",
                    where="list view searched for another owner's record",
                    expected="the record is not listed",
                    actual=f"listed: {request_line(listing)}",
                    evidence=(request_line(listing),),
                    check="roles",
                )
            )
        elif not shown and rule.scope == "all":
            found.append(
                finding(
                    "role-denied",
                    f"role-denied:{rule.name}:list",
                    where="list view",
                    expected="another owner's record is listed",
                    actual=f"not listed: {request_line(listing)}",
                    evidence=(request_line(listing),),
                    check="roles",
                )
            )
        for path in security.configuration_paths():
            response = client.get(path)
            was_refused = refused(response, security.sign_in_path)
            if not was_refused and not rule.configuration:
                found.append(
                    finding(
                        "configuration-open",
                        f"configuration-open:{rule.name}:{path}",
                        where=path,
                        expected=f"refused to role '{rule.name}'",
                        actual=f"opened: {request_line(response)}",
                        evidence=(request_line(response),),
                        check="roles",
                    )
                )
            elif was_refused and rule.configuration:
                found.append(
                    finding(
                        "role-denied",
                        f"role-denied:{rule.name}:{path}",
                        where=path,
                        expected=f"allowed to role '{rule.name}'",
                        actual=f"refused: {request_line(response)}",
                        evidence=(request_line(response),),
                        check="roles",
                    )
                )
    return found


class _Judge:
    """Turns one try of one role into a finding when it went against the matrix."""

    def __init__(self, rule: RoleRule, found: list[Finding], sign_in_path: str) -> None:
        self.rule = rule
        self.found = found
        self.sign_in_path = sign_in_path

    def __call__(
        self, action: str, whose: str, allowed: bool, response: requests.Response, done: bool | None = None
    ) -> None:
        """``done``: whether the action took effect (default: the CRM did not refuse it)."""
        rule = self.rule
        # Keys of tries on another owner's record keep their first form (waivers name them).
        suffix = "" if whose == "another owner's record" else ":own"
        line = request_line(response)
        if done is None:
            done = not refused(response, self.sign_in_path)
        if done and not allowed:
            # Opening another owner's record is an IDOR; changing one's own without leave is not.
            rule_id = "unauthorised-change" if suffix and action == "change" else _UNAUTHORISED[action]
            self.found.append(
                finding(
                    rule_id,
                    f"{rule_id}:{rule.name}" + (f":{action}" if rule_id == "idor" else "") + suffix,
                    where=f"{action} of {whose}",
                    expected=f"refused to role '{rule.name}' (scope {rule.scope}, may {', '.join(rule.may)})",
                    actual=f"done: {line}",
                    evidence=(line,),
                    steps=(f"Sign in as a user of role '{rule.name}'", f"{action.capitalize()} {whose}"),
                    check="roles",
                )
            )
        elif not done and allowed:
            self.found.append(
                finding(
                    "role-denied",
                    f"role-denied:{rule.name}:{action}{suffix}",
                    where=f"{action} of {whose}",
                    expected=f"allowed to role '{rule.name}'",
                    actual=f"not done: {line}",
                    evidence=(line,),
                    check="roles",
                )
            )

    def not_tried(self, action: str, whose: str, reason: str) -> None:
        self.found.append(
            could_not_check(
                "roles",
                f"roles:{self.rule.name}:{action}" + ("" if whose == "another owner's record" else ":own"),
                reason,
                where=f"{action} of {whose}",
                function_point=FP_ROLES,
            )
        )


def _open_pages(
    client: HttpClient, security: Security, record: str, judge: _Judge, whose: str
) -> list[tuple[str, requests.Response]]:
    """The record's view and change pages as ``client`` gets them (could-not-check where the adapter has none)."""
    offered = security.record_actions(record)
    answers = []
    for action in ("view", "change"):
        if action not in offered:
            judge.not_tried(action, whose, f"the CRM adapter offers no page to try '{action}' on")
            continue
        response = client.get(offered[action])
        if response.status_code >= 500:
            judge.not_tried(action, whose, f"{request_line(response)} as role '{judge.rule.name}'")
            continue
        answers.append((action, response))
    return answers


def _try_delete(
    security: Security,
    admin: HttpClient,
    client: HttpClient,
    record: str,
    name: str,
    judge: _Judge,
    whose: str,
    in_scope: bool,
) -> None:
    """Delete ``record`` as ``client``; done when the administrator no longer finds it in the list."""
    if not _links(security, admin.get(security.list_path(name)), record):
        judge.not_tried("delete", whose, f"the record to delete is not in the administrator's list: {name}")
        return
    response = security.delete_record(client, record)
    if response is None:
        judge.not_tried("delete", whose, "the CRM adapter cannot try a delete")
        return
    if response.status_code >= 500:
        judge.not_tried("delete", whose, f"{request_line(response)} as role '{judge.rule.name}'")
        return
    gone = not _links(security, admin.get(security.list_path(name)), record)
    judge("delete", whose, in_scope and "delete" in judge.rule.may, response, done=gone)


def _try_export(security: Security, client: HttpClient, record_name: str, judge: _Judge) -> None:
    """Export the list searched for another owner's record: a file only if the role may export, and
    that record in it only if the role sees all."""
    rule, whose = judge.rule, "another owner's record"
    response = security.export_list(client, record_name)
    if response is None:
        judge.not_tried("export", whose, "the CRM adapter cannot try an export")
        return
    was_refused = refused(response, security.sign_in_path)
    is_file = response.status_code == 200 and "text/html" not in response.headers.get("Content-Type", "")
    if not was_refused and not is_file:
        judge.not_tried("export", whose, f"the CRM answered neither a file nor a refusal: {request_line(response)}")
        return
    judge("export", whose, "export" in rule.may, response, done=is_file)
    if not is_file:
        return
    listed = record_name in response.content.decode("utf-8", errors="replace")
    line = request_line(response)
    if listed and rule.scope == "own":
        judge.found.append(
            finding(
                "export-leak",
                f"export-leak:{rule.name}",
                where="list export searched for another owner's record",
                expected="the record is not in the file",
                actual=f"in the file: {line}",
                evidence=(line,),
                check="roles",
            )
        )
    elif not listed and rule.scope == "all" and "export" in rule.may:
        judge.found.append(
            finding(
                "role-denied",
                f"role-denied:{rule.name}:export-rows",
                where="list export",
                expected="another owner's record is in the file",
                actual=f"not in the file: {line}",
                evidence=(line,),
                check="roles",
            )
        )


def _links(security: Security, listing: requests.Response, record: str) -> bool:
    """Whether a list page links to ``record`` (its name alone could be the search box's text)."""
    base = re.escape(security.base_url.rstrip("/"))
    return re.search(f"[\"'](?:{base})?{re.escape(record)}/?[\"']", listing.text) is not None
