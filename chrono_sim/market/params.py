"""The knobs of the synthetic market, with defaults that make it look like crypto in 2025."""

from __future__ import annotations

from dataclasses import dataclass

MINUTES_PER_YEAR = 365.25 * 24 * 60
SECONDS_PER_DAY = 86_400.0
MIN_BASIS_HALF_LIFE = 30.0

# Share of a symbol's quotes (and volume) each venue contributes; a symbol's venues
# are renormalised among themselves. Unknown venues weigh like the smallest.
EXCHANGE_WEIGHTS: dict[str, float] = {
    "binance": 0.30,
    "coinbase": 0.20,
    "okx": 0.14,
    "bybit": 0.12,
    "kraken": 0.10,
    "bitstamp": 0.07,
    "gemini": 0.07,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class MarketParams:
    """How the synthetic market behaves; every symbol shares these, scaled by its own volatility.

    Volatility follows a GARCH(1,1) on 1-minute returns with Student-t shocks;
    jumps arrive as Poisson events, some market-wide, some per symbol; each
    venue's price sits a small Ornstein-Uhlenbeck basis away from the
    symbol's efficient price.
    """

    garch_alpha: float = 0.06  # weight of the last minute's squared shock
    garch_beta: float = 0.93  # persistence: 0.99 together, a volatility half-life near 70 min
    shock_dof: float = 5.0  # Student-t degrees of freedom: fat-tailed minute shocks
    max_variance_ratio: float = 16.0  # cap after a jump: volatility at most 4x its mean
    market_jumps_per_day: float = 1.0  # moves of the whole market (news, liquidations)
    own_jumps_per_day: float = 1.0  # moves of one symbol alone
    jump_size_daily_vols: float = 0.2  # typical jump, as a fraction of one day's volatility
    basis_per_vol: float = 2e-4  # basis std: 2 bp at 100 % annual volatility
    basis_half_life: float = 60.0  # seconds for a venue's basis to halve
    volume_noise: float = 0.6  # log-normal sigma of traded volume around its expectation

    def __post_init__(self) -> None:
        if not (self.garch_alpha >= 0 and self.garch_beta >= 0):
            raise ValueError("GARCH weights must be non-negative")
        if not self.garch_alpha + self.garch_beta < 1:
            raise ValueError("GARCH alpha + beta must be below 1 for a stationary volatility")
        if not self.shock_dof > 2:
            raise ValueError("Student-t shocks need more than 2 degrees of freedom")
        # The basis moves on a 10 s grid in closed form; far shorter half-lives underflow it.
        if not self.basis_half_life >= MIN_BASIS_HALF_LIFE:
            raise ValueError(f"basis half-life must be at least {MIN_BASIS_HALF_LIFE:g} s")


DEFAULT_PARAMS = MarketParams()
