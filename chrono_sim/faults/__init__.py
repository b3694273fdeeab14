"""Deliberate faults for testing clients (`chrono serve --fault SPEC`); off by default.

`plan` parses the spec; `policy` injects it into each connection, as the
`DeliveryPolicy` of its `Session`. This package's root imports only the plan,
since the server's config needs it and the server needs the policy.
"""

from chrono_sim.faults.plan import FaultPlan, parse_faults

__all__ = ["FaultPlan", "parse_faults"]
