"""Configuration: setting.yaml models, loading with precise errors, layered environment."""
