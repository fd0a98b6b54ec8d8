"""The Health pane at 80x24 in a tiny host app: summary, drill-down, a failing
check's reason and fix, `y` copies the fix, UNKNOWN names the IAM action,
hostile names stay literal, and live collection runs in a worker."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.app import App, ComposeResult
from textual.widgets import OptionList, Static

from tests.test_health_moto import REGION, build_neglected
from trailtui.aws.config import AwsConfig
from trailtui.health import AccountFacts
from trailtui.health.demo import demo_facts
from trailtui.ui.panes.health import HealthPane

NOW = datetime.now(UTC)


class Host(App):
    """Records what the pane asks the app to copy (the real app sends OSC 52)."""

    def __init__(self, aws: AwsConfig, facts: AccountFacts | None) -> None:
        super().__init__()
        self.aws, self.facts = aws, facts
        self.copied: list[str] = []

    def compose(self) -> ComposeResult:
        yield HealthPane(self.aws, facts=self.facts)

    def copy_to_clipboard(self, text: str) -> None:
        self.copied.append(text)


def screen_text(app: App) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def detail(app: App) -> str:
    return str(app.query_one("#health-detail", Static).render())


async def open_trail(pilot, name: str) -> None:
    trails = pilot.app.query_one("#health-trails", OptionList)
    index = next(i for i in range(trails.option_count) if name in str(trails.get_option_at_index(i).prompt))
    for _ in range(index):
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()


async def highlight_check(pilot, check_id: str) -> None:
    checks = pilot.app.query_one("#health-checks", OptionList)
    index = next(i for i in range(checks.option_count) if f" {check_id} " in str(checks.get_option_at_index(i).prompt))
    for _ in range(index):
        await pilot.press("down")
    await pilot.pause()


async def test_nothing_is_collected_before_load():
    app = Host(AwsConfig(region=REGION, endpoint_url="http://127.0.0.1:9"), None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "not checked yet" in screen_text(app)
        assert len(app.workers) == 0


async def test_failing_check_shows_reason_and_fix_and_y_copies_it():
    app = Host(AwsConfig(), demo_facts(NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(HealthPane)
        pane.load()
        await pilot.pause()
        summary = str(app.query_one("#health-summary", Static).render())
        assert "3 trails" in summary and "FAIL" in summary and "UNKNOWN" in summary
        await open_trail(pilot, "legacy-app-trail")
        await highlight_check(pilot, "log-file-validation")
        shown = detail(app)
        assert "FAIL" in shown and "log-file-validation" in shown
        assert "log file validation is off" in shown
        fix = "aws cloudtrail update-trail --name legacy-app-trail --region us-east-1 --enable-log-file-validation"
        assert fix in shown
        assert "log file validation is off" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        assert app.copied == [fix]
        await pilot.press("escape")
        await pilot.pause()
        assert not pane.has_class("-drilled")
        await pilot.press("y")  # nothing selected any more: nothing copied
        await pilot.pause()
        assert app.copied == [fix]


async def test_r_reloads_the_report():
    facts = demo_facts(NOW)
    app = Host(AwsConfig(), facts)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(HealthPane)
        pane.load()
        await pilot.pause()
        assert "3 trails" in str(app.query_one("#health-summary", Static).render())
        facts.trails = facts.trails[:1]
        await pilot.press("r")
        await pilot.pause()
        assert "1 trail " in str(app.query_one("#health-summary", Static).render())
        assert [t.name for t in pane.report.trails] == [facts.trails[0].name]


async def test_focusing_the_pane_focuses_its_visible_list():
    app = Host(AwsConfig(), demo_facts(NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(HealthPane)
        pane.load()
        pane.focus()
        await pilot.pause()
        assert app.focused is app.query_one("#health-trails", OptionList)
        await pilot.press("enter")
        pane.focus()
        await pilot.pause()
        assert app.focused is app.query_one("#health-checks", OptionList)


async def test_unknown_check_names_the_iam_action():
    app = Host(AwsConfig(), demo_facts(NOW))
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one(HealthPane).load()
        await pilot.pause()
        await open_trail(pilot, "org-management-events")
        await highlight_check(pilot, "bucket-replication")
        shown = detail(app)
        assert "UNKNOWN" in shown and "s3:GetReplicationConfiguration" in shown
        await pilot.press("y")  # an UNKNOWN with no fix copies nothing
        assert app.copied == []


async def test_hostile_trail_names_render_literally():
    facts = demo_facts(NOW)
    facts.trails[1].name = "[bold red]owned[/] \x1b[2J"
    app = Host(AwsConfig(), facts)
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one(HealthPane).load()
        await pilot.pause()
        text = screen_text(app)
        assert "[bold red]owned[/] \\x1b[2J" in text


async def test_live_collection_runs_in_a_worker_against_moto(aws_env):
    build_neglected(aws_env)
    app = Host(AwsConfig(region=REGION, endpoint_url=aws_env), None)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(HealthPane)
        pane.load()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.report is not None
        assert [t.name for t in pane.report.trails] == ["neglected-trail"]
        assert "1 trail" in str(app.query_one("#health-summary", Static).render())
        await open_trail(pilot, "neglected-trail")
        await highlight_check(pilot, "bucket-versioning")
        await pilot.press("y")
        assert app.copied == ["aws s3api put-bucket-versioning --bucket neglected-trail-logs "
                              "--versioning-configuration Status=Enabled"]


async def test_collection_error_is_one_line_in_the_summary(monkeypatch):
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    app = Host(AwsConfig(), None)
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one(HealthPane).load()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "no AWS region" in str(app.query_one("#health-summary", Static).render())
