"""`chrono check`: judge any `/stream` server against every rule visible from outside.

    results = await run_checks(CheckSettings(url=url, api_key=key))

Layout: `settings` (what the server promises), `probe` (one connection,
replies matched by order), `budget` (pacing within the key's rate and
connections), `checks/` (the rules, by theme), `runner` (phases, verdicts).
"""

from chrono_sim.conformance.check import Check, Phase
from chrono_sim.conformance.checks import ALL_CHECKS
from chrono_sim.conformance.results import CheckResult, Status
from chrono_sim.conformance.runner import run_checks
from chrono_sim.conformance.settings import CheckSettings

__all__ = ["ALL_CHECKS", "Check", "CheckResult", "CheckSettings", "Phase", "Status", "run_checks"]
