"""CSRF: every state-changing form, replayed without its anti-forgery token and from a foreign Origin,
must be refused. Each form is first submitted as a browser would (the control): a form the CRM
does not accept even then cannot be judged and is could-not-check."""

from __future__ import annotations

import requests

from signoff.crm.security import HttpForm
from signoff.findings import Finding
from signoff.security.checks import CheckContext, refused
from signoff.security.http import HttpClient, request_line
from signoff.security.model import could_not_check, finding

FOREIGN_ORIGIN = "https://evil.example"


def _post(client: HttpClient, form: HttpForm, fields: list[tuple[str, str]], origin: str) -> requests.Response:
    return client.post(
        form.action,
        data=fields,
        headers={"Origin": origin, "Referer": origin + "/"},
    )


def _accepted(response: requests.Response, control: requests.Response, sign_in_path: str) -> bool:
    """Whether a replay was taken like the control: same kind of answer and no refusal."""
    if refused(response, sign_in_path) or response.status_code >= 400:
        return False
    return response.status_code // 100 == control.status_code // 100


def check_csrf(context: CheckContext) -> list[Finding]:
    if not context.active:
        raise RuntimeError("replays save records: only on a target that is reset afterwards")
    security = context.security
    client = context.admin_client("csrf")
    own_origin = security.base_url.rstrip("/")
    found: list[Finding] = []
    for state_form in security.state_forms():
        values = {key: value.replace("{run}", context.run_id) for key, value in state_form.values.items()}
        control_form = security.read_form(client, state_form.path).with_values(values)
        control = _post(client, control_form, list(control_form.fields), own_origin)
        if refused(control, security.sign_in_path) or control.status_code >= 400:
            found.append(
                could_not_check(
                    "csrf",
                    f"csrf:{state_form.name}",
                    f"the form was refused even with its token ({request_line(control)})",
                    where=state_form.path,
                )
            )
            continue
        replays = (
            (
                "csrf-no-token",
                "without its token",
                security.read_form(client, state_form.path).with_values(values),
                own_origin,
                True,
            ),
            (
                "csrf-foreign-origin",
                f"from Origin {FOREIGN_ORIGIN}",
                security.read_form(client, state_form.path).with_values(values),
                FOREIGN_ORIGIN,
                False,
            ),
        )
        for rule, how, form, origin, drop_token in replays:
            if drop_token and not form.token_fields:
                # No token to leave out: the form has none at all, which is the flaw itself.
                fields = list(form.fields)
            else:
                fields = form.without_tokens() if drop_token else list(form.fields)
            answer = _post(client, form, fields, origin)
            if _accepted(answer, control, security.sign_in_path):
                found.append(
                    finding(
                        rule,
                        f"{rule}:{state_form.name}",
                        where=f"{state_form.name} ({state_form.path})",
                        expected="refused (HTTP 403)",
                        actual=f"accepted {how}: {request_line(answer)} (with the token: {request_line(control)})",
                        evidence=(f"{request_line(answer)}", f"fields sent: {', '.join(n for n, _ in fields)}"),
                        steps=(f"Open {state_form.path} signed in", f"Submit the form {how}"),
                        check="csrf",
                    )
                )
    return found
