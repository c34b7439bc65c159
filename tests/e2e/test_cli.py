"""The command line as a user runs it: separate processes, piped stdin, a real HTTP server."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from oms_client.domain import OrderState


def run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    return os.environ | {"XIAOER_DATABASE_URL": f"sqlite:///{tmp_path / 'xiaoer.db'}"}


def _seed(env: dict[str, str]) -> list[dict[str, str]]:
    result = run(["seed", "--orders", "400", "--json"], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_seed_json_offers_a_sample_in_every_order_state(sqlite_env: dict[str, str]) -> None:
    samples = _seed(sqlite_env)
    assert {s["state"] for s in samples} == {state.value for state in OrderState}
    for sample in samples:
        assert set(sample) == {"platform", "order_id", "state", "phone_tail", "courier", "tracking_no"}
        assert len(sample["phone_tail"]) == 4 and sample["phone_tail"].isdigit()
        shipped = (
            sample["state"] in ("part_shipped", "shipped", "delivered", "completed") and sample["platform"] != "pos"
        )
        assert bool(sample["tracking_no"]) == shipped


def test_seeding_a_store_twice_is_refused_politely(sqlite_env: dict[str, str]) -> None:
    _seed(sqlite_env)
    again = run(["seed", "--orders", "10"], sqlite_env)
    assert again.returncode == 1 and "已有 400 个订单" in again.stderr


def _transcript(env: dict[str, str]) -> tuple[dict[str, str], str]:
    sample = next(s for s in _seed(env) if s["state"] == "shipped")
    lines = ["你好", f"订单 {sample['order_id']} 到哪了", sample["phone_tail"], "还有别的订单吗", "", "\x00"]
    result = run(["chat", "--user", "u1"], env, stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    return sample, result.stdout


def test_a_chat_session_from_piped_stdin(sqlite_env: dict[str, str]) -> None:
    sample, out = _transcript(sqlite_env)
    assert out.startswith("可以试试这些订单")
    assert out.count("\n> ") == 6  # one block per line in
    assert "您好，我是店小二" in out
    assert "为了保护您的隐私，请提供订单" in out
    assert "验证成功" in out and sample["tracking_no"] in out
    assert "您最近的订单" in out


def test_a_chat_session_on_postgresql(postgres_url: str) -> None:
    env = os.environ | {"XIAOER_DATABASE_URL": postgres_url}
    sample, out = _transcript(env)
    assert sample["tracking_no"] in out and "您最近的订单" in out


def test_chat_demo_seeds_an_empty_store_once(sqlite_env: dict[str, str]) -> None:
    first = run(["chat", "--demo"], sqlite_env, stdin="你好\n")
    second = run(["chat", "--demo"], sqlite_env, stdin="")
    assert first.returncode == second.returncode == 0
    assert first.stdout.startswith("可以试试这些订单")
    hint = first.stdout.split("\n> ")[0]
    assert second.stdout.strip() == hint.strip()


def test_db_upgrade_says_what_it_applied_and_can_run_again(sqlite_env: dict[str, str]) -> None:
    first, again = run(["db", "upgrade"], sqlite_env), run(["db", "upgrade"], sqlite_env)
    assert first.returncode == again.returncode == 0
    newest = first.stdout.strip().removeprefix("数据库已升级：空库 → ").removesuffix("。")
    assert newest.isdigit(), first.stdout
    assert again.stdout.strip() == f"数据库已是最新版本（{newest}），无需升级。"


def test_nlu_parse_prints_one_json_object(sqlite_env: dict[str, str]) -> None:
    result = run(["nlu", "parse", "订单 4102938475610293847 到哪了"], sqlite_env)
    parsed = json.loads(result.stdout)
    assert set(parsed) == {"intent", "confidence", "slots", "lang"}
    assert parsed["slots"]["order_id"] == "4102938475610293847"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_serve_answers_healthz_with_store_health(sqlite_env: dict[str, str]) -> None:
    port = _free_port()
    env = sqlite_env | {"XIAOER_PORT": str(port)}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        "--demo",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        body = await _poll_health(port)
        assert body["status"] == "ok" and body["store"]["ok"] is True and body["store"]["backend"] == "sqlite"
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/") as home:
            assert home.status == 200 and str(home.url).endswith("/chat")  # / leads to the chat page
        await asyncio.sleep(5)  # a few rounds of the every-2-seconds jobs
    finally:
        process.terminate()
        out, err = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0
    printed, logged = out.decode(), err.decode()
    assert printed.startswith("可以试试这些订单") and f"网页聊天：http://127.0.0.1:{port}/chat" in printed
    assert "INFO apscheduler" not in logged and "INFO alembic" not in logged, logged
    ours = [line for line in logged.splitlines() if "aiohttp.access" not in line]
    assert len(ours) <= 5, logged  # listening, scheduler, channels, a scan: no routine runs


async def _poll_health(port: int) -> dict[str, object]:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    assert response.status == 200
                    return await response.json()
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
    raise AssertionError("the server never answered /healthz")


def test_nlu_eval_ends_with_the_summary_line(sqlite_env: dict[str, str], tmp_path: Path) -> None:
    labelled = tmp_path / "set.jsonl"
    rows = [
        {"text": "订单4102938475610293847到哪了", "intent": "logistics", "slots": {"order_id": "4102938475610293847"}},
        {"text": "我要投诉", "intent": "complaint", "slots": {}},
    ]
    labelled.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = run(["nlu", "eval", str(labelled)], sqlite_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "accuracy=1.0000 macro_f1=1.0000 n=2"


def test_scan_json_lists_the_open_alerts(sqlite_env: dict[str, str]) -> None:
    _seed(sqlite_env)
    first = run(["scan", "--json"], sqlite_env)
    assert first.returncode == 0, first.stderr
    alerts = json.loads(first.stdout)
    assert alerts and {a["kind"] for a in alerts} >= {"oversell", "ship_overdue"}
    for alert in alerts:
        assert set(alert) == {"kind", "subject", "severity", "status", "first_seen", "detail"}
    again = run(["scan"], sqlite_env)
    assert again.stdout.startswith("新告警 0 条")
    assert "[严重]" in again.stdout and "[critical]" not in again.stdout and "[warning]" not in again.stdout
    overdue = next(a for a in alerts if a["kind"] == "ship_overdue")
    number = overdue["subject"].split(":", 1)[1]
    assert overdue["subject"] not in again.stdout and number in again.stdout  # "京东 266…", not "jd:266…"


IMPORTS = Path(__file__).parent.parent / "fixtures" / "imports"


def test_import_reports_each_rejected_row_and_ends_with_the_summary_line(sqlite_env: dict[str, str]) -> None:
    files = [str(IMPORTS / "ExportOrderList202611201200.csv"), str(IMPORTS / "ExportOrderDetailList202611201200.csv")]
    first = run(["import", *files, "--platform", "taobao"], sqlite_env)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert "ExportOrderList202611201200.csv 第 7 行：「订单创建时间」不是时间：昨天下午" in lines
    assert lines[-1] == "created=5 updated=2 unchanged=0 rejected=2"
    again = run(["import", *files, "--platform", "taobao"], sqlite_env)
    assert again.stdout.splitlines()[-1] == "created=0 updated=0 unchanged=7 rejected=2"


def test_import_refuses_what_it_cannot_read_and_changes_nothing(sqlite_env: dict[str, str], tmp_path: Path) -> None:
    picture = tmp_path / "orders.csv"
    picture.write_bytes(b"PK\x03\x04 not really a workbook")
    broken = run(["import", str(picture), "--platform", "generic"], sqlite_env)
    assert broken.returncode == 2 and "读不了这个文件" in broken.stderr
    missing = run(["import", str(tmp_path / "none.csv"), "--platform", "taobao"], sqlite_env)
    assert missing.returncode == 2 and "找不到文件" in missing.stderr


def test_report_prints_its_summary_its_figures_as_json_and_writes_the_page(
    sqlite_env: dict[str, str], tmp_path: Path
) -> None:
    _seed(sqlite_env)
    text = run(["report"], sqlite_env)
    assert text.returncode == 0 and text.stdout.startswith("店铺报表 ") and "销售：付款订单" in text.stdout
    figures = json.loads(run(["report", "--json", "--out", str(tmp_path / "out")], sqlite_env).stdout)
    assert set(figures) == {"window", "sales", "aftersales", "oversell", "bot", "custom"}
    assert (tmp_path / "out" / "report.html").is_file() and (tmp_path / "out" / "sales_by_channel.png").is_file()
    backwards = run(["report", "--from", "2026-11-22", "--to", "2026-11-20"], sqlite_env)
    assert backwards.returncode == 2 and "晚于" in backwards.stderr
