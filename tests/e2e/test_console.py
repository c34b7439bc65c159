"""`xiaoer chat` in a real terminal (a pseudo-terminal): how it ends, and what a console user can send."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_cli import run

FIXTURES = Path(__file__).parents[1] / "fixtures"


class Terminal:
    """`xiaoer chat --demo` with a pseudo-terminal for its stdin and stdout, as when a person runs it."""

    def __init__(self, env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat", "--demo"], stdin=slave, stdout=slave, stderr=slave, env=env
        )
        os.close(slave)
        self.seen = ""

    def read_until(self, wanted: str, seconds: float = 60) -> str:
        deadline = time.monotonic() + seconds
        while wanted not in self.seen and time.monotonic() < deadline:
            if select.select([self.master], [], [], 0.1)[0]:
                try:
                    self.seen += os.read(self.master, 4096).decode("utf-8", "replace")
                except OSError:  # the process has gone and closed its end
                    break
        return self.seen

    def ended_within(self, seconds: float) -> int | None:
        try:
            return self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return None
        finally:
            self.read_until("\x00", 0.2)  # whatever it printed on its way out

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self.master)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    env = os.environ | {"XIAOER_DATABASE_URL": f"sqlite:///{tmp_path / 'xiaoer.db'}"}
    opened = Terminal(env)
    yield opened
    opened.close()


def test_ctrl_c_ends_the_chat_within_a_second_without_a_traceback(terminal: Terminal) -> None:
    assert "\n> " in terminal.read_until("\n> ")
    terminal.process.send_signal(signal.SIGINT)
    assert terminal.ended_within(1.0) is not None
    assert "Traceback" not in terminal.seen and "CancelledError" not in terminal.seen


def test_ctrl_c_while_a_line_is_half_typed_ends_it_too(terminal: Terminal) -> None:
    terminal.read_until("\n> ")
    os.write(terminal.master, "订单 27".encode())
    terminal.read_until("订单 27")
    terminal.process.send_signal(signal.SIGINT)
    assert terminal.ended_within(1.0) is not None
    assert "Traceback" not in terminal.seen


def test_ctrl_d_ends_the_chat_at_once(terminal: Terminal) -> None:
    terminal.read_until("\n> ")
    os.write(terminal.master, b"\x04")
    assert terminal.ended_within(1.0) == 0
    assert "Traceback" not in terminal.seen


def test_a_console_customer_sends_photos_by_path_for_a_quality_return(tmp_path: Path) -> None:
    env = os.environ | {"XIAOER_DATABASE_URL": f"sqlite:///{tmp_path / 'xiaoer.db'}"}
    hint = run(["chat", "--demo"], env).stdout
    delivered = next(line.split() for line in hint.splitlines() if "已签收" in line)
    order, tail = delivered[1], delivered[3].removeprefix("尾号")
    lines = [
        f"订单 {order} 我要退货",
        tail,
        "1",
        "质量问题 坏了",
        f"/photo {FIXTURES / 'web' / 'damaged_parcel.png'}",
        str(FIXTURES / "web" / "return_label.png"),  # a file dropped on the terminal: its path alone
        "/photo /no/such/picture.png",
        f"/photo {FIXTURES / 'imports' / 'README.md'}",
    ]
    out = run(["chat"], env, stdin="\n".join(lines) + "\n").stdout
    assert "已收到 1 张照片" in out and "已收到 2 张照片" in out and "照片：2 张" in out
    assert "找不到图片文件：/no/such/picture.png" in out
    assert "README.md 不是图片：只能发送 JPG、PNG 或 GIF。" in out
    assert "请至少发" not in out.split("已收到 2 张照片")[1]


def test_buttons_that_follow_a_numbered_list_are_numbered_once(tmp_path: Path) -> None:
    env = os.environ | {"XIAOER_DATABASE_URL": f"sqlite:///{tmp_path / 'xiaoer.db'}"}
    hint = run(["chat", "--demo"], env).stdout
    shipped = next(line.split() for line in hint.splitlines() if "已发货  " in line)
    out = run(["chat"], env, stdin=f"订单 {shipped[1]} 到哪了\n{shipped[3][2:]}\n还有别的订单吗\n").stdout
    assert "您最近的订单" in out and "[1] " in out
    assert "[1] 1. " not in out and "[2] 2. " not in out
