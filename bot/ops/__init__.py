"""Running it for real: health and metrics endpoints, structured logs."""
