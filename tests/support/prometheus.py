"""Reading Prometheus' text format back, as a scraper would."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def samples(exposition: bytes | str) -> dict[str, float]:
    """Every sample by `name{label="value",...}` (labels sorted; no braces without labels)."""
    text = exposition.decode() if isinstance(exposition, bytes) else exposition
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            found[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return found
