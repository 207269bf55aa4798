"""What `layerlint roles` and `layerlint routes` show, built from the model."""
