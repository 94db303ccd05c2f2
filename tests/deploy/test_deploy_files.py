"""The files in deploy/ agree with the program they deploy: the systemd units start real
`bidgram` commands and give a stopping process the time it takes, the environment file
names only real settings, and the Grafana dashboard asks for metrics that exist."""

from __future__ import annotations

import configparser
import json
import re
from pathlib import Path

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import DELIVERY_STOP_TIMEOUT
from bot.cli import main
from bot.metrics import Metrics
from bot.settings import BotSettings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = DEPLOY / "systemd"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read_string((UNITS / name).read_text())
    return parser


def test_every_unit_restarts_on_failure_and_outwaits_a_graceful_stop() -> None:
    shutdown = BotSettings.model_fields["webhook_shutdown_timeout"].default.total_seconds()
    commands = {}
    for path in sorted(UNITS.glob("*.service")):
        service = unit(path.name)["Service"]
        assert service["Restart"] == "on-failure", path.name
        assert service["KillSignal"] == "SIGTERM", path.name
        assert service["EnvironmentFile"] == "/etc/bidgram/bidgram.env", path.name
        waits = DELIVERY_STOP_TIMEOUT + (shutdown if "webhook" in path.name else 0)
        assert int(service["TimeoutStopSec"]) > waits, path.name
        commands[path.name] = service["ExecStart"].split("/bidgram ")[-1]
    assert commands == {
        "bidgram-webhook@.service": "webhook",
        "bidgram-worker.service": "worker",
        "bidgram.service": "run",
    }
    # The template's instance is the port, and nothing in the environment file outranks it.
    webhook = unit("bidgram-webhook@.service")["Service"]["ExecStart"]
    assert webhook.startswith("/usr/bin/env WEBHOOK_PORT=%i ")


def test_the_commands_the_units_start_exist() -> None:
    for command in ("webhook", "worker", "run"):
        with pytest.raises(SystemExit) as done:
            main([command, "--help"])
        assert done.value.code == 0, command
    with pytest.raises(SystemExit) as refused:
        main(["serve", "--help"])
    assert refused.value.code == 2


def test_the_environment_file_names_only_real_settings() -> None:
    known = {name.upper() for name in BotSettings.model_fields}
    lines = (DEPLOY / "bidgram.env.example").read_text().splitlines()
    named = [line.lstrip("#").split("=", 1)[0] for line in lines if re.match(r"^#?[A-Z_]+=", line)]
    assert len(named) > 8
    assert sorted(set(named) - known) == []


def test_the_dashboard_asks_only_for_metrics_a_process_exports() -> None:
    exported: set[str] = set()
    families = text_string_to_metric_families(generate_latest(Metrics().registry).decode())
    for family in families:
        suffixes = {
            "counter": ("_total",),
            "histogram": ("_bucket", "_count", "_sum"),
        }.get(family.type, ("",))
        exported |= {family.name + suffix for suffix in suffixes}
    dashboard = json.loads((DEPLOY / "grafana" / "bidgram.json").read_text())
    asked = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\bbidgram_[a-z_]+", target["expr"])
    }
    assert len(asked) >= 12
    assert sorted(asked - exported) == []
