"""Use cases: each works inside an open unit of work and leaves committing to the caller."""
