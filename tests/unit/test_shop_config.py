"""The shop configuration: the shipped example loads, and mistakes are named, not guessed around."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.shop_config import ShopConfigError, load_shop_config
from tests.conftest import NOW, SHANGHAI

EXAMPLE = Path(__file__).parents[2] / "examples" / "shop.toml"


def test_the_example_configuration_loads_with_its_targets_and_staff() -> None:
    shop = load_shop_config(EXAMPLE)
    assert [t.name for t in shop.alerts.targets] == ["ops-group", "ops-telegram", "ops-lead"]
    assert shop.alerts.target("ops-group").rate_per_minute() == 20  # type: ignore[union-attr]
    assert shop.alerts.target("ops-telegram").rate_per_minute() == 20  # type: ignore[union-attr]
    routing = shop.alerts.routing(NOW, SHANGHAI)
    assert [r.target for r in routing.routes] == ["ops-group", "ops-telegram"]  # the lead hears escalations
    assert routing.quiet_until is None and shop.staff[0].name == "王芳"
    assert shop.service.describe("zh") == "每天 09:00–22:00"
    assert [member.id for member in shop.staff if member.can("agent")] == ["lisi"]


def test_quiet_hours_across_midnight_end_the_next_morning() -> None:
    shop = load_shop_config(EXAMPLE)
    late = NOW.replace(hour=23, minute=15)
    assert shop.alerts.routing(late, SHANGHAI).quiet_until == NOW.replace(day=23, hour=8, minute=0)


@pytest.mark.parametrize(
    "text, says",
    [
        ('[[alerts.targets]]\nname = "x"\nkind = "wecom_robot"\n', "needs `key`"),
        ('[alerts]\nescalation = ["nobody"]\n', "unknown targets: nobody"),
        ("[alerts]\nscan_every_minutes = -1\n", "alerts.scan_every_minutes"),
        ("[alerts\n", "not valid TOML"),
        ("[shop]\nname = 1\n", "shop"),
        ('[tracking]\nprovider = "sf-express"\n', "unknown tracking provider 'sf-express'; known: kuaidi100, kdniao"),
    ],
)
def test_a_mistake_in_the_file_is_reported_with_where_it_is(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "shop.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ShopConfigError, match=says):
        load_shop_config(path)


def test_a_missing_file_is_reported_by_name(tmp_path: Path) -> None:
    with pytest.raises(ShopConfigError, match="cannot read shop configuration"):
        load_shop_config(tmp_path / "absent.toml")
