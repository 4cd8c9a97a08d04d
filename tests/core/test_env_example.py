"""`.env.example` documents every variable the code reads, so operators never have to read the code to configure it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VARIABLE = re.compile(r"""["']((?:CRISISBOT|SLACK|MICROSOFT|TEAMS)_[A-Z_]+|DATABASE_URL|PORT|LOG_LEVEL)["']""")


def test_every_variable_read_by_the_code_is_in_env_example() -> None:
    documented = (ROOT / ".env.example").read_text(encoding="utf-8")
    read = {
        name
        for folder in ("bot", "adapters", "storage")
        for path in (ROOT / folder).rglob("*.py")
        for name in VARIABLE.findall(path.read_text(encoding="utf-8"))
    }
    # CRISISBOT_ROSTER_<ROLE> is built per role; the example shows it for several roles.
    missing = sorted(name for name in read if not name.endswith("_") and name not in documented)
    assert read and missing == []
