# carevault: ui messages (fr).
