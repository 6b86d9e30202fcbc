"""The example deployment (deploy/, docs/deployment.md): units systemd accepts, commands and options
seffaf has, settings it knows, and a proxy pointing where the app listens."""

from __future__ import annotations

import configparser
import functools
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from pydantic import BaseModel
from sqlalchemy.engine import make_url
from typer.core import TyperCommand, TyperGroup, TyperOption

from seffaf.cli.main import app
from seffaf.config import RecorderConfig, Settings, load_settings
from seffaf.storage.url import S3Location, parse_storage_url

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
SYSTEMD = DEPLOY / "systemd"
ENV_EXAMPLE = DEPLOY / "seffaf.env.example"
CAMERA_ENV_EXAMPLE = DEPLOY / "camera.env.example"
NGINX = DEPLOY / "nginx" / "seffaf.conf"
DOC = REPO / "docs" / "deployment.md"
INSTALLED_BINARY = "/opt/seffaf/venv/bin/seffaf"
UNITS = sorted(SYSTEMD.glob("seffaf-*"))
SERVICES = [unit for unit in UNITS if unit.suffix == ".service"]
SHELL_BREAKS = frozenset({"|", "||", "&&", ";", ">", ">>", "<", "2>&1", "&", "\\"})
VARIABLE = re.compile(r"\$\{?([A-Z_][A-Z0-9_]*)\}?")


def read_unit(path: Path) -> configparser.ConfigParser:
    # strict=False: systemd allows a key twice (EnvironmentFile=); the last one is enough here.
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string(path.read_text(), source=str(path))
    return parser


def unit_values(path: Path, key: str) -> list[str]:
    """Every value of `key`, in order (configparser keeps only the last)."""
    return [line.split("=", 1)[1] for line in path.read_text().splitlines() if line.startswith(f"{key}=")]


def env_file(path: Path) -> dict[str, str]:
    pairs = [line.split("=", 1) for line in path.read_text().splitlines() if line and not line.startswith("#")]
    return {name: value for name, value in pairs}


@functools.cache
def root_command() -> TyperGroup:
    command = typer.main.get_command(app)
    assert isinstance(command, TyperGroup)
    return command


def check_invocation(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Walk `seffaf ARGS` through the real Typer app: (the command path, what does not exist)."""
    command: TyperGroup | TyperCommand = root_command()
    path: list[str] = []
    problems: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token in SHELL_BREAKS or token.startswith("$"):
            break
        if token.startswith("--"):
            name = token.split("=", 1)[0]
            options = [p for p in command.params if isinstance(p, TyperOption) and name in p.opts + p.secondary_opts]
            if name == "--help":
                pass
            elif not options:
                problems.append(f"seffaf {' '.join(path)}: no option {name}")
            elif not options[0].is_flag and "=" not in token:
                index += 1  # its value
        elif isinstance(command, TyperGroup):
            if token not in command.commands:
                problems.append(f"seffaf {' '.join(path)}: no command {token!r}")
                break
            sub = command.commands[token]
            assert isinstance(sub, TyperGroup | TyperCommand)
            command = sub
            path.append(token)
        index += 1
    if isinstance(command, TyperGroup) and "--help" not in tokens:
        problems.append(f"seffaf {' '.join(path)}: names a group, not a command")
    return path, problems


def exec_start(unit: Path) -> list[str]:
    (line,) = unit_values(unit, "ExecStart")
    tokens = shlex.split(line)
    assert tokens[0] == INSTALLED_BINARY, f"{unit.name}: ExecStart runs {tokens[0]}"
    return tokens[1:]


def test_there_is_a_unit_for_every_daemon() -> None:
    commands = {unit.name: check_invocation(exec_start(unit))[0] for unit in SERVICES}
    assert commands == {
        "seffaf-app.service": ["serve"],
        "seffaf-index.service": ["index"],
        "seffaf-recorder@.service": ["record"],
        "seffaf-retention.service": ["retention", "run"],
        "seffaf-worker@.service": ["worker"],
    }


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_unit_has_its_sections(unit: Path) -> None:
    parsed = read_unit(unit)
    assert parsed.has_option("Unit", "Description")
    if unit.suffix == ".timer":
        assert parsed.has_option("Timer", "OnCalendar")
        assert (SYSTEMD / unit.with_suffix(".service").name).exists(), "a timer starts the service of its name"
        assert parsed.get("Install", "WantedBy") == "timers.target"
        return
    service = parsed["Service"]
    assert service["User"] == "seffaf"
    assert unit_values(unit, "EnvironmentFile")[0] == "/etc/seffaf/seffaf.env"
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["PrivateTmp"] == "yes"
    if service.get("Type") == "oneshot":  # systemd refuses Restart=always on a oneshot
        assert "Restart" not in service
        assert not parsed.has_section("Install"), "a oneshot run by its timer is not enabled itself"
    else:
        assert service["Restart"] == "always"
        assert parsed.get("Install", "WantedBy") == "multi-user.target"


@pytest.mark.parametrize("unit", SERVICES, ids=lambda unit: unit.name)
def test_exec_start_names_real_commands_and_options(unit: Path) -> None:
    _, problems = check_invocation(exec_start(unit))
    assert problems == []


@pytest.mark.parametrize("unit", SERVICES, ids=lambda unit: unit.name)
def test_exec_start_variables_come_from_the_env_files(unit: Path) -> None:
    defined: set[str] = set()
    for path in unit_values(unit, "EnvironmentFile"):
        example = {"/etc/seffaf/seffaf.env": ENV_EXAMPLE, "/etc/seffaf/cameras/%i.env": CAMERA_ENV_EXAMPLE}[path]
        defined |= env_file(example).keys()
    used = set(VARIABLE.findall(unit_values(unit, "ExecStart")[0]))
    assert used <= defined


def test_camera_env_extra_args_are_record_options() -> None:
    extra = shlex.split(env_file(CAMERA_ENV_EXAMPLE)["CAMERA_EXTRA_ARGS"])
    assert check_invocation(["record", *extra]) == (["record"], [])


def test_recorder_stop_timeout_outlasts_closing_a_segment_and_the_drain() -> None:
    defaults, env = RecorderConfig(), env_file(ENV_EXAMPLE)
    drain = float(env.get("SEFFAF_RECORDER__DRAIN_SECONDS", defaults.drain_seconds))
    segment = float(env.get("SEFFAF_RECORDER__SEGMENT_SECONDS", defaults.segment_seconds))
    service = read_unit(SYSTEMD / "seffaf-recorder@.service")["Service"]
    assert service["KillSignal"] == "SIGTERM"
    assert float(service["TimeoutStopSec"]) > drain + segment


def setting_exists(variable: str) -> bool:
    """SEFFAF_REVIEW__BEHIND_TLS names Settings.review.behind_tls."""
    model: type[BaseModel] = Settings
    parts = variable.removeprefix("SEFFAF_").lower().split("__")
    for depth, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            return False
        annotation = field.annotation
        if depth < len(parts) - 1:
            if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                return False
            model = annotation
    return True


def test_env_example_sets_only_real_settings_with_valid_values(monkeypatch: pytest.MonkeyPatch) -> None:
    env = env_file(ENV_EXAMPLE)
    assert set(env) == {name for name in env if name.startswith("SEFFAF_")}, "only seffaf settings are set"
    assert [name for name in env if not setting_exists(name)] == []
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.review.behind_tls is True
    assert settings.evidence.signing_key_path == Path("/etc/seffaf/keys/evidence-signing-key.pem")
    assert settings.resolved_spool_dir == Path("/var/spool/seffaf")
    assert make_url(settings.resolved_database_url).drivername == "postgresql+psycopg"
    assert isinstance(parse_storage_url(settings.resolved_storage_url), S3Location)


def test_proxy_forwards_to_where_the_app_listens() -> None:
    tokens = exec_start(SYSTEMD / "seffaf-app.service")
    listen = f"http://{tokens[tokens.index('--host') + 1]}:{tokens[tokens.index('--port') + 1]}"
    targets = re.findall(r"proxy_pass\s+(\S+);", NGINX.read_text())
    assert targets and set(targets) == {listen}


def documented_invocations() -> list[list[str]]:
    """Every `seffaf …` command line in the document's code blocks (continuation lines joined)."""
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    found = []
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            tokens = shlex.split(line, comments=True)
            for at, token in enumerate(tokens):
                # The command word only: not `useradd … seffaf` or `chgrp seffaf`.
                starts_command = at == 0 or tokens[at - 1] in SHELL_BREAKS or tokens[at - 1] == "sudo"
                if starts_command and Path(token).name == "seffaf":
                    found.append(tokens[at + 1 :])
    return found


def test_document_uses_only_real_commands_and_options() -> None:
    invocations = documented_invocations()
    assert len(invocations) >= 10
    problems = [problem for tokens in invocations for problem in check_invocation(tokens)[1]]
    assert problems == []


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    # verify insists the binary exists: point the units at this checkout's.
    here = str(Path(sys.executable).parent / "seffaf")
    for unit in UNITS:
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED_BINARY, here))
    names = [unit.name.replace("@.", "@baku-1-w07.") if "recorder" in unit.name else unit.name.replace("@.", "@1.")
             for unit in UNITS]  # fmt: skip
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(f"./{name}" for name in names)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    # Parse warnings ("…, ignoring") leave the exit code 0: any line naming our units fails too.
    ours = [line for line in done.stderr.splitlines() if "seffaf-" in line or str(tmp_path) in line]
    assert (done.returncode, ours) == (0, [])
