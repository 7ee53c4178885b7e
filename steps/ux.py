"""Steps about the user experience: accessibility, effort, keyboard, phone screens, feedback, Chinese text.

Screens are named in business words (``the organisation list``, ``新增公司表单``, see
:mod:`signoff.crm.screens`); ``crm.screens`` opens and walks them, the ``ux`` fixture measures them
(:class:`signoff.ux.probe.UxProbe`). The thresholds a step asserts are the ones its words say
("at most 8 actions", "WCAG 2.1 AA"); the measurements also join the run's UX scorecard.
"""

from __future__ import annotations

from signoff.crm import CRM
from signoff.crm.screens import HOME, NEW_ORGANISATION_FORM, SCREENS
from signoff.ux.probe import UxProbe
from signoff.vocabulary import closed_set, given, then, when

#: Named tasks: the words a step uses for the task → the task's name on the scorecard and its
#: other names, so that "adding an organisation" and "新增公司" find the same task.
ADD_ORGANISATION = ("adding an organisation", "add an organisation", "新增公司")
#: Words that mean "the task of this scenario" (its When steps so far) rather than a named task.
THIS_TASK = {"this task", "the task", "this scenario", "本任务", "该任务", "本场景"}

closed_set("screen", SCREENS)


# ----------------------------------------------------------------------------- getting to a screen


@given("I am on the {screen:screen}", "我已打开{screen:screen}")
def on_screen(crm: CRM, screen: str) -> None:
    """Start on a screen, opened directly (not counted as part of a task)."""
    crm.screens.open(screen)


@when("I go to the {screen:screen} from the menu", "我通过菜单进入{screen:screen}")
def go_to_screen(crm: CRM, screen: str) -> None:
    """Go to a screen through the menus and buttons, as a user does."""
    crm.screens.go_to(screen)


@when(
    'I add an organisation "{name}" starting from the home screen',
    '我从首页开始新增公司"{name}"',
)
def add_organisation_from_home(crm: CRM, ux: UxProbe, name: str) -> None:
    """Add an organisation starting from the home screen, every click counted as the task's effort."""
    area = crm.screens
    area.open(HOME)
    # From here on, every click and field counts: the way a user goes, not a shortcut URL.
    with ux.task(*ADD_ORGANISATION):
        area.go_to(NEW_ORGANISATION_FORM)
        area.fill(name=name)
        area.save()


# ----------------------------------------------------------------------------- accessibility


@then("the page meets WCAG 2.1 AA", "页面符合 WCAG 2.1 AA")
def page_meets_wcag(ux: UxProbe) -> None:
    """The page on screen breaks no WCAG 2.1 A or AA rule (axe)."""
    result = ux.accessibility()
    problems = [
        f"{v.impact} {v.rule_id} ({v.help}) on {len(v.nodes)} elements, e.g. {v.nodes[0].selectors if v.nodes else '-'}"
        for v in result.violations
    ]
    assert not problems, (
        f"the {result.kind} page breaks {len(problems)} WCAG 2.1 A/AA rules (accessibility score "
        f"{result.score:g}): " + "; ".join(problems)
    )


# ----------------------------------------------------------------------------- effort


@then("{task} takes at most {count:d} actions", "{task}最多需要{count:d}步操作")
def task_takes_at_most(ux: UxProbe, task: str, count: int) -> None:
    """A task (named, or "this task": the When steps so far) takes at most that many clicks and keystrokes."""
    named = None if " ".join(task.casefold().split()) in THIS_TASK else task
    effort = ux.effort(named)
    steps = "; ".join(f"{s.kind} {s.target}" for s in effort.steps)
    assert effort.actions <= count, (
        f"{effort.task} took {effort.actions} actions (at most {count} wanted) over "
        f"{effort.pages_visited} pages: {steps}"
    )


# ----------------------------------------------------------------------------- keyboard


@then("the {screen:screen} can be completed with the keyboard alone", "{screen:screen}仅用键盘即可填写完成")
def form_by_keyboard(crm: CRM, ux: UxProbe, screen: str) -> None:
    """The screen's form can be filled with Tab and the keyboard alone, focus always visible."""
    _keyboard(crm, ux, screen)


@then("the {screen:screen} can be searched with the keyboard alone", "{screen:screen}仅用键盘即可搜索")
def search_by_keyboard(crm: CRM, ux: UxProbe, screen: str) -> None:
    """The screen's search can be used with Tab and the keyboard alone, focus always visible."""
    _keyboard(crm, ux, screen)


def _keyboard(crm: CRM, ux: UxProbe, screen: str) -> None:
    area = crm.screens
    area.open(screen)
    result = ux.keyboard(area.form(screen))
    assert result.found, f"the {screen:screen} shows no form to fill"
    problems = []
    if result.unreached:
        problems.append(f"Tab never reaches {', '.join(result.unreached)}")
    if result.trapped:
        problems.append(f"focus is trapped at {', '.join(result.trap)}")
    if result.invisible_focus:
        problems.append(f"focus cannot be seen on {', '.join(result.invisible_focus)}")
    assert not problems, f"on the {screen:screen} ({len(result.controls)} controls): " + "; ".join(problems)


# ----------------------------------------------------------------------------- phone screens


@then("the {screen:screen} has no horizontal scrolling on a phone", "{screen:screen}在手机上没有横向滚动")
def no_sideways_scrolling(crm: CRM, ux: UxProbe, screen: str) -> None:
    """On a phone-sized screen the page does not scroll sideways."""
    canonical = screen
    crm.screens.open(canonical)
    result = ux.small_screen()
    width, height = result.viewport
    sticking_out = ", ".join(o.description for o in result.overflowing[:5])
    assert not result.horizontal_overflow, (
        f"on a {width}x{height} phone the {canonical} is {result.scroll_width}px wide and scrolls sideways; "
        f"sticking out: {sticking_out}" + ("" if result.viewport_meta else " (the page has no <meta name=viewport>)")
    )


@then(
    "the buttons and links of the {screen:screen} are large enough to tap on a phone",
    "{screen:screen}的按钮和链接在手机上足够大，便于点按",
)
def targets_large_enough(crm: CRM, ux: UxProbe, screen: str) -> None:
    """On a phone-sized screen the buttons and links are large enough to tap."""
    canonical = screen
    crm.screens.open(canonical)
    result = ux.small_screen()
    small = ", ".join(f"{t.description} {t.width:g}x{t.height:g}" for t in result.small_targets[:8])
    assert not result.small_targets, (
        f"on the {canonical}, {len(result.small_targets)} buttons or links are under {result.min_target}px "
        f"and too close to another: {small}"
    )


# ----------------------------------------------------------------------------- Chinese text


@then("the Chinese names are rendered without broken glyphs", "中文名称显示正常，没有缺字")
def chinese_glyphs(ux: UxProbe) -> None:
    """The Chinese text on screen is drawn with a font that has every character."""
    results = ux.text_rendering(_chinese_texts(ux))
    broken = [f"'{r.text}' ({' '.join(r.missing_glyphs)})" for r in results if r.missing_glyphs]
    assert not broken, f"characters drawn as empty boxes (no glyph in {results[0].font_family}): " + ", ".join(broken)


@then("the Chinese names are shown in full", "中文名称完整显示，没有被截断")
def chinese_in_full(ux: UxProbe) -> None:
    """The Chinese text on screen is not cut off."""
    results = ux.text_rendering(_chinese_texts(ux))
    cut = [f"'{r.text}' (cut off by {r.clipped_by})" for r in results if r.truncated or not r.visible]
    assert not cut, "Chinese names not shown in full: " + ", ".join(cut)


def _chinese_texts(ux: UxProbe) -> list[str]:
    texts = ux.chinese_texts()
    assert texts, "the screen shows no Chinese text to check"
    return texts


# ----------------------------------------------------------------------------- feedback


@then("saving shows the user that it worked", "保存后用户能看到保存成功")
def save_feedback_shown(ux: UxProbe) -> None:
    """After saving a form the user sees that it worked."""
    saves = ux.save_feedback()
    assert saves, "no save of a form was seen in this scenario"
    silent = [s for s in saves if not s.passed]
    assert not silent, (
        f"after saving on {silent[0].url_before} the user got no confirmation and no new state "
        f"within {silent[0].waited_ms:.0f} ms (still on {silent[0].url_after})"
    )


@then("I am told at the field what is wrong", "系统在出错的字段旁说明错误原因")
def error_feedback_shown(ux: UxProbe) -> None:
    """A refused form says at the field what is wrong."""
    errors = ux.error_feedback()
    assert errors, "no refused form was seen in this scenario"
    last = errors[-1]
    if not last.has_message:
        reason = "no message at the field" + (" (only aria-invalid)" if last.aria_invalid else "")
    else:
        reason = f"the message '{last.message}' does not say what is wrong"
    assert last.passed, f"{last.field}: {reason}"
