# carevault: core messages (en).
