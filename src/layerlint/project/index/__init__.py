"""The index over every module's facts: names resolved across modules, import edges, roles, annotated types."""
