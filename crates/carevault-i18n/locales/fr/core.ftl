# carevault: core messages (fr).
