"""The pure core: diagnostics, configuration, selection and suppression (stdlib only)."""
