"""Files trailtui writes: `--force` replaces regular files only (never a
device, a FIFO or through a symbolic link); `health --save-facts` is atomic,
0600, refuses a planted link and never overwrites without --force; saving a
filter edits config.toml minimally and never loses what the user wrote."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from hostile_outputs import hostile_trail

from trailtui.cli import main
from trailtui.config import ConfigSaveError, load_config, save_filter
from trailtui.export.output import OutputRefused, atomic_text_file, check_target
from trailtui.health.demo import demo_facts
from trailtui.health.facts import to_json


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _device(tmp_path: Path) -> Path:
    """A character device like /dev/full, made in tmp (as root); elsewhere a FIFO,
    which the same rule protects."""
    path = tmp_path / "full"
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except PermissionError:
        os.mkfifo(path)
    return path


@pytest.mark.parametrize("kind", ["device", "symlink", "dangling-symlink", "fifo"])
def test_force_never_replaces_anything_but_a_regular_file(tmp_path, capsys, kind):
    hostile_trail(tmp_path / "trail")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    target = tmp_path / "out"
    if kind == "device":
        target = _device(tmp_path)
    elif kind == "symlink":
        target.symlink_to(victim)
    elif kind == "dangling-symlink":
        target.symlink_to(tmp_path / "nowhere")
    else:
        os.mkfifo(target)
    before = os.lstat(target)
    code, _, err = _run(capsys, "export", str(tmp_path / "trail"), "--format", "jsonl", "-o", str(target), "--force")
    assert code == 2 and "not replaced (--force replaces regular files only)" in err and err.count("\n") == 1
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert victim.read_text() == "keep me" and not (tmp_path / "nowhere").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_force_replaces_a_regular_file_0600(tmp_path, capsys):
    hostile_trail(tmp_path / "trail")
    target = tmp_path / "out.jsonl"
    target.write_text("old")
    target.chmod(0o644)
    code, _, err = _run(capsys, "export", str(tmp_path / "trail"), "--format", "jsonl", "-o", str(target), "--force")
    assert code == 0, err
    assert target.read_text().count("\n") == 11 and stat.S_IMODE(target.stat().st_mode) == 0o600


def test_the_writer_rechecks_the_target_just_before_replacing(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(OutputRefused), atomic_text_file(target, force=True) as handle:
        handle.write("x")
        target.symlink_to(tmp_path / "elsewhere")  # swapped in while the export ran
    assert target.is_symlink() and not (tmp_path / "elsewhere").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    with pytest.raises(IsADirectoryError):
        check_target(tmp_path, force=True)


@pytest.fixture()
def facts_file(tmp_path: Path) -> Path:
    path = tmp_path / "facts-in.json"
    path.write_text(json.dumps(to_json(demo_facts())))
    return path


def test_save_facts_is_atomic_0600_and_never_overwrites_without_force(tmp_path, capsys, facts_file):
    out = tmp_path / "facts.json"
    code, _, err = _run(capsys, "health", "--facts", str(facts_file), "--save-facts", str(out))
    assert code in (0, 1), err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and json.loads(out.read_text())["format"]
    out.write_text("mine")
    code, _, err = _run(capsys, "health", "--facts", str(facts_file), "--save-facts", str(out))
    assert code == 2 and "exists: use --force" in err and out.read_text() == "mine"
    out.chmod(0o644)
    code, _, err = _run(capsys, "health", "--facts", str(facts_file), "--save-facts", str(out), "--force")
    assert code in (0, 1), err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and json.loads(out.read_text())["format"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["facts-in.json", "facts.json"]


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_save_facts_never_follows_a_planted_link(tmp_path, capsys, facts_file, force):
    victim = tmp_path / "authorized_keys"
    victim.write_text("ssh-ed25519 AAAA user")
    victim.chmod(0o644)
    link = tmp_path / "facts.json"
    link.symlink_to(victim)
    code, _, err = _run(capsys, "health", "--facts", str(facts_file), "--save-facts", str(link), *force)
    assert code == 2 and err.count("\n") == 1
    assert victim.read_text() == "ssh-ed25519 AAAA user" and stat.S_IMODE(victim.stat().st_mode) == 0o644
    assert link.is_symlink()


USER_CONFIG = """\
# my trailtui settings -- keep this comment
default_source = "prod"   # the org trail
future_option = { colour = "teal" }   # a key this version does not know

[sources]
prod = "s3://org-trail/AWSLogs"

[filters]
# logins first
logins = "eventName == 'ConsoleLogin'"

[plugins.extra]
enabled = true
"""


def test_saving_a_filter_keeps_comments_and_unknown_keys(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(USER_CONFIG)
    path.chmod(0o600)
    save_filter("root keys", "userIdentity.type == 'Root' && contains(eventName, '\"')", path)
    text = path.read_text()
    for kept in ("# my trailtui settings -- keep this comment", "# the org trail", "future_option",
                 "# logins first", "[plugins.extra]", "enabled = true", "logins = \"eventName == 'ConsoleLogin'\""):
        assert kept in text
    loaded = load_config(path)
    assert loaded.problem is None
    assert loaded.config.filters == {"logins": "eventName == 'ConsoleLogin'",
                                     "root keys": "userIdentity.type == 'Root' && contains(eventName, '\"')"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    save_filter("logins", "eventName == 'ConsoleLogin' && errorCode", path)
    assert load_config(path).config.filters["logins"] == "eventName == 'ConsoleLogin' && errorCode"
    assert "# logins first" in path.read_text()


def test_saving_into_a_new_config_creates_it(tmp_path):
    path = tmp_path / "sub" / "config.toml"
    save_filter("x", "eventName == 'x'", path)
    assert load_config(path).config.filters == {"x": "eventName == 'x'"}


@pytest.mark.parametrize("broken", [
    USER_CONFIG.replace('prod = "s3', 'prod = s3'),  # a typo: unquoted value
    USER_CONFIG + "\n[filters]\n",  # the table twice
    "filters = 'not a table'\n" + USER_CONFIG.replace("[filters]\n", "[other]\n"),
    "a = " + "[" * 5000 + "]" * 5000 + "\n",  # nested deeper than a parser recurses
])
def test_a_config_with_a_mistake_is_never_wiped(tmp_path, broken):
    path = tmp_path / "config.toml"
    path.write_text(broken)
    with pytest.raises(ConfigSaveError, match="nothing was written"):
        save_filter("x", "eventName == 'x'", path)
    assert path.read_text() == broken
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]


def test_a_symlinked_config_is_not_replaced(tmp_path):
    real = tmp_path / "dotfiles" / "trailtui.toml"
    real.parent.mkdir()
    real.write_text(USER_CONFIG)
    path = tmp_path / "config.toml"
    path.symlink_to(real)
    with pytest.raises(ConfigSaveError, match="symbolic link") as caught:
        save_filter("x", "eventName == 'x'", path)
    assert "x = \"eventName == 'x'\"" in str(caught.value)  # the line to add by hand
    assert path.is_symlink() and real.read_text() == USER_CONFIG


def test_a_deeply_nested_config_loads_as_defaults_with_one_problem(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    loaded = load_config(path)
    assert loaded.config.filters == {} and loaded.problem and "nested too deeply" in loaded.problem
