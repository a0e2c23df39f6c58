"""Demo data for meetings: nothing is seeded; the demo's issued documents (outgoing feature)
serve as materials."""
