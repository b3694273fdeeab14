"""The settings files a user hands the server: API keys (TOML) and TLS certificates (PEM)."""
