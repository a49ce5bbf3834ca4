from pathlib import Path

import pytest

from yuqing.errors import ConfigError
from yuqing.settings import load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YUQING_DATA_DIR", raising=False)
    settings = load_settings()
    assert settings.data_dir == Path("data")
    assert settings.server.port == 8000
    assert settings.workflow_url == "sqlite:///data/workflow.db"


def test_toml_file_is_read(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        """
data_dir = "/srv/yq"
[server]
port = 9001
[[brands]]
name = "星河电器"
keywords = ["星河空调"]
[sources.weibo]
queries = ["星河"]
interval_seconds = 60
""",
    )
    settings = load_settings(config)
    assert settings.data_dir == Path("/srv/yq")
    assert settings.server.port == 9001
    assert settings.brand_terms() == ["星河电器", "星河空调"]
    assert settings.sources["weibo"].queries == ["星河"]


def test_environment_beats_file_and_flags_beat_both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write(tmp_path, "data_dir = 'from-file'\n[server]\nport = 9001\n")
    monkeypatch.setenv("YUQING_SERVER__PORT", "9002")
    monkeypatch.setenv("YUQING_DATA_DIR", "from-env")
    settings = load_settings(config)
    assert settings.server.port == 9002
    assert settings.data_dir == Path("from-env")
    assert load_settings(config, data_dir=Path("from-flag")).data_dir == Path("from-flag")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")


def test_unknown_key_is_named(tmp_path: Path) -> None:
    config = write(tmp_path, "[sources.weibo]\nbase_ulr = 'x'\n")
    with pytest.raises(ConfigError, match=r"sources\.weibo\.base_ulr: unknown key"):
        load_settings(config)


def test_invalid_toml(tmp_path: Path) -> None:
    config = write(tmp_path, "data_dir = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(config)


def test_wrong_type(tmp_path: Path) -> None:
    config = write(tmp_path, "[server]\nport = 'eighty'\n")
    with pytest.raises(ConfigError, match=r"server\.port"):
        load_settings(config)


def test_the_committed_example_config_loads() -> None:
    from support import REPO

    settings = load_settings(REPO / "config.example.toml")
    assert settings.brands and settings.sources


def test_the_demo_config_loads() -> None:
    from yuqing.demo import CONFIG

    settings = load_settings(CONFIG)
    assert settings.demo and set(settings.sources) == {"weibo", "baidu", "baidu-news", "tieba", "discuz", "repair-bbs"}
    assert settings.sources["repair-bbs"].kind == "forum"
