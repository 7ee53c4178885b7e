"""Authorisation: the plan's role matrix, verified by real sign-ins of users made for the run.

For each role: a record owned by another user (the administrator) is opened by its address for
each action (IDOR), looked for in the unfiltered list view, and the configuration pages are
opened. What the matrix allows must be allowed; what it does not must be refused.
"""

from __future__ import annotations

import re

from signoff.findings import Finding
from signoff.security.checks import CheckContext, refused
from signoff.security.http import request_line
from signoff.security.model import FP_ROLES, could_not_check, finding


def check_role_matrix(context: CheckContext) -> list[Finding]:
    if not context.active:
        raise RuntimeError("users and records are made for the run: only on a target that is reset afterwards")
    security = context.security
    admin = context.admin_client("roles")
    record_name = f"Signoff Private {context.run_id}"
    record = security.add_record(admin, record_name)
    found: list[Finding] = []
    for rule in context.section.role_rules():
        credentials = context.user_with_role(rule)
        client = context.client("roles")
        if security.sign_in(client, credentials) is None:
            raise RuntimeError(f"the user of role '{rule.name}' could not sign in")
        offered = security.record_actions(record)
        for action in [a for a in rule.may if a not in offered]:
            # The plan asks about an action the adapter has no page for: said, never assumed.
            found.append(
                could_not_check(
                    "roles",
                    f"roles:{rule.name}:{action}",
                    f"the CRM adapter offers no page to try '{action}' on",
                    where=f"{action} of another owner's record",
                    function_point=FP_ROLES,
                )
            )
        for action, path in offered.items():
            allowed_by_plan = rule.scope == "all" and (action == "view" or action in rule.may)
            response = client.get(path)
            was_refused = refused(response, security.sign_in_path)
            if response.status_code >= 500:
                raise RuntimeError(f"{request_line(response)} as role '{rule.name}'")
            if not was_refused and not allowed_by_plan:
                found.append(
                    finding(
                        "idor",
                        f"idor:{rule.name}:{action}",
                        where=f"{action} of another owner's record",
                        expected=f"refused to role '{rule.name}' (scope {rule.scope}, may {', '.join(rule.may)})",
                        actual=f"opened: {request_line(response)}",
                        evidence=(request_line(response),),
                        steps=(
                            f"Sign in as a user of role '{rule.name}'",
                            f"Open another owner's record page for '{action}' by its address",
                        ),
                        check="roles",
                    )
                )
            elif was_refused and allowed_by_plan:
                found.append(
                    finding(
                        "role-denied",
                        f"role-denied:{rule.name}:{action}",
                        where=f"{action} of another owner's record",
                        expected=f"allowed to role '{rule.name}'",
                        actual=f"refused: {request_line(response)}",
                        evidence=(request_line(response),),
                        check="roles",
                    )
                )
        listing = client.get(security.list_path(record_name))
        # A link to the record, not its name: the search box repeats the name searched for.
        base = re.escape(security.base_url.rstrip("/"))
        linked = re.search(f"[\"'](?:{base})?{re.escape(record)}/?[\"']", listing.text)
        shown = linked is not None and not refused(listing, security.sign_in_path)
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
