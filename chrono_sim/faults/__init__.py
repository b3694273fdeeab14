"""Deliberate faults for testing clients (`chrono serve --fault SPEC`); off by default.

`plan` parses the spec; `session` injects it into each connection. This
package's root imports only the plan, since `chrono_sim.config` needs it and
the session module needs the config.
"""

from chrono_sim.faults.plan import FaultPlan, parse_faults

__all__ = ["FaultPlan", "parse_faults"]
